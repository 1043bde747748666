/**
 * The program (as production runs it) started without its database: it listens anyway, /healthz
 * 200, /readyz and every request that needs the database 503 with Retry-After, one log line that
 * says why (never a stack), and it serves by itself once the database appears. Behind PgBouncer
 * without DATABASE_MIGRATION_URL it does not migrate: /readyz says the schema is behind until
 * `npm run db:migrate` has run. A misconfiguration stays one line and exit 1.
 *
 * Needs the PostgreSQL server (TEST_DATABASE_URL); the PgBouncer cases need its binary too.
 */
import { spawn } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, NO_SMTP, PASSWORD, uniqueEmail, usingServer, useServiceDatabase } from '../helpers.js';
import { freePort, PgBouncer, pgbouncerTests } from '../pgbouncer.js';
import { failedStart, PROCESS_TEST_TIMEOUT_MS, root, TSX } from '../service-process.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Backoff reaches 10 s between attempts; a little over that to notice the database. */
const NOTICE_BOUND_MS = 25_000;
const production = { NODE_ENV: 'production', SMTP_URL: NO_SMTP, LOG_LEVEL: 'info' };

/** A port nothing listens on, until `open()` forwards it to `target`. */
async function lateProxy(targetPort: number): Promise<{ port: number; open(): Promise<void>; close(): Promise<void> }> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  return {
    port,
    async open() {
      server = createServer((client) => {
        const upstream = createConnection({ port: targetPort, host: '127.0.0.1' });
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => s.destroy());
          s.on('close', () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      for (const s of sockets) s.destroy();
      if (server) await new Promise((resolve) => server!.close(resolve));
    },
  };
}

async function get(url: string, token?: string): Promise<{ status: number; retryAfter: string | null; body: any }> {
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: text ? JSON.parse(text) : undefined };
}

async function until(check: () => Promise<boolean>, boundMs: number, what: string): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > boundMs) throw new Error(`${what}: not within ${boundMs} ms`);
    await sleep(200);
  }
  return performance.now() - started;
}

/** Lines of the log (JSON) that are about the database being unavailable. */
const databaseLines = (output: string) => output.split('\n').filter((line) => /"level":(40|50)/.test(line) && /DATABASE_URL|schema behind|database/i.test(line));

