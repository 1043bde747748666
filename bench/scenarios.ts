/**
 * What the bench sends: each scenario's requests (the same URLs, methods, bodies and tokens for
 * every server), the targets set beside them, the peers that run the scenarios marked for them,
 * and the correctness check made before any timing (every server answers the same JSON for the
 * same user).
 */
import { isDeepStrictEqual } from 'node:util';
import { generateToken } from '../src/domain/tokens.js';
import type { Server } from './harness.js';

export interface Sent {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: string;
}

export interface Scenario {
  id: string;
  title: string;
  /** Needs the REST routes. */
  rest: boolean;
  /** Also run on the peers (bench/peers/). */
  peers: boolean;
  /** Target share of the ceiling's req/s, if the issue sets one. */
  minThroughputRatio: number | null;
  request(sequence: number): Sent;
}

const ME_SMALL = '{ me { id name status createdAt } }';
const ME_FULL = '{ me { id status name bio activeSessions createdAt updatedAt defaultEmail avatarUrl phoneNumber locale timezone } }';
const graphql = (query: string): Sent => ({ method: 'POST', path: '/graphql', body: JSON.stringify({ query }) });
const GRAPHQL_SMALL = graphql(ME_SMALL);
const GRAPHQL_FULL = graphql(ME_FULL);
const GET_ME: Sent = { method: 'GET', path: '/me' };
// A new bio every time, so every PATCH really writes on both servers.
const patchMe = (sequence: number): Sent => ({ method: 'PATCH', path: '/me', body: JSON.stringify({ bio: `Bench bio ${sequence}` }) });

// Issue 15's targets (GraphQL me ≥ 0.50, GET /me ≥ 0.75, PATCH /me ≥ 0.70 of the ceiling); the
// every-field query is held to GraphQL me's.
export const SCENARIOS: Scenario[] = [
  { id: 'graphql-me', title: 'GraphQL me { id name status createdAt }', rest: false, peers: true, minThroughputRatio: 0.5, request: () => GRAPHQL_SMALL },
  { id: 'graphql-me-full', title: 'GraphQL me, every field', rest: false, peers: false, minThroughputRatio: 0.5, request: () => GRAPHQL_FULL },
  { id: 'rest-get-me', title: 'REST GET /me', rest: true, peers: true, minThroughputRatio: 0.75, request: () => GET_ME },
  { id: 'rest-patch-me', title: 'REST PATCH /me (bio)', rest: true, peers: false, minThroughputRatio: 0.7, request: patchMe },
  {
    id: 'mix',
    title: 'mix: 80% GraphQL me, 10% GET /me, 10% PATCH /me',
    rest: true,
    peers: false,
    minThroughputRatio: null,
    request: (sequence) => {
      const r = Math.random();
      return r < 0.8 ? GRAPHQL_SMALL : r < 0.9 ? GET_ME : patchMe(sequence);
    },
  },
];

export const P99_MAX_RATIO = 2;
export const RSS_MAX_MB = 150;

export interface Peer {
  /** Server.kind in the measurements and in bench/results/. */
  id: string;
  title: string;
  script: string;
}

/**
 * Other servers over the same database and the same statement as the ceiling, run beside the
 * service in the scenarios marked `peers`: where the service stands against them, not only
 * against the ceiling.
 */
export const PEERS: Peer[] = [
  { id: 'peer-apollo', title: 'bare Apollo Server 5 on Fastify, tuned', script: 'bench/peers/apollo.ts' },
  { id: 'peer-mercurius', title: 'Mercurius + graphql-jit', script: 'bench/peers/mercurius.ts' },
];

/** Issue 15: on GraphQL `me`, the service's req/s at least this share of the bare Apollo peer's. */
export const PEER_GOAL = { peer: 'peer-apollo', scenario: 'graphql-me', min: 0.8 };

// ---------------------------------------------------------------------------------------------
// Correctness before any timing: every server answers the same for the same token.

