import { GraphQLError, GraphQLScalarType } from 'graphql';
import {
  DateTimeResolver,
  EmailAddressResolver,
  LocaleResolver,
  PhoneNumberResolver,
  TimeZoneResolver,
  URLResolver,
  UUIDResolver,
} from 'graphql-scalars';

/**
 * graphql-scalars' types, with a literal they refuse reported as BAD_USER_INPUT at the literal
 * (so the offending field can be named). They check syntax only: the domain layer normalises.
 * A variable must be a JSON string: some of them would take `["https://…"]` for its String().
 */
function reportingLiteral(scalar: GraphQLScalarType): GraphQLScalarType {
  const config = scalar.toConfig();
  return new GraphQLScalarType({
    ...config,
    parseValue(value) {
      if (typeof value !== 'string') throw new TypeError(`${config.name} must be a string; got ${Array.isArray(value) ? 'an array' : typeof value}.`);
      return config.parseValue!(value);
    },
    parseLiteral(ast, variables) {
      try {
        return config.parseLiteral(ast, variables);
      } catch (error) {
        throw new GraphQLError(error instanceof Error ? error.message : String(error), {
          nodes: ast,
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
    },
  });
}

/**
 * TimeZone's serialize builds two Intl.DateTimeFormat objects per value: ~17% of the CPU of a
 * `me` asking for every field (measured). The zones we answer are canonical names from our own
 * rows, a few hundred at most: each is checked once, then remembered (bounded all the same).
 */
function rememberingSerialize(scalar: GraphQLScalarType, max = 2_000): GraphQLScalarType {
  const config = scalar.toConfig();
  const checked = new Map<string, unknown>();
  return new GraphQLScalarType({
    ...config,
    serialize(value) {
      if (typeof value !== 'string') return config.serialize(value);
      let serialized = checked.get(value);
      if (serialized === undefined) {
        serialized = config.serialize(value);
        if (checked.size < max) checked.set(value, serialized);
      }
      return serialized;
    },
  });
}

export const scalars = {
  UUID: reportingLiteral(UUIDResolver),
  DateTime: reportingLiteral(DateTimeResolver),
  PhoneNumber: reportingLiteral(PhoneNumberResolver),
  Locale: reportingLiteral(LocaleResolver),
  TimeZone: rememberingSerialize(reportingLiteral(TimeZoneResolver)),
  EmailAddress: reportingLiteral(EmailAddressResolver),
  URL: reportingLiteral(URLResolver),
};
