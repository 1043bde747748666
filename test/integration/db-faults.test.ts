/**
 * Database faults seen from a client: an unreachable database is a fast 503 with Retry-After on
 * GraphQL (authentication and resolvers alike), REST and /readyz, never a masked 500 or a hang;
 * the timeouts are set on every connection; and connections the server kills are replaced.
 * Stopping and starting a whole PostgreSQL under load is test/faults/pg-restart.test.ts.
 */
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/db/errors.js';
import { Database, statement } from '../../src/db/database.js';
import { READINESS_TIMEOUT_MS } from '../../src/db/health.js';
import { generateToken } from '../../src/domain/tokens.js';
import { PASSWORD, serverUrl, signUp, startAppOver, startTestApp, uniqueEmail, usingServer, type TestApp } from '../helpers.js';

const UNAVAILABLE = 'The database is unreachable; try again shortly.';

interface Timed {
  status: number;
  headers: Headers;
  text: string;
  body: any;
  ms: number;
}

async function timed(url: string, init: RequestInit = {}): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body, ms: performance.now() - started };
}

const graphql = (base: string, query: string, variables?: Record<string, unknown>, token?: string) =>
  timed(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });

/** A TCP port that accepts connections and never says a word: a hung database server. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `postgres://postgres@127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/silent`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A port nothing listens on. */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return `postgres://postgres@127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/refused`;
}

function expectGraphQLUnavailable(res: Timed): void {
  expect(res.status, res.text).toBe(503);
  expect(res.headers.get('retry-after')).toBe('5');
  expect(res.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors[0]).toMatchObject({
    message: UNAVAILABLE,
    extensions: { code: 'SERVICE_UNAVAILABLE', requestId: res.headers.get('x-request-id') },
  });
  expect(res.text).not.toMatch(/ECONNREFUSED|Connection terminated|Knex|127\.0\.0\.1|postgres|stack/i);
}

function expectRestUnavailable(res: Timed): void {
  expect(res.status, res.text).toBe(503);
  expect(res.headers.get('retry-after')).toBe('5');
  expect(res.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', requestId: res.headers.get('x-request-id') });
  expect(res.text).not.toMatch(/ECONNREFUSED|Connection terminated|Knex|127\.0\.0\.1|postgres/i);
}

/** One of each kind of request, all at once: authentication fails first for some, a resolver for others. */
async function everyKindOfRequest(base: string): Promise<{ graphql: Timed[]; rest: Timed[]; ready: Timed }> {
  const token = generateToken();
  const [graphqlAnswers, restAnswers, ready] = await Promise.all([
    Promise.all([
      // createContext: authenticating the token needs the database.
      graphql(base, '{ me { id name } }', undefined, token),
      graphql(base, 'mutation { updateMe(input: { bio: "x" }) { id } }', undefined, token),
      // No token: the context needs nothing, the resolver does.
      graphql(base, 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }', {
        e: uniqueEmail(),
        p: PASSWORD,
      }),
      graphql(base, 'mutation ($i: SignUpInput!) { signUp(input: $i) { token } }', {
        i: { email: uniqueEmail(), password: PASSWORD, name: 'Down' },
      }),
      graphql(base, 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }', {
        r: [{ __typename: 'User', id: '00000000-0000-4000-8000-000000000000' }],
      }),
    ]),
    Promise.all([
      timed(`${base}/me`, { headers: { authorization: `Bearer ${token}` } }),
      timed(`${base}/me`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"bio":"x"}',
      }),
      timed(`${base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
      }),
    ]),
    timed(`${base}/readyz`),
  ]);
  return { graphql: graphqlAnswers, rest: restAnswers, ready };
}

describe('database refusing connections', () => {
  let app: Awaited<ReturnType<typeof startAppOver>>;
  beforeAll(async () => {
    // A long connect timeout: any answer well under it was not waiting for one.
    app = await startAppOver(await refusedUrl(), { connectTimeoutMs: 10_000, statementTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('GraphQL, REST and /readyz answer 503 with Retry-After at once', async () => {
    const answers = await everyKindOfRequest(app.url);
    for (const res of answers.graphql) expectGraphQLUnavailable(res);
    for (const res of answers.rest) expectRestUnavailable(res);
    expect(answers.ready.status).toBe(503);
    expect(answers.ready.headers.get('retry-after')).toBe('5');
    expect(answers.ready.body).toEqual({ status: 'unavailable', reason: 'database unreachable' });
    // A refused connection is known at once (signUp hashes its password first, which takes a moment).
    for (const res of [...answers.graphql, ...answers.rest, answers.ready]) expect(res.ms).toBeLessThan(2_500);
    expect((await timed(`${app.url}/healthz`)).status).toBe(200);
  });

  it('a query that needs no database still answers 200', async () => {
    const res = await graphql(app.url, '{ __typename }');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('database server that accepts connections and never answers', () => {
  let silent: Awaited<ReturnType<typeof silentServer>>;
  beforeAll(async () => {
    silent = await silentServer();
  });
  afterAll(async () => {
    await silent?.close();
  });

  it('every request answers 503 within DB_CONNECT_TIMEOUT', async () => {
    const app = await startAppOver(silent.url, { connectTimeoutMs: 1_000, statementTimeoutMs: 10_000 });
    try {
      const answers = await everyKindOfRequest(app.url);
      for (const res of answers.graphql) expectGraphQLUnavailable(res);
      for (const res of answers.rest) expectRestUnavailable(res);
      expect(answers.ready.status).toBe(503);
      // Bounded by the 1 s timeout (plus a loaded machine's slack), not by anything longer.
      for (const res of [...answers.graphql, ...answers.rest, answers.ready]) {
        expect(res.ms).toBeGreaterThan(900);
        expect(res.ms).toBeLessThan(3_500);
      }
    } finally {
      await app.close();
    }
  });

  it('/readyz answers 503 within its own bound even when the pool waits longer', async () => {
    const app = await startAppOver(silent.url, { connectTimeoutMs: 20_000, statementTimeoutMs: 10_000 });
    try {
      const ready = await timed(`${app.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('5');
      expect(ready.ms).toBeGreaterThan(READINESS_TIMEOUT_MS - 100);
      expect(ready.ms).toBeLessThan(READINESS_TIMEOUT_MS + 1_500);
    } finally {
      // Ends the pending connection attempts, so the pool closes without waiting 20 s.
      await silent.close();
      silent = await silentServer();
      await app.close();
    }
  });
});

