/**
 * SIGTERM with requests in flight: the service stops accepting connections, finishes every request
 * it had started (their writes committed), closes the pool and exits 0.
 *
 * "In flight" is made certain rather than hoped for: each request sends its headers and half its
 * body before the signal, and the rest after; the signal waits for the server's word that it has
 * every one: its 100 Continue (each request says Expect: 100-continue), which Node's HTTP server
 * writes as it hands the request to Fastify, which routes it and reads its body.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, PASSWORD, uniqueEmail, usingServer, type TestDatabase, NO_SMTP } from '../helpers.js';
import { freePort } from '../pgbouncer.js';
import { spawnService, START_TIMEOUT_MS, startService, type ServiceProcess } from '../service-process.js';

const IN_FLIGHT = 20;

interface Answer {
  status: number;
  body: any;
}

interface SplitRequest {
  /** Resolves once the server has answered 100 Continue (or anything else, or dropped the connection). */
  received: Promise<void>;
  /** Sends the rest of the body. */
  finish(): void;
  answer: Promise<Answer>;
}

/** A POST on a connection of its own that sends its headers and the first half of its body now. */
function startRequest(base: string, path: string, json: unknown, token?: string): SplitRequest {
  const body = Buffer.from(JSON.stringify(json));
  const half = Math.floor(body.length / 2);
  const req = httpRequest(`${base}${path}`, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/json',
      'content-length': String(body.length),
      expect: '100-continue',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  });
  const answer = new Promise<Answer>((resolve) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      res.on('error', (error) => resolve({ status: 0, body: String(error) }));
    });
    // A connection dropped by the server: status 0, so the test says which request it was.
    req.on('error', (error) => resolve({ status: 0, body: String(error) }));
  });
  const received = new Promise<void>((resolve) => {
    req.once('continue', resolve);
    void answer.then(() => resolve());
  });
  req.flushHeaders();
  req.write(body.subarray(0, half));
  return { received, finish: () => req.end(body.subarray(half)), answer };
}

