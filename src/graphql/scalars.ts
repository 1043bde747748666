import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
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
 * For the scalars of updateMe's and signUp's inputs: any string is taken as it is, and the domain
 * layer checks and normalises it along with every other field of the input (validation.ts). So
 * one answer names every bad field, each with `extensions.field`, with the same HTTP status
 * whichever field it is, as REST does; graphql-scalars' syntax check here would refuse some bad
 * values while coercing variables (a 400 with that error alone) and let others through to the
 * domain (a 200). A value that is not a string at all is still refused while coercing. What we
 * answer keeps graphql-scalars' check in `serialize`.
 */
function checkedByDomain(scalar: GraphQLScalarType): GraphQLScalarType {
  const config = scalar.toConfig();
  const refuse = (got: string) => `${config.name} must be a string; got ${got}.`;
  return new GraphQLScalarType({
    ...config,
    parseValue(value) {
      if (typeof value !== 'string') throw new TypeError(refuse(Array.isArray(value) ? 'an array' : typeof value));
      return value;
    },
    parseLiteral(ast) {
      if (ast.kind !== Kind.STRING) throw new GraphQLError(refuse(ast.kind), { nodes: ast, extensions: { code: 'BAD_USER_INPUT' } });
      return ast.value;
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

/** A UUID as PostgreSQL writes it (lower case, no braces): what every id we answer looks like. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * graphql-scalars' UUID compiles its pattern anew on every value it serialises (a regex literal
 * with the g flag inside the function): a canonical id is checked with one compiled pattern
 * instead and answered as it is, as graphql-scalars would; anything else goes to graphql-scalars.
 */
function canonicalUuidFirst(scalar: GraphQLScalarType): GraphQLScalarType {
  const config = scalar.toConfig();
  return new GraphQLScalarType({
    ...config,
    serialize: (value) => (typeof value === 'string' && CANONICAL_UUID.test(value) ? value : config.serialize(value)),
  });
}

export const scalars = {
  UUID: canonicalUuidFirst(reportingLiteral(UUIDResolver)),
  DateTime: reportingLiteral(DateTimeResolver),
  PhoneNumber: checkedByDomain(PhoneNumberResolver),
  Locale: checkedByDomain(LocaleResolver),
  TimeZone: rememberingSerialize(checkedByDomain(TimeZoneResolver)),
  EmailAddress: checkedByDomain(EmailAddressResolver),
  URL: checkedByDomain(URLResolver),
};