async function signUpStatus(base: string): Promise<number> {
  const response = await fetch(`${base}/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: uniqueEmail('late'), password: PASSWORD, name: 'Late' }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe.runIf(usingServer)('start-up without the database', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  const { testDb, startService } = useServiceDatabase();

  it('listens, answers 503 with Retry-After, logs one line, and serves once the database appears', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
    const direct = new URL(testDb.migrationUrl ?? testDb.databaseUrl!);
    const proxy = await lateProxy(Number(direct.port || 5432));
    try {
      const url = new URL(direct);
      url.hostname = '127.0.0.1';
      url.port = String(proxy.port);
      const service = await startService({ ...production, DATABASE_URL: url.toString() });
      const { base } = service;
      expect(service.output()).toMatch(/listening on .*PostgreSQL from DATABASE_URL: not available yet, retrying/);

      expect(await get(`${base}/healthz`)).toMatchObject({ status: 200 });
      expect(await get(`${base}/readyz`)).toEqual({ status: 503, retryAfter: '5', body: { status: 'unavailable', reason: 'database unreachable' } });
      const token = `pgw_${'A'.repeat(43)}`;
      const me = await get(`${base}/me`, token);
      expect(me).toMatchObject({ status: 503, retryAfter: '5', body: { code: 'SERVICE_UNAVAILABLE' } });
      const graphql = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      expect(graphql.status).toBe(503);
      expect(graphql.headers.get('retry-after')).toBe('5');
      expect(await signUpStatus(base)).toBe(503);
      // Each of the three is an error answered, whichever transport refused it.
      const metricsUrl = /Metrics:\s+(http:\/\/\S+)/.exec(service.output())?.[1];
      expect(metricsUrl, service.output()).toBeDefined();
      const scraped = await (await fetch(metricsUrl!)).text();
      expect(scraped).toMatch(/^errors_total\{code="SERVICE_UNAVAILABLE"\} 3$/m);

      // A few retries later: still the one line, naming the setting, with no stack.
      await sleep(2_000);
      const lines = databaseLines(service.output());
      expect(lines, service.output()).toHaveLength(1);
      expect(JSON.parse(lines[0]!).msg).toMatch(
        new RegExp(`^DATABASE_URL: PostgreSQL at 127.0.0.1:${proxy.port} cannot be reached \\(ECONNREFUSED\\); .*retrying with backoff$`),
      );
      expect(service.output()).not.toMatch(/^\s+at /m);
      expect(service.output()).not.toContain('"stack"');

      await proxy.open();
      const waited = await until(async () => (await get(`${base}/readyz`)).status === 200, NOTICE_BOUND_MS, '/readyz 200 after the database appeared');
      expect(await signUpStatus(base)).toBe(201);
      // The log is buffered (flushed every LOG_FLUSH_MS): wait for the line rather than expect it at once.
      await until(async () => /database connected; serving/.test(service.output()), 5_000, 'the "database connected; serving" log line');
      console.log(`startup-without-database: ready ${waited.toFixed(0)} ms after the database appeared`);
      expect(await service.stop()).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('a database that does not exist, or a role that does not: one line naming DATABASE_URL, exit 1', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
    const missingDb = new URL(testDb.migrationUrl ?? testDb.databaseUrl!);
    missingDb.pathname = '/pgw_no_such_database';
    const noDb = await failedStart({ ...production, DATABASE_URL: missingDb.toString() });
    expect(noDb.code, noDb.stderr).toBe(1);
    expect(noDb.stderr.trim()).toMatch(/^DATABASE_URL: database "pgw_no_such_database" does not exist \(at [^)]+\); create it, or fix the database name$/);
    const missingRole = new URL(testDb.migrationUrl ?? testDb.databaseUrl!);
    missingRole.username = 'pgw_no_such_role';
    const noRole = await failedStart({ ...production, DATABASE_URL: missingRole.toString() });
    expect(noRole.code, noRole.stderr).toBe(1);
    expect(noRole.stderr.trim()).toMatch(/^DATABASE_URL: .*pgw_no_such_role.*; check its user and password$/);
  });

  describe.runIf(pgbouncerTests)('behind PgBouncer', () => {
    let bouncer: PgBouncer;
    beforeAll(async () => {
      bouncer = await PgBouncer.start();
    });
    afterAll(async () => {
      await bouncer?.destroy();
    });

    it('a startup parameter it refuses: one line naming DATABASE_URL, exit 1', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
      const url = new URL(bouncer.url(testDb.migrationUrl ?? testDb.databaseUrl!));
      url.searchParams.set('options', '-c search_path=public');
      const result = await failedStart({ ...production, DATABASE_URL: url.toString() });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr.trim()).toMatch(/^DATABASE_URL: unsupported startup parameter: options \(at .*\); remove that parameter from DATABASE_URL, or list it in the pooler's ignore_startup_parameters$/);
    });

    it('without DATABASE_MIGRATION_URL: does not migrate, /readyz 503 saying why until npm run db:migrate, then serves', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
      const fresh = await createTestDatabase();
      try {
        const pooled = bouncer.url(fresh.migrationUrl ?? fresh.databaseUrl!);
        const service = await startService({ ...production, DATABASE_URL: pooled });
        const { base } = service;
        const ready = await get(`${base}/readyz`);
        expect(ready).toMatchObject({ status: 503, retryAfter: '5' });
        expect(ready.body.reason).toMatch(/^schema behind: 3 migration\(s\) pending .*run npm run db:migrate, or set DATABASE_MIGRATION_URL/);
        expect(await signUpStatus(base)).toBe(503);

        const migrate = spawn(process.execPath, ['--import', TSX, `${root}/src/db/migrate.ts`], {
          env: { PATH: process.env.PATH, HOME: process.env.HOME, TSX_TSCONFIG_PATH: `${root}/tsconfig.json`, DATABASE_URL: pooled },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        migrate.stdout.on('data', (chunk) => (out += chunk));
        migrate.stderr.on('data', (chunk) => (out += chunk));
        expect(await new Promise((resolve) => migrate.once('close', resolve)), out).toBe(0);
        expect(out).toMatch(/Migrations applied: Migration\d+_init/);

        await until(async () => (await get(`${base}/readyz`)).status === 200, NOTICE_BOUND_MS, '/readyz 200 after db:migrate');
        expect(await signUpStatus(base)).toBe(201);
        const lines = databaseLines(service.output());
        expect(lines, service.output()).toHaveLength(1);
        expect(JSON.parse(lines[0]!).msg).toMatch(/^schema behind: 3 migration\(s\) pending/);
        expect(await service.stop()).toBe(0);
      } finally {
        await fresh.drop();
      }
    });

    it('with DATABASE_MIGRATION_URL: migrates through it and serves through PgBouncer', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
      const fresh = await createTestDatabase();
      try {
        const directUrl = fresh.migrationUrl ?? fresh.databaseUrl!;
        const service = await startService({ ...production, DATABASE_URL: bouncer.url(directUrl), DATABASE_MIGRATION_URL: directUrl });
        expect(service.output()).toMatch(/listening on .*PostgreSQL from DATABASE_URL, through a pooler\)/);
        expect(await get(`${service.base}/readyz`)).toMatchObject({ status: 200 });
        expect(await signUpStatus(service.base)).toBe(201);
        expect(await service.stop()).toBe(0);
      } finally {
        await fresh.drop();
      }
    });
  });
});
