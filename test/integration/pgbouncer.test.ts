/**
 * The service through PgBouncer 1.18+ in transaction mode with its default settings (a pool of 4
 * server connections), on databases created directly on the test server (TEST_DATABASE_URL):
 * a pooler is recognised (and a plain TCP proxy is not), no startup parameter it refuses is sent,
 * named prepared statements are off behind it (DB_PREPARED_STATEMENTS), the timeouts still hold,
 * and migrations go where they are safe (DATABASE_MIGRATION_URL, `npm run db:migrate`), the
 * instance waiting with /readyz 503 until its schema is current.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isDatabaseUnavailable } from '../../src/db/errors.js';
import { migrationsList } from '../../src/db/migrations/index.js';
import { openDatabase, probe, SchemaBehindError, type OpenedDatabase } from '../../src/db/open.js';
import { createTestDatabase, gql, signUp, startTestApp, usingServer, type TestApp, type TestDatabase } from '../helpers.js';
import { PgBouncer, pgbouncerTests, warnIfSkipped } from '../pgbouncer.js';

const ALL_MIGRATIONS = migrationsList.map((m) => m.name);
const timeouts = { connectTimeoutMs: 3_000, statementTimeoutMs: 1_000 };
const enabled = usingServer && pgbouncerTests;
if (usingServer) warnIfSkipped('test/integration/pgbouncer.test.ts');

/** A TCP proxy that forwards every connection to `port`: something between, but no pooler. */
async function tcpProxy(port: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ port, host: '127.0.0.1' });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.runIf(enabled)('through PgBouncer in transaction mode', () => {
  let bouncer: PgBouncer;
  let testDb: TestDatabase;
  /** The test database through PgBouncer, and directly. */
  let pooledUrl: string;
  let directUrl: string;
  beforeAll(async () => {
    bouncer = await PgBouncer.start();
    testDb = await createTestDatabase();
    directUrl = testDb.migrationUrl ?? testDb.databaseUrl!;
    pooledUrl = bouncer.url(directUrl);
  });
  afterAll(async () => {
    await testDb?.drop();
    await bouncer?.destroy();
  });

  it('recognises the pooler, and a direct connection even through a TCP proxy', async () => {
    expect((await probe(pooledUrl, 3_000)).pooled).toBe(true);
    expect((await probe(directUrl, 3_000)).pooled).toBe(false);
    const proxy = await tcpProxy(Number(new URL(directUrl).port || 5432));
    try {
      const proxied = new URL(directUrl);
      proxied.port = String(proxy.port);
      expect((await probe(proxied.toString(), 3_000)).pooled).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it('sends no startup parameter PgBouncer refuses (the service as it was would not even connect)', async () => {
    const refused = new pg.Client({ connectionString: pooledUrl, statement_timeout: 1000 } as pg.ClientConfig);
    await expect(refused.connect()).rejects.toThrow(/unsupported startup parameter: statement_timeout/);
    await refused.end().catch(() => undefined);
  });

  describe('a fresh database, no DATABASE_MIGRATION_URL', () => {
    let fresh: TestDatabase;
    beforeAll(async () => {
      fresh = await createTestDatabase();
    });
    afterAll(async () => {
      await fresh?.drop();
    });

    it('is not migrated through the pooler: without retry, SchemaBehindError names the way; with it, statements and /readyz wait, then serve', async () => {
      const url = bouncer.url(fresh.migrationUrl ?? fresh.databaseUrl!);
      const options = { databaseUrl: url, dataDir: fresh.dataDir, poolMax: 2, timeouts };
      const error = await openDatabase(options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SchemaBehindError);
      expect((error as Error).message).toMatch(/3 migration\(s\) pending .*run npm run db:migrate, or set DATABASE_MIGRATION_URL/);

      const reasons: string[] = [];
      const waiting = await openDatabase({ ...options, retry: { waiting: (reason) => reasons.push(reason), initialDelayMs: 100, maxDelayMs: 200 } });
      try {
        expect(waiting.database.waitingFor).toMatch(/^schema behind/);
        const failed = await waiting.database.query('select 1').catch((e: unknown) => e);
        expect(isDatabaseUnavailable(failed)).toBe(true);
        // `npm run db:migrate`'s way: through the pooler, under the migrations' transaction lock.
        const migrated = await Promise.all([1, 2].map(() => openDatabase({ ...options, migrateThroughPooler: true })));
        for (const m of migrated) expect(m.migrations).toEqual(ALL_MIGRATIONS);
        await Promise.all(migrated.map((m) => m.close()));
        await waiting.ready;
        expect(waiting.database.waitingFor).toBeUndefined();
        expect(waiting.migrations).toEqual(ALL_MIGRATIONS);
        expect(await waiting.database.query('select count(*)::int as n from mikro_orm_migrations')).toEqual([{ n: ALL_MIGRATIONS.length }]);
        // Told once, not at every attempt.
        expect(reasons).toHaveLength(1);
        // No advisory lock left behind on any server connection.
        const direct = new pg.Client({ connectionString: directUrl });
        await direct.connect();
        expect((await direct.query("select count(*)::int as n from pg_locks where locktype = 'advisory'")).rows).toEqual([{ n: 0 }]);
        await direct.end();
      } finally {
        await waiting.close();
      }
    });
  });

  describe('the app', () => {
    let t: TestApp;
    let db: OpenedDatabase;
    beforeAll(async () => {
      // DATABASE_URL through PgBouncer, DATABASE_MIGRATION_URL direct.
      t = await startTestApp({ DB_STATEMENT_TIMEOUT: '1s' }, { ...testDb, databaseUrl: pooledUrl, migrationUrl: directUrl });
      db = t.db;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('runs without named prepared statements, and serves every kind of request', async () => {
      expect(db.database.mode).toEqual({ pooled: true, preparedStatements: false });
      expect(db.migrations).toEqual(ALL_MIGRATIONS);
      const ada = await signUp(t.url, { name: 'Ada' });
      for (let i = 0; i < 20; i += 1) {
        const me = await gql(t.url, '{ me { id name activeSessions } }', undefined, ada.token);
        expect(me.data?.me).toMatchObject({ id: ada.id, activeSessions: 1 });
        const patched = await fetch(`${t.url}/me`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${ada.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ bio: `bio ${i}` }),
        });
        expect(patched.status).toBe(200);
      }
      expect((await (await fetch(`${t.url}/readyz`)).json()) as unknown).toEqual({ status: 'ok' });
    });

    it('cancels a statement over DB_STATEMENT_TIMEOUT, alone or in a transaction, as a retryable error; the connection stays usable', async () => {
      const started = performance.now();
      let lent: unknown;
      db.database.pool.once('acquire', (client) => (lent = client));
      const removed = new Promise((resolve) => db.database.pool.once('remove', resolve));
      const alone = await db.database.query('select pg_sleep(5)').catch((e: unknown) => e);
      expect((alone as { code?: string }).code).toBe('57014');
      expect(isDatabaseUnavailable(alone)).toBe(true);
      // A late cancel must never reach another request's statement: the connection it was sent on is retired.
      const notRemoved = new Promise((resolve) => setTimeout(resolve, 2_000, 'still in the pool'));
      expect(await Promise.race([removed, notRemoved])).toBe(lent);
      const inTx = await db.database.transaction((tx) => tx.query('select pg_sleep(5)')).catch((e: unknown) => e);
      expect((inTx as { code?: string }).code).toBe('57014');
      expect(performance.now() - started).toBeLessThan(4_000);
      // The transaction's timeouts are its own (set local), and leave the server connection as it was.
      const inside = await db.database.transaction((tx) => tx.query<{ s: string; i: string }>('select current_setting(\'statement_timeout\') as s, current_setting(\'idle_in_transaction_session_timeout\') as i'));
      expect(inside).toEqual([{ s: '1s', i: '15s' }]);
      const outside = await db.database.query<{ s: string }>("select current_setting('statement_timeout') as s");
      expect(outside).toEqual([{ s: '0' }]);
      expect(await db.database.query('select 1 as one')).toEqual([{ one: 1 }]);
    });

    it('more concurrent transactions than PgBouncer has server connections: all succeed', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => db.database.transaction(async (tx) => (await tx.query<{ n: number }>('select $1::int as n, pg_sleep(0.05)', [i]))[0]!.n)),
      );
      expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    });
  });

  it('DB_PREPARED_STATEMENTS: auto means on for a direct connection, and false turns them off there', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DB_PREPARED_STATEMENTS: 'false' });
    const open = (preparedStatements: boolean | 'auto') => openDatabase({ databaseUrl: directUrl, dataDir: testDb.dataDir, poolMax: 2, timeouts, preparedStatements });
    const auto = await open('auto');
    const off = await open(config.dbPreparedStatements);
    try {
      expect(auto.database.mode).toEqual({ pooled: false, preparedStatements: true });
      expect(off.database.mode).toEqual({ pooled: false, preparedStatements: false });
      const named = "select count(*)::int as n from pg_prepared_statements where name like 'pgw_%'";
      await auto.database.query({ name: 'pgw_probe_named', text: 'select 1' });
      await off.database.query({ name: 'pgw_probe_unnamed', text: 'select 1' });
      // Each pool has one connection: what it prepared is visible on it.
      expect(await auto.database.query(named)).toEqual([{ n: 1 }]);
      expect(await off.database.query(named)).toEqual([{ n: 0 }]);
    } finally {
      await auto.close();
      await off.close();
    }
  });
});
