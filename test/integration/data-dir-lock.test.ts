/**
 * One process per embedded data directory, with real processes: a second `npm start` (or
 * `npm run db:migrate`) on a DATA_DIR in use refuses with one line naming it; a lock left by a
 * SIGKILLed process is taken over, with every acknowledged write still there. Embedded only: with
 * DATABASE_URL there is no data directory (the server run skips this file).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, signUp, usingServer } from '../helpers.js';
import { failedStart, PROCESS_TEST_TIMEOUT_MS, root, startService, TSX, type ServiceProcess } from '../service-process.js';

const ENV = { LOG_LEVEL: 'warn', NODE_ENV: 'development' };

describe.skipIf(usingServer)('one process per DATA_DIR', () => {
  let dataDir: string;
  let first: ServiceProcess | undefined;
  let second: ServiceProcess | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'pgw-lock-'));
  });
  afterAll(async () => {
    await first?.stop('SIGKILL');
    await second?.stop('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  let user: Awaited<ReturnType<typeof signUp>>;

  it('a second start on a DATA_DIR in use refuses with one line naming it; the first goes on', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
    first = await startService({ ...ENV, DATA_DIR: dataDir });
    user = await signUp(first.base);

    const refused = await failedStart({ ...ENV, DATA_DIR: dataDir });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([
      `DATA_DIR ${dataDir} is in use by another profile-gateway process (pid ${first.child.pid}): one process per embedded database; stop that one, or set DATA_DIR to another directory`,
    ]);
    expect(refused.stdout).not.toContain('listening on');

    // The first is untouched: still serving, its data intact.
    expect((await fetch(`${first.base}/readyz`)).status).toBe(200);
    expect((await gql(first.base, '{ me { id } }', undefined, user.token)).data?.me).toEqual({ id: user.id });
  });

  it('so does npm run db:migrate', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
    const child = spawn(process.execPath, ['--import', TSX, path.join(root, 'src/db/migrate.ts')], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code).toBe(1);
    expect(err.trim()).toMatch(new RegExp(`^DATA_DIR ${dataDir} is in use by another profile-gateway process \\(pid ${first!.child.pid}\\)`));
  });

  it('a lock left by a SIGKILLed process is taken over, and every acknowledged write is there', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
    const later = await signUp(first!.base);
    expect(await first!.stop('SIGKILL')).toBeNull();
    first = undefined;

    second = await startService({ ...ENV, DATA_DIR: dataDir });
    for (const someone of [user, later]) {
      expect((await gql(second.base, '{ me { id } }', undefined, someone.token)).data?.me).toEqual({ id: someone.id });
    }
    // And it holds the directory now.
    const refused = await failedStart({ ...ENV, DATA_DIR: dataDir });
    expect(refused.stderr).toContain(`(pid ${second.child.pid})`);
    expect(await second.stop()).toBe(0);
    second = undefined;
  });
});