// PGlite accepts these settings but enforces neither; the embedded database is in-process anyway.
describe.runIf(usingServer)('timeouts on every connection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ DB_STATEMENT_TIMEOUT: '1500ms' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('statement_timeout and idle_in_transaction_session_timeout are set', async () => {
    const settings = await t.sql<{ name: string; setting: string; unit: string }>(
      "select name, setting, unit from pg_settings where name in ('statement_timeout', 'idle_in_transaction_session_timeout') order by name",
    );
    expect(settings).toEqual([
      { name: 'idle_in_transaction_session_timeout', setting: '15000', unit: 'ms' },
      { name: 'statement_timeout', setting: '1500', unit: 'ms' },
    ]);
    // The named-statement path uses the same connections.
    const [row] = await t.db.database.query<{ statement_timeout: string }>(statement('test_show_timeout', 'show statement_timeout'));
    expect(row?.statement_timeout).toBe('1500ms');
  });

  it('a statement over statement_timeout is cancelled, as a retryable error', async () => {
    const started = performance.now();
    const error = await t.db.database.query(statement('test_sleep', 'select pg_sleep(5)')).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(4_000);
    expect((error as { code?: string }).code).toBe('57014');
    expect(isDatabaseUnavailable(error)).toBe(true);
    // The connection is fine afterwards.
    expect((await timed(`${t.url}/readyz`)).status).toBe(200);
  });
});

describe.runIf(usingServer)('connections the server kills', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** pg_terminate_backend on every connection of the app's pool: what a failover or an admin does. */
  async function killPoolConnections(): Promise<number> {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = $1 and application_name = 'profile-gateway' and pid <> pg_backend_pid()`,
        [new URL(t.testDb.databaseUrl!).pathname.slice(1)],
      );
      return rows.length;
    } finally {
      await admin.end();
    }
  }

  it('idle connections killed: the next requests open new ones and succeed', async () => {
    const user = await signUp(t.url);
    // Warm every kind of connection use: named statements, plain ones, transactions.
    for (let i = 0; i < 3; i += 1) {
      expect((await graphql(t.url, '{ me { id } }', undefined, user.token)).status).toBe(200);
      expect((await timed(`${t.url}/me`, { headers: { authorization: `Bearer ${user.token}` } })).status).toBe(200);
    }
    expect(await killPoolConnections()).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 5; i += 1) {
      const me = await graphql(t.url, '{ me { id activeSessions } }', undefined, user.token);
      expect(me.status, me.text).toBe(200);
      expect(me.body.data.me).toEqual({ id: user.id, activeSessions: 1 });
      const rest = await timed(`${t.url}/me`, { headers: { authorization: `Bearer ${user.token}` } });
      expect(rest.status, rest.text).toBe(200);
      const update = await graphql(t.url, 'mutation ($b: String) { updateMe(input: { bio: $b }) { bio } }', { b: `bio ${i}` }, user.token);
      expect(update.body.data?.updateMe, update.text).toEqual({ bio: `bio ${i}` });
    }
  });

  it('a connection killed mid-statement is never lent out again', async () => {
    // One connection only, so a broken one handed back would be the very next one used.
    const database = new Database({ clientUrl: t.testDb.databaseUrl!, max: 1, timeouts: { connectTimeoutMs: 3_000, statementTimeoutMs: 10_000 }, embedded: false });
    try {
      const sleeping = database.query(statement('test_long', 'select pg_sleep(3)')).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await killPoolConnections()).toBeGreaterThan(0);
      const error = await sleeping;
      expect(isDatabaseUnavailable(error), String(error)).toBe(true);
      // Straight away, before pg may have reported the socket closed.
      const rows = await database.query<{ n: number }>(statement('test_one', 'select 1 as n'));
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await database.close();
    }
  });
});
