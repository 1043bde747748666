/**
 * This subgraph composed into a supergraph with a second, small one (reviews), served by a real
 * @apollo/gateway, all in-process on loopback. Composition is what rover does: `_service { sdl }`
 * of each subgraph through @apollo/composition. The gateway forwards the Authorization header,
 * as the router does with `headers: all: request: - propagate: named: authorization`. Also: the
 * supergraph keeps @tag and @authenticated, and a contract without `@tag(name: "private")` is a
 * valid supergraph a gateway serves, with no private field in it.
 */
import { randomUUID } from 'node:crypto';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { isObjectType, parse, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, signUp, startTestApp, type GraphQLResponse, type SignedUp, type TestApp } from '../helpers.js';
import { apiSchemaOf, compose, contractWithout, fieldDirectives, forApolloGateway, REVIEWS_SDL } from './supergraph.js';

interface GatewayContext {
  authorization?: string;
}

const PRIVATE = ['status', 'activeSessions', 'defaultEmail', 'phoneNumber', 'locale', 'timezone', 'emails', 'sessions'];

let t: TestApp;
let ada: SignedUp;
let bob: SignedUp;
let ghostId: string;
const closers: (() => Promise<void>)[] = [];
let gatewayUrl: string;
let contractUrl: string;
let supergraphSdl: string;

async function startReviews(reviews: { id: string; body: string; authorId: string }[]): Promise<string> {
  const server = new ApolloServer({
    schema: buildSubgraphSchema([
      {
        typeDefs: REVIEWS_SDL,
        resolvers: {
          Query: { reviews: () => reviews },
          Review: { author: (review: { authorId: string }) => ({ __typename: 'User', id: review.authorId }) },
        },
      },
    ]),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  closers.push(() => server.stop());
  return url;
}

async function sdlOf(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  const body = (await response.json()) as { data: { _service: { sdl: string } } };
  return body.data._service.sdl;
}

/** An @apollo/gateway serving `supergraph`, forwarding the caller's Authorization header. */
async function startGateway(supergraph: string): Promise<string> {
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  const server = new ApolloServer<GatewayContext>({ gateway });
  const started = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  closers.push(() => server.stop());
  return `${started.url.replace(/\/$/, '')}/graphql`;
}

/** POST to the gateway, as a client of the supergraph would. */
function viaGateway(query: string, token?: string, url = gatewayUrl): Promise<GraphQLResponse> {
  return gql(url.replace(/\/graphql$/, ''), query, undefined, token);
}

/** Every field name of every object type of a client-facing schema, as `Type.field`. */
function fieldsOf(schema: GraphQLSchema): string[] {
  return Object.values(schema.getTypeMap())
    .filter((type) => isObjectType(type) && !type.name.startsWith('__'))
    .flatMap((type) => Object.keys((type as { getFields(): object }).getFields()).map((field) => `${type.name}.${field}`));
}

beforeAll(async () => {
  t = await startTestApp();
  ada = await signUp(t.url, { name: 'Ada', phoneNumber: '+14155552671' });
  bob = await signUp(t.url, { name: 'Bob' });
  ghostId = randomUUID();
  const reviewsUrl = await startReviews([
    { id: 'r1', body: 'Great', authorId: ada.id },
    { id: 'r2', body: 'Meh', authorId: bob.id },
    { id: 'r3', body: 'Who wrote this?', authorId: ghostId },
  ]);
  const profilesUrl = `${t.url}/graphql`;

  supergraphSdl = compose([
    { name: 'profiles', url: profilesUrl, typeDefs: parse(await sdlOf(profilesUrl)) },
    { name: 'reviews', url: reviewsUrl, typeDefs: parse(await sdlOf(reviewsUrl)) },
  ]);
  gatewayUrl = await startGateway(forApolloGateway(supergraphSdl));
  contractUrl = await startGateway(forApolloGateway(contractWithout(supergraphSdl, 'private')));
}, 120_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await t?.close();
});

const codes = (res: GraphQLResponse) => (res.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code]);

