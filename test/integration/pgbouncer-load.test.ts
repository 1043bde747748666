/**
 * Two instances of the program (as production runs it) sharing one PgBouncer in transaction mode
 * with 4 server connections, under a bounded burst: 50 clients for 5 s, each its own user, mixing
 * GET /me, GraphQL `me` and PATCH /me across both instances. Every answer must be a 2xx, and every
 * acknowledged write must be in the database afterwards. Then PgBouncer is restarted under the
 * same load: while it is down every request is a 503 with Retry-After (never a 500, never a hang),
 * both instances recover by themselves, and no acknowledged write is lost.
 *
 * Needs the PostgreSQL server (TEST_DATABASE_URL) and PgBouncer's binary (.ci/run installs it).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, gql, GENEROUS_RATE_LIMITS, NO_SMTP, signUp, usingServer, type SignedUp, type TestDatabase } from '../helpers.js';
import { PgBouncer, pgbouncerTests } from '../pgbouncer.js';
import { PROCESS_TEST_TIMEOUT_MS, startService, type ServiceProcess } from '../service-process.js';

const CLIENTS = 50;
const BURST_MS = 5_000;
/** Any single request taking longer than this counts as a hang. */
const REQUEST_BOUND_MS = 6_000;
const RECOVERY_BOUND_MS = 15_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  what: string;
  /** The phase (of the restart test) when it was sent. */
  phase?: string;
  status: number;
  ms: number;
  /** 503 + Retry-After + SERVICE_UNAVAILABLE: the proper answer while the database is away. */
  unavailable: boolean;
  detail: string;
}

interface Client {
  user: SignedUp;
  /** Bios sent, by sequence number, and the last one acknowledged. */
  sent: Set<string>;
  lastAcked: number;
}

async function call(url: string, init: RequestInit, ok: (status: number, body: any) => boolean): Promise<Outcome & { ok: boolean }> {
  const started = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_BOUND_MS + 4_000) });
    const text = await response.text();
    const body = text ? JSON.parse(text) : undefined;
    const code = body?.code ?? body?.errors?.[0]?.extensions?.code;
    return {
      what: `${init.method ?? 'GET'} ${new URL(url).pathname}`,
      status: response.status,
      ms: performance.now() - started,
      unavailable: response.status === 503 && response.headers.get('retry-after') === '5' && code === 'SERVICE_UNAVAILABLE',
      ok: response.status < 300 && ok(response.status, body),
      detail: text.slice(0, 200),
    };
  } catch (error) {
    return { what: url, status: 0, ms: performance.now() - started, unavailable: false, ok: false, detail: String(error) };
  }
}

/** One client: its own user, requests one after another, alternating instances, until `running()` is false. */
async function drive(client: Client, bases: string[], index: number, running: () => boolean, outcomes: Outcome[], phase = () => ''): Promise<void> {
  const auth = { authorization: `Bearer ${client.user.token}` };
  // At least one request of each kind, however slow the machine.
  for (let seq = 0; running() || seq < 3; seq += 1) {
    const sentIn = phase();
    const base = bases[(index + seq) % bases.length]!;
    let outcome: Outcome & { ok: boolean };
    switch (seq % 3) {
      case 0:
        outcome = await call(`${base}/me`, { headers: auth }, (_s, body) => body?.id === client.user.id);
        break;
      case 1:
        outcome = await call(
          `${base}/graphql`,
          { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query Me { me { id bio } }' }) },
          (_s, body) => body?.data?.me?.id === client.user.id,
        );
        break;
      default: {
        const bio = `c${index}-${seq}`;
        client.sent.add(bio);
        outcome = await call(
          `${base}/me`,
          { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ bio }) },
          (_s, body) => body?.bio === bio,
        );
        if (outcome.ok) client.lastAcked = seq;
      }
    }
    outcomes.push({ ...outcome, phase: sentIn });
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
};

/** Each client's stored bio: the last acknowledged one, or one sent after it (committed as the answer was lost). */
async function expectWritesKept(directUrl: string, clients: Client[], strict: boolean): Promise<void> {
  const db = new pg.Client({ connectionString: directUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string; bio: string | null }>('select id, bio from users where id = any($1::uuid[])', [clients.map((c) => c.user.id)]);
    const stored = new Map(rows.map((r) => [r.id, r.bio]));
    for (const [index, client] of clients.entries()) {
      expect(client.lastAcked, `client ${index} had no write acknowledged`).toBeGreaterThanOrEqual(0);
      const bio = stored.get(client.user.id) ?? '';
      if (strict) expect(bio, `client ${index}`).toBe(`c${index}-${client.lastAcked}`);
      expect(client.sent.has(bio), `client ${index}: stored bio ${bio} was never sent`).toBe(true);
      expect(Number(bio.split('-').at(-1))).toBeGreaterThanOrEqual(client.lastAcked);
    }
  } finally {
    await db.end();
  }
}

