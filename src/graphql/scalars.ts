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

export const scalars = {
  UUID: reportingLiteral(UUIDResolver),
  DateTime: reportingLiteral(DateTimeResolver),
  PhoneNumber: reportingLiteral(PhoneNumberResolver),
  Locale: reportingLiteral(LocaleResolver),
  TimeZone: reportingLiteral(TimeZoneResolver),
  EmailAddress: reportingLiteral(EmailAddressResolver),
  URL: reportingLiteral(URLResolver),
};
