/**
 * Nothing in the running program turns on Node's async-context promise hooks (AsyncLocalStorage,
 * which MikroORM uses at its first `em.transactional`; async_hooks): once on, every promise of
 * every request pays for them (7–20 µs a request, measured). The program runs with a probe that
 * reports their first use (test/async-context-probe.mjs) through start-up and migrations, purge
 * sweeps and requests on both transports.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gql, NO_SMTP, signUp, useServiceDatabase } from '../helpers.js';
import { PROCESS_TEST_TIMEOUT_MS, root } from '../service-process.js';

const PROBE = pathToFileURL(path.join(root, 'test/async-context-probe.mjs')).href;
const MARK = 'ASYNC-CONTEXT-ON';

const { testDb, startService } = useServiceDatabase();

describe('async-context promise hooks', () => {
  it('the probe sees AsyncLocalStorage when something uses it', () => {
    const { stderr, status } = spawnSync(process.execPath, ['--import', PROBE, '-e', "new (require('node:async_hooks').AsyncLocalStorage)().run(1, () => {})"], {
      encoding: 'utf8',
    });
    expect(status).toBe(0);
    expect(stderr).toContain(`${MARK} AsyncLocalStorage.run`);
  });

  it('stay off in the program: migrations, purge sweeps, REST and GraphQL requests', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
    const service = await startService({
      NODE_OPTIONS: `--import=${PROBE}`,
      NODE_ENV: 'production',
      SMTP_URL: NO_SMTP,
      LOG_LEVEL: 'warn',
      PURGE_INTERVAL: '1s',
      ACCOUNT_PURGE_AFTER: '0s',
      DATA_DIR: testDb.dataDir,
      ...(testDb.databaseUrl ? { DATABASE_URL: testDb.databaseUrl } : {}),
    });
    const user = await signUp(service.base);
    const auth = { authorization: `Bearer ${user.token}` };
    expect((await fetch(`${service.base}/me`, { headers: auth })).status).toBe(200);
    expect((await gql(service.base, '{ me { id activeSessions } }', undefined, user.token)).data).toMatchObject({ me: { id: user.id } });
    const patched = await fetch(`${service.base}/me`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: '{"bio":"x"}' });
    expect(patched.status).toBe(200);
    // A deleted account, for the purge worker's next sweeps to erase (in a transaction).
    const other = await signUp(service.base);
    expect((await fetch(`${service.base}/me`, { method: 'DELETE', headers: { authorization: `Bearer ${other.token}` } })).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await service.stop('SIGTERM')).toBe(0);
    expect(service.output()).not.toContain(MARK);
  });
});