/** Whether a new TCP connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(base: string, path: string, json: unknown, token?: string): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(json),
  });
  return { status: response.status, body: await response.json() };
}

let testDb: TestDatabase;
let env: Record<string, string>;
beforeAll(async () => {
  testDb = await createTestDatabase();
  env = {
    NODE_ENV: 'production',
    SMTP_URL: NO_SMTP,
    LOG_LEVEL: 'warn',
    DATA_DIR: testDb.dataDir,
    ...(testDb.databaseUrl ? { DATABASE_URL: testDb.databaseUrl } : {}),
    // Forty sign-ups and log-ins from one address.
    RATE_LIMIT_AUTH_PER_IP: '1000000',
    RATE_LIMIT_REQUESTS: '1000000',
  };
});
afterAll(async () => {
  await testDb?.drop();
});

describe('SIGTERM with requests in flight', () => {
  let service: ServiceProcess | undefined;
  afterAll(async () => {
    await service?.stop('SIGKILL');
  });

  it('finishes every started request, refuses new connections, exits 0; the writes are there after a restart', async () => {
    service = await startService(env);
    const { base, port } = service;

    // Accounts to log in to, signed up before.
    const accounts: { email: string; id: string }[] = [];
    for (let i = 0; i < IN_FLIGHT / 2; i += 1) {
      const email = uniqueEmail('drain');
      const res = await post(base, '/signup', { email, password: PASSWORD, name: `Drain ${i}` });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      accounts.push({ email, id: res.body.user.id });
    }

    // Half GraphQL logIn (argon2 verify + a transaction), half REST sign-ups (argon2 hash + a transaction).
    const logIns = accounts.map((account) =>
      startRequest(base, '/graphql', {
        query: 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token user { id } } }',
        variables: { e: account.email, p: PASSWORD },
      }),
    );
    const signUps = accounts.map((_, i) => {
      const email = uniqueEmail('drain-new');
      return { email, request: startRequest(base, '/signup', { email, password: PASSWORD, name: `New ${i}` }) };
    });
    const all = [...logIns, ...signUps.map((s) => s.request)];
    await Promise.all(all.map((r) => r.received)); // every request routed, each now waiting for the rest of its body

    service.child.kill('SIGTERM');
    let stoppedAccepting = false;
    for (let i = 0; i < 50 && !stoppedAccepting; i += 1) {
      await sleep(20);
      stoppedAccepting = await refused(port);
    }
    expect(stoppedAccepting, 'new connections still accepted 1 s after SIGTERM').toBe(true);
    expect(service.child.exitCode, 'exited with requests in flight').toBeNull();

    for (const r of all) r.finish();
    const answers = await Promise.all(all.map((r) => r.answer));

    const tokens: { token: string; id: string }[] = [];
    answers.slice(0, logIns.length).forEach((answer, i) => {
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.logIn.user.id).toBe(accounts[i]!.id);
      expect(answer.body.data.logIn.token).toMatch(/^pgw_[A-Za-z0-9_-]{43}$/);
      tokens.push({ token: answer.body.data.logIn.token, id: accounts[i]!.id });
    });
    answers.slice(logIns.length).forEach((answer) => {
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      expect(answer.body.user).toMatchObject({ status: 'pending' });
      tokens.push({ token: answer.body.token, id: answer.body.user.id });
    });

    const answered = performance.now();
    expect(await service.exited).toBe(0);
    // Closing the pool (and the embedded database) takes moments, not a timeout's worth.
    expect(performance.now() - answered).toBeLessThan(5_000);
    expect(await refused(port)).toBe(true);
    expect(service.output()).not.toMatch(/shutdown failed|"level":(50|60)/);

    // Every answered write was committed before the exit.
    service = await startService(env);
    for (const { token, id } of tokens) {
      const me = await fetch(`${service.base}/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { id: string }).id).toBe(id);
    }
    for (const { email } of signUps) {
      expect((await post(service.base, '/login', { email, password: PASSWORD })).status).toBe(200);
    }
    expect(await service.stop()).toBe(0);
    service = undefined;
  }, 120_000);
});

// On the server only: a test's own connection holds the seed at a lock, which PGlite (one process) cannot.
describe.runIf(usingServer)('SIGTERM while start-up is still seeding the demo user', () => {
  it('lets the seed finish before the database closes: exit 0, no start-up error', async () => {
    // Migrated first (in production: no seed), so the test can take its lock before the seed runs.
    expect(await (await startService(env)).stop()).toBe(0);
    const [blocker, watcher] = [new pg.Client({ connectionString: testDb.databaseUrl }), new pg.Client({ connectionString: testDb.databaseUrl })];
    await Promise.all([blocker.connect(), watcher.connect()]);
    const port = await freePort();
    // Not production: the demo seed runs once the app listens.
    const spawned = spawnService({ LOG_LEVEL: 'warn', DATA_DIR: testDb.dataDir, DATABASE_URL: testDb.databaseUrl!, PORT: String(port) });
    try {
      // The seed's next statement (whichever path it takes) reads user_emails: it waits here.
      await blocker.query('begin');
      await blocker.query('lock table user_emails in access exclusive mode');
      const deadline = Date.now() + START_TIMEOUT_MS;
      const seedWaiting = async () => {
        const { rows } = await watcher.query(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        );
        return rows[0].n > 0;
      };
      while (!(await seedWaiting())) {
        if (Date.now() > deadline || spawned.child.exitCode !== null) throw new Error(`the seed never reached the lock:\n${spawned.stdout()}${spawned.stderr()}`);
        await sleep(20);
      }
      expect(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status)).toBe(200);
      spawned.child.kill('SIGTERM');
      // Long enough for the shutdown to have closed the pool, had it not waited for the seed.
      await sleep(500);
      await blocker.query('commit');
      expect(await spawned.exited, spawned.stderr()).toBe(0);
      expect(spawned.stderr()).not.toMatch(/could not start|Cannot use a pool/);
    } finally {
      if (spawned.child.exitCode === null) spawned.child.kill('SIGKILL');
      await Promise.all([blocker.end(), watcher.end()]);
    }
  }, 60_000);
});
