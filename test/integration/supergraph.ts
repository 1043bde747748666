/**
 * Supergraph helpers for the federation tests: the small reviews subgraph composed beside this one,
 * composition as rover does it (@apollo/composition), and two schema transforms on the composed
 * supergraph written with @apollo/federation-internals (the library composition, the gateway and
 * the query planner share), each re-validated as a supergraph before it is returned.
 */
import { composeServices } from '@apollo/composition';
import { ObjectType, printSchema, Supergraph } from '@apollo/federation-internals';
import { parse, type DocumentNode } from 'graphql';

export const REVIEWS_SDL = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  scalar UUID

  type User @key(fields: "id", resolvable: false) {
    id: UUID!
  }

  type Review {
    id: ID!
    body: String!
    author: User
  }

  type Query {
    reviews: [Review!]!
  }
`);

export interface SubgraphSource {
  name: string;
  url: string;
  typeDefs: DocumentNode;
}

/** The supergraph SDL, as `rover supergraph compose` writes it; throws with composition's errors. */
export function compose(subgraphs: SubgraphSource[]): string {
  const composed = composeServices(subgraphs);
  if (composed.errors) throw new Error(`composition failed:\n${composed.errors.map((e) => e.message).join('\n')}`);
  return composed.supergraphSdl;
}

/** A supergraph schema to transform: loaded without the gateway's feature check, not yet validated. */
function load(supergraphSdl: string) {
  return Supergraph.build(supergraphSdl, { supportedFeatures: null, validateSupergraph: false }).schema;
}

const AUTHENTICATED = 'https://specs.apollo.dev/authenticated';

/**
 * The supergraph as @apollo/gateway can load it. The gateway does not implement `@authenticated`
 * and refuses a supergraph that links it `for: SECURITY` ("feature …/authenticated/v0.1 is for:
 * SECURITY but is unsupported"), as it should. The router enforces it; behind the gateway this
 * subgraph's own checks are what protect the private fields, so the feature is removed for it.
 */
export function forApolloGateway(supergraphSdl: string): string {
  const schema = load(supergraphSdl);
  const feature = schema.coreFeatures?.getByIdentity(AUTHENTICATED);
  if (!feature) return supergraphSdl;
  const definition = schema.directive(feature.directiveNameInSchema('authenticated'));
  for (const application of definition?.applications() ?? []) application.remove();
  definition?.remove();
  feature.directive.remove();
  const printed = printSchema(schema);
  // Validated as the gateway will: its default feature set, full supergraph validation.
  Supergraph.build(printed, { validateSupergraph: true }).subgraphs();
  return printed;
}

const TAG = 'https://specs.apollo.dev/tag';

/**
 * A contract-style variant: every field, argument, input field and enum value tagged
 * `@tag(name: <tag>)` is removed from the supergraph, which is then validated again as a whole
 * (core features, join directives, the subgraphs it extracts). GraphOS contracts do this in the
 * cloud (they mark the elements @inaccessible); no published package does it, hence this transform.
 */
export function contractWithout(supergraphSdl: string, tag: string): string {
  const schema = load(supergraphSdl);
  const feature = schema.coreFeatures?.getByIdentity(TAG);
  const definition = feature && schema.directive(feature.directiveNameInSchema('tag'));
  if (!definition) throw new Error('the supergraph has no @tag');
  const tagged = [...definition.applications()].filter((application) => application.arguments().name === tag);
  for (const application of tagged) {
    const element = application.parent as { remove?: () => unknown };
    if (typeof element.remove !== 'function') throw new Error(`cannot remove ${String(application.parent)}`);
    element.remove();
  }
  const printed = printSchema(schema);
  Supergraph.build(printed, { supportedFeatures: null, validateSupergraph: true }).subgraphs();
  return printed;
}

/** The API schema a client of this supergraph sees (no join or link machinery). */
export function apiSchemaOf(supergraphSdl: string) {
  return Supergraph.build(supergraphSdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
}

/** The directives applied to each field of an object type of a supergraph, join ones left out. */
export function fieldDirectives(supergraphSdl: string, typeName: string): Record<string, string[]> {
  const type = load(supergraphSdl).type(typeName);
  if (!(type instanceof ObjectType)) throw new Error(`${typeName} is not an object type of the supergraph`);
  return Object.fromEntries(
    type.fields().map((field) => [field.name, field.appliedDirectives.map(String).filter((d) => !d.startsWith('@join__'))]),
  );
}