describe.runIf(usingServer && pgbouncerTests)('two instances through one PgBouncer (transaction mode, 4 server connections)', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let bouncer: PgBouncer;
  let testDb: TestDatabase;
  let directUrl: string;
  const instances: ServiceProcess[] = [];
  let bases: string[];
  let clients: Client[];

  beforeAll(async () => {
    bouncer = await PgBouncer.start({ poolSize: 4 });
    testDb = await createTestDatabase();
    directUrl = testDb.migrationUrl ?? testDb.databaseUrl!;
    const env = {
      NODE_ENV: 'production',
      SMTP_URL: NO_SMTP,
      LOG_LEVEL: 'error',
      DATABASE_URL: bouncer.url(directUrl),
      DATABASE_MIGRATION_URL: directUrl,
      ...GENEROUS_RATE_LIMITS,
    };
    // One migrates first; the other finds the schema current.
    instances.push(await startService(env));
    instances.push(await startService(env));
    bases = instances.map((i) => i.base);
    clients = [];
    for (let i = 0; i < CLIENTS; i += 1) clients.push({ user: await signUp(bases[i % 2]!, { name: `Load ${i}` }), sent: new Set(), lastAcked: -1 });
  }, PROCESS_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop('SIGKILL')));
    await testDb?.drop();
    await bouncer?.destroy();
  });

  it(`${CLIENTS} clients for ${BURST_MS / 1000} s: zero non-2xx, every acknowledged write present`, async () => {
    const outcomes: Outcome[] = [];
    const until = Date.now() + BURST_MS;
    const started = performance.now();
    await Promise.all(clients.map((client, i) => drive(client, bases, i, () => Date.now() < until, outcomes)));
    const seconds = (performance.now() - started) / 1000;

    const failed = outcomes.filter((o) => o.status < 200 || o.status >= 300);
    expect(failed, JSON.stringify(failed.slice(0, 5), null, 1)).toEqual([]);
    expect(outcomes.length).toBeGreaterThanOrEqual(CLIENTS * 3);
    await expectWritesKept(directUrl, clients, true);
    const writes = outcomes.filter((o) => o.what === 'PATCH /me').length;
    console.log(
      `pgbouncer-load: ${outcomes.length} requests in ${seconds.toFixed(1)} s (${(outcomes.length / seconds).toFixed(0)}/s) from ${CLIENTS} clients over 2 instances, 0 non-2xx; ` +
        `${writes} writes, all ${CLIENTS} users' last acknowledged bio stored; latency p50 ${percentile(outcomes.map((o) => o.ms), 50).toFixed(1)} ms, p99 ${percentile(outcomes.map((o) => o.ms), 99).toFixed(1)} ms`,
    );
  });

  it('PgBouncer restarted under load: 503 + Retry-After while it is down, recovery by itself, no acknowledged write lost', async () => {
    const outcomes: Outcome[] = [];
    let phase = 'before';
    let running = true;
    const load = clients.map((client, i) => drive(client, bases, i, () => running, outcomes, () => phase));
    await sleep(1_500);
    phase = 'down';
    await bouncer.stop('SIGTERM');
    await sleep(2_000);
    phase = 'starting';
    await bouncer.resume();
    const restarted = performance.now();
    // Each instance answers /readyz 200 and GET /me 200 again.
    let recoveredMs = -1;
    while (performance.now() - restarted < RECOVERY_BOUND_MS) {
      const answers = await Promise.all(
        bases.flatMap((base) => [
          fetch(`${base}/readyz`).then(async (r) => (await r.arrayBuffer(), r.status)),
          fetch(`${base}/me`, { headers: { authorization: `Bearer ${clients[0]!.user.token}` } }).then(async (r) => (await r.arrayBuffer(), r.status)),
        ]),
      );
      if (answers.every((s) => s === 200)) {
        recoveredMs = performance.now() - restarted;
        break;
      }
      await sleep(100);
    }
    expect(recoveredMs, `not recovered within ${RECOVERY_BOUND_MS} ms of PgBouncer starting again`).toBeGreaterThanOrEqual(0);
    await sleep(500);
    phase = 'after';
    await sleep(2_000);
    running = false;
    await Promise.all(load);

    // Whatever the phase: success or a proper 503, never anything else, never a hang.
    const improper = outcomes.filter((o) => !((o.status >= 200 && o.status < 300) || o.unavailable) || o.ms >= REQUEST_BOUND_MS);
    expect(improper, JSON.stringify(improper.slice(0, 5), null, 1)).toEqual([]);
    const down = outcomes.filter((o) => o.phase === 'down');
    expect(down.some((o) => o.unavailable)).toBe(true);
    // Once recovered, everything succeeds again.
    const after = outcomes.filter((o) => o.phase === 'after');
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((o) => o.status >= 300), JSON.stringify(after.filter((o) => o.status >= 300).slice(0, 5))).toEqual([]);
    await expectWritesKept(directUrl, clients, false);
    // Still through the pooler, with no named statement (a restarted PgBouncer knows none).
    const me = await gql(bases[0]!, '{ me { id } }', undefined, clients[0]!.user.token);
    expect(me.data?.me).toEqual({ id: clients[0]!.user.id });
    console.log(
      `pgbouncer-restart: ${outcomes.length} requests, none improper; while down ${down.length} (${down.filter((o) => o.unavailable).length} 503 + Retry-After), ` +
        `both instances ready and serving ${recoveredMs.toFixed(0)} ms after PgBouncer was back; slowest request ${Math.max(...outcomes.map((o) => o.ms)).toFixed(0)} ms`,
    );
  });
});