/** JSON with keys sorted, so two answers compare regardless of key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

async function call(server: Server, sent: Sent, token: string): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (sent.body) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.baseUrl}${sent.path}`, {
    method: sent.method,
    headers,
    body: sent.body ?? null,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // left as text
  }
  return { status: response.status, json };
}

function mustEqual(what: string, a: Server, aJson: unknown, b: Server, bJson: unknown): void {
  if (!isDeepStrictEqual(canonical(aJson), canonical(bJson))) {
    throw new Error(`${what}: the ${a.kind} and the ${b.kind} answer differently\n  ${a.kind}: ${JSON.stringify(aJson)}\n  ${b.kind}: ${JSON.stringify(bJson)}`);
  }
}

function mustBeOk(what: string, result: { status: number; json: unknown }): void {
  const errors = (result.json as { errors?: unknown } | null)?.errors;
  if (result.status !== 200 || errors) throw new Error(`${what}: expected 200 without errors, got ${result.status} ${JSON.stringify(result.json)}`);
}

/** Returns whether the service has the REST routes. The peers are checked on GraphQL `me` and GET /me. */
export async function validate(service: Server, ceiling: Server, peers: Server[], tokens: string[]): Promise<boolean> {
  const probe = await call(service, GET_ME, tokens[0]!);
  const rest = probe.status !== 404;
  if (!rest) console.log('  ! the service has no GET /me yet (404): REST scenarios are skipped');

  const sample = [tokens[0]!, tokens[1]!, tokens[2]!, tokens[tokens.length - 1]!];
  for (const [i, token] of sample.entries()) {
    for (const [label, sent, servers] of [
      ['GraphQL me', GRAPHQL_SMALL, [service, ...peers]],
      ['GraphQL me (every field)', GRAPHQL_FULL, [service, ...peers]],
      ['GET /me', GET_ME, rest ? [service, ...peers] : peers],
    ] as const) {
      const c = await call(ceiling, sent, token);
      mustBeOk(`${label} on the ceiling`, c);
      for (const server of servers) {
        const s = await call(server, sent, token);
        mustBeOk(`${label} on the ${server.kind}`, s);
        mustEqual(`${label} for user #${i}`, server, s.json, ceiling, c.json);
      }
    }
    if (rest) {
      const [c, s] = [await call(ceiling, patchMe(-1 - i), token), await call(service, patchMe(-100 - i), token)];
      mustBeOk('PATCH /me on the ceiling', c);
      mustBeOk('PATCH /me on the service', s);
      const bio = (x: unknown) => (x as { bio?: unknown }).bio;
      if (bio(c.json) !== `Bench bio ${-1 - i}` || bio(s.json) !== `Bench bio ${-100 - i}`) {
        throw new Error(`PATCH /me did not change the bio: ceiling ${JSON.stringify(c.json)}, service ${JSON.stringify(s.json)}`);
      }
      const without = (x: unknown) => ({ ...(x as Record<string, unknown>), bio: null, updatedAt: null });
      mustEqual(`PATCH /me for user #${i} (bio and updatedAt aside)`, service, without(s.json), ceiling, without(c.json));
      mustEqual(`GET /me after PATCH for user #${i}`, service, (await call(service, GET_ME, token)).json, ceiling, (await call(ceiling, GET_ME, token)).json);
    }
  }
  // All really check the token.
  const stranger = generateToken();
  for (const server of [service, ceiling, ...peers]) {
    const answer = await call(server, GRAPHQL_SMALL, stranger);
    if ((answer.json as { data?: { me?: unknown } } | null)?.data?.me !== null) {
      throw new Error(`${server.kind} answered an unknown token with ${JSON.stringify(answer.json)}`);
    }
    const refuses = rest || server !== service;
    if (refuses && (await call(server, GET_ME, stranger)).status !== 401) throw new Error(`${server.kind} did not refuse an unknown token on GET /me`);
  }
  const checked = rest ? ' (GraphQL, GET and PATCH /me)' : ' (GraphQL)';
  const also = peers.length ? `; the peers too (GraphQL and GET /me)` : '';
  console.log(`  ${peers.length ? 'all' : 'both'} servers give the same answers for ${sample.length} users${checked}${also}`);
  return rest;
}
