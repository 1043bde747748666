/**
 * This subgraph composed into a supergraph with a second, small one (reviews), served by a real
 * @apollo/gateway, all in-process on loopback. Composition is what rover does: `_service { sdl }`
 * of each subgraph through @apollo/composition. The gateway forwards the Authorization header,
 * as the router does with `headers: all: request: - propagate: named: authorization`.
 */
import { randomUUID } from 'node:crypto';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, signUp, startTestApp, type GraphQLResponse, type SignedUp, type TestApp } from '../helpers.js';

interface GatewayContext {
  authorization?: string;
}

const REVIEWS_SDL = parse(`
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

let t: TestApp;
let ada: SignedUp;
let bob: SignedUp;
let ghostId: string;
const closers: (() => Promise<void>)[] = [];
let gatewayUrl: string;

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

/** POST to the gateway, as a client of the supergraph would. */
function viaGateway(query: string, token?: string): Promise<GraphQLResponse> {
  return gql(gatewayUrl.replace(/\/graphql$/, ''), query, undefined, token);
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

  const composed = composeServices([
    { name: 'profiles', url: profilesUrl, typeDefs: parse(await sdlOf(profilesUrl)) },
    { name: 'reviews', url: reviewsUrl, typeDefs: parse(await sdlOf(reviewsUrl)) },
  ]);
  if (composed.errors) throw new Error(`composition failed: ${composed.errors.map((e) => e.message).join('\n')}`);

  const gateway = new ApolloGateway({
    supergraphSdl: composed.supergraphSdl,
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
  gatewayUrl = `${started.url.replace(/\/$/, '')}/graphql`;
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

  it('a non-null private field of another user (status) is FORBIDDEN and nulls that author only', async () => {
    const res = await viaGateway('{ reviews { id author { id name status } } }', ada.token);
    expect(res.data!.reviews.map((r: { author: unknown }) => r.author)).toEqual([
      { id: ada.id, name: 'Ada', status: 'PENDING' },
      null,
      null,
    ]);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
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
