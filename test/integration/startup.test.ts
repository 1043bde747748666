/**
 * Start-up as a user meets it, with real processes: every failure the user can cause is one line
 * on stderr naming the setting, exit code 1, no stack trace; `.env` in the working directory is
 * read, real environment variables winning; `npm run db:migrate` reads it too.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedStart, PROCESS_TEST_TIMEOUT_MS, root, startService, TSX } from '../service-process.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'pgw-startup-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Exit 1, and stderr is exactly `line`-matching single line: no stack, no log noise. */
function expectOneLine(result: { code: number | null; stdout: string; stderr: string }, line: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(line);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stdout).not.toContain('listening on');
}

describe('start-up failures a user can cause', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let blocker: Server;
  let takenPort: number;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    takenPort = (blocker.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => blocker.close(resolve));
  });

  it('a taken port: one line naming PORT', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
    const result = await failedStart({ PORT: String(takenPort), DATA_DIR: path.join(work, 'port-taken') });
    expectOneLine(result, new RegExp(`^port ${takenPort} is in use; set PORT`));
  });

  it('a METRICS_HOST that is no address of this machine: one line naming METRICS_HOST', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
    // 192.0.2.1: TEST-NET-1, never assigned to a machine.
    const result = await failedStart({ METRICS_HOST: '192.0.2.1', DATA_DIR: path.join(work, 'metrics-host') });
    expectOneLine(result, /^METRICS_HOST 192\.0\.2\.1 is not an address of this machine; set METRICS_HOST/);
  });

  it('a bad value in a variable: one line naming it', async () => {
    expectOneLine(await failedStart({ SESSION_TTL: 'forever' }), /^SESSION_TTL must be a duration such as 30d, .*; got "forever"$/);
  });

  it('a malformed DATABASE_URL: one line naming it, the password never echoed', async () => {
    const result = await failedStart({ DATABASE_URL: 'postgres://user:s3cret%zz@db/app' });
    expectOneLine(result, /^DATABASE_URL has a malformed %-escape .*; expected postgres:\/\/user:password@host:5432\/database$/);
    expect(result.stderr).not.toContain('s3cret');
  });

  it('a DATA_DIR that cannot be a directory: one line naming DATA_DIR', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
    const file = path.join(work, 'a-file');
    await writeFile(file, 'not a directory');
    const result = await failedStart({ DATA_DIR: path.join(file, 'data') });
    expectOneLine(result, /^DATA_DIR \S+a-file\/data cannot be used: .*; set DATA_DIR/);
  });
});

describe('.env', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('is read from the working directory, and a real environment variable wins over it', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
    const cwd = await mkdtemp(path.join(work, 'dotenv-'));
    // PORT=1 would fail (privileged); the real PORT=0 that startService sets must win.
    await writeFile(path.join(cwd, '.env'), '# as .env.example says\nPORT=1\nDATA_DIR=from-dotenv\nLOG_LEVEL="warn"\n');
    const running = await startService({}, undefined, { cwd });
    try {
      expect(running.port).not.toBe(1);
      expect(running.output()).toContain(`embedded PostgreSQL in ${path.join(cwd, 'from-dotenv')}`);
      // LOG_LEVEL=warn from the file: no info-level "Server listening" log line.
      expect(running.output()).not.toMatch(/"level":30/);
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('a bad value in it is named like any other', async () => {
    const cwd = await mkdtemp(path.join(work, 'dotenv-bad-'));
    await writeFile(path.join(cwd, '.env'), 'SESSION_TTL=soon\n');
    expectOneLine(await failedStart({}, { cwd }), /^SESSION_TTL must be a duration .*got "soon"$/);
  });

  it('npm run db:migrate reads it too', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
    const cwd = await mkdtemp(path.join(work, 'dotenv-migrate-'));
    await writeFile(path.join(cwd, '.env'), 'DATA_DIR=migrated\n');
    const child = spawn(process.execPath, ['--import', TSX, path.join(root, 'src/db/migrate.ts')], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code, out).toBe(0);
    expect(out).toMatch(/Migrations applied: Migration\d+_init/);
    expect(existsSync(path.join(cwd, 'migrated', 'PG_VERSION'))).toBe(true);
  });
});

describe('METRICS_HOST', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('serves /metrics on that address only, while the API stays on HOST', async () => {
    const running = await startService({ HOST: '127.0.0.1', METRICS_HOST: '127.0.0.2', DATA_DIR: path.join(work, 'metrics-elsewhere'), LOG_LEVEL: 'warn' });
    try {
      const metricsUrl = /Metrics:\s+(http:\/\/\S+)/.exec(running.output())?.[1];
      expect(metricsUrl, running.output()).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/metrics$/);
      expect((await fetch(metricsUrl!)).status).toBe(200);
      const onHost = new URL(metricsUrl!);
      onHost.hostname = '127.0.0.1';
      await expect(fetch(onHost)).rejects.toThrow();
      expect((await fetch(`${running.base}/healthz`)).status).toBe(200);
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });
});
