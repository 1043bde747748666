import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { GraphQLError, isObjectType, parse, type GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers/index.js';

export const typeDefs = parse(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));

/** The federation v2 subgraph schema: schema.graphql plus `_service` and `_entities`. */
export function buildSchema(): GraphQLSchema {
  const schema = buildSubgraphSchema([{ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }]);
  refuseUnknownEntityTypes(schema);
  return schema;
}

/**
 * `_entities` throws a plain Error for a `__typename` that is not an entity here, which would
 * reach the client as a masked INTERNAL_SERVER_ERROR. It is the caller's mistake: say so.
 */
function refuseUnknownEntityTypes(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()._entities;
  const resolve = field?.resolve;
  if (!field || !resolve) return;
  const entityTypes = new Set(
    Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && type.astNode?.directives?.some((d) => d.name.value === 'key'))
      .map((type) => type.name),
  );
  field.resolve = (source, args: { representations?: unknown[] }, context, info) => {
    for (const [index, representation] of (args.representations ?? []).entries()) {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      if (typeof typename !== 'string' || !entityTypes.has(typename)) {
        throw new GraphQLError(
          `Representation ${index} has __typename ${JSON.stringify(typename ?? null)}; this subgraph resolves ${[...entityTypes].join(', ')}.`,
          { extensions: { code: 'BAD_USER_INPUT', field: 'representations' } },
        );
      }
    }
    return resolve(source, args, context, info);
  };
}