describe('through a gateway', () => {
  it('composes without errors, User keyed by id in both subgraphs', () => {
    // beforeAll threw otherwise; this names what was proven.
    expect(gatewayUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
  });

  it('resolves public author fields from this service, and null for an unknown author', async () => {
    const res = await viaGateway('{ reviews { id body author { id name bio createdAt } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data!.reviews).toEqual([
      { id: 'r1', body: 'Great', author: expect.objectContaining({ id: ada.id, name: 'Ada', bio: null }) },
      { id: 'r2', body: 'Meh', author: expect.objectContaining({ id: bob.id, name: 'Bob' }) },
      { id: 'r3', body: 'Who wrote this?', author: null },
    ]);
  });

  it('serves me with the Authorization header forwarded to this subgraph', async () => {
    const res = await viaGateway('{ me { id name status defaultEmail activeSessions } }', ada.token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.me).toEqual({ id: ada.id, name: 'Ada', status: 'PENDING', defaultEmail: ada.email, activeSessions: 1 });

    const anonymous = await viaGateway('{ me { id } }');
    expect(anonymous.data?.me ?? null).toBeNull();
    expect(codes(anonymous)).toEqual([['me', 'UNAUTHENTICATED']]);
  });

  it('refuses private fields of another user with FORBIDDEN, and shows the viewer their own', async () => {
    const res = await viaGateway('{ reviews { id author { id name defaultEmail phoneNumber locale } } }', ada.token);
    const [mine, bobs] = res.data!.reviews as { author: Record<string, unknown> }[];
    expect(mine!.author).toEqual({ id: ada.id, name: 'Ada', defaultEmail: ada.email, phoneNumber: '+14155552671', locale: null });
    expect(bobs!.author).toEqual({ id: bob.id, name: 'Bob', defaultEmail: null, phoneNumber: null, locale: null });
    expect(res.errors?.length).toBe(3);
    expect(res.errors!.every((e) => e.extensions?.code === 'FORBIDDEN' && e.message === 'This field is private to its user.')).toBe(true);
    expect(JSON.stringify(res)).not.toContain(bob.email);
  });

  it('asking another author for name and status gives the name, status null and one FORBIDDEN on that status', async () => {
    const res = await viaGateway('{ reviews { id author { name status } } }', ada.token);
    expect(res.data!.reviews).toEqual([
      { id: 'r1', author: { name: 'Ada', status: 'PENDING' } },
      { id: 'r2', author: { name: 'Bob', status: null } },
      { id: 'r3', author: null },
    ]);
    expect(res.errors).toEqual([
      expect.objectContaining({ message: 'This field is private to its user.', path: ['reviews', 1, 'author', 'status'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    ]);

    // activeSessions, the other private field that is never null through `me`, alike.
    const sessions = await viaGateway('{ reviews { author { id name activeSessions } } }', ada.token);
    expect(sessions.data!.reviews.map((r: { author: unknown }) => r.author)).toEqual([
      { id: ada.id, name: 'Ada', activeSessions: 1 },
      { id: bob.id, name: 'Bob', activeSessions: null },
      null,
    ]);
    expect(codes(sessions)).toEqual([['reviews.1.author.activeSessions', 'FORBIDDEN']]);
  });

  it('without a token every author is someone else', async () => {
    const res = await viaGateway('{ reviews { author { name defaultEmail } } }');
    expect(res.data!.reviews.map((r: { author: unknown }) => r.author)).toEqual([
      { name: 'Ada', defaultEmail: null },
      { name: 'Bob', defaultEmail: null },
      null,
    ]);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(JSON.stringify(res)).not.toContain(ada.email);
  });
});

describe('composition', () => {
  it('keeps @tag(name: "private") and @authenticated on every private field in the supergraph', () => {
    expect(supergraphSdl).toContain('@link(url: "https://specs.apollo.dev/tag/v0.3")');
    expect(supergraphSdl).toContain('@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)');
    const directives = fieldDirectives(supergraphSdl, 'User');
    for (const field of PRIVATE) expect(directives[field]?.sort(), field).toEqual(['@authenticated', '@tag(name: "private")']);
    for (const field of ['id', 'name', 'bio', 'avatarUrl', 'createdAt', 'updatedAt']) expect(directives[field], field).toEqual([]);
  });

  it('is a supergraph @apollo/gateway refuses as it stands: it cannot enforce @authenticated', async () => {
    await expect(new ApolloGateway({ supergraphSdl }).load()).rejects.toThrow(/authenticated\/v0\.1 is for: SECURITY but is unsupported/);
  });
});

describe('a contract without @tag(name: "private") (a schema transform, re-validated: supergraph.ts)', () => {
  it('is a valid supergraph whose API schema has every public field and no private one', () => {
    const contract = contractWithout(supergraphSdl, 'private');
    const fields = fieldsOf(apiSchemaOf(contract));
    for (const field of PRIVATE) expect(fields).not.toContain(`User.${field}`);
    expect(fields).toEqual(expect.arrayContaining(['User.id', 'User.name', 'User.bio', 'User.avatarUrl', 'User.createdAt', 'User.updatedAt', 'Query.me', 'Query.reviews', 'Review.author']));
    expect(contract).not.toContain('@tag(name: "private")');
    // The full supergraph's API schema has them: the filter is what removed them.
    expect(fieldsOf(apiSchemaOf(supergraphSdl))).toEqual(expect.arrayContaining(PRIVATE.map((field) => `User.${field}`)));
  });

  it('served by a gateway: public fields resolve, a private field is not in the schema at all', async () => {
    const res = await viaGateway('{ reviews { author { id name } } me { name } }', ada.token, contractUrl);
    expect(res.errors).toBeUndefined();
    expect(res.data!.me).toEqual({ name: 'Ada' });
    expect(res.data!.reviews[0].author).toEqual({ id: ada.id, name: 'Ada' });

    const refused = await viaGateway('{ me { name status } }', ada.token, contractUrl);
    expect(refused.status).toBe(400);
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.[0]?.message).toMatch(/Cannot query field "status" on type "User"/);
  });
});
