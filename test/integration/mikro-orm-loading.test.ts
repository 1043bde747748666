/**
 * MikroORM is loaded only to migrate (src/db/open.ts): an instance that starts on a current schema
 * (a restart, every instance after the one that migrated) never loads it, and is ~20 MB smaller
 * for it. The program runs with a probe (test/mikro-orm-probe.mjs) that reports its first load.
 *
 * Needs the PostgreSQL server (TEST_DATABASE_URL): the embedded database is migrated at every start.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NO_SMTP, PASSWORD, uniqueEmail, usingServer, useServiceDatabase } from '../helpers.js';
import { PROCESS_TEST_TIMEOUT_MS, root } from '../service-process.js';

const PROBE = pathToFileURL(path.join(root, 'test/mikro-orm-probe.mjs')).href;
const MARK = 'MIKRO-ORM-LOADED';

describe.runIf(usingServer)('MikroORM', () => {
  const { testDb, startService } = useServiceDatabase();

  it('is loaded by the start that migrates, and not by one on a current schema', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
    const env = { NODE_OPTIONS: `--import=${PROBE}`, NODE_ENV: 'production', SMTP_URL: NO_SMTP, LOG_LEVEL: 'warn', DATA_DIR: testDb.dataDir, DATABASE_URL: testDb.databaseUrl! };
    const migrating = await startService(env);
    expect((await fetch(`${migrating.base}/readyz`)).status).toBe(200);
    expect(await migrating.stop()).toBe(0);
    // The probe works: the migrating start loaded it.
    expect(migrating.output()).toContain(MARK);

    const current = await startService(env);
    expect((await fetch(`${current.base}/readyz`)).status).toBe(200);
    const signUp = await fetch(`${current.base}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail('orm'), password: PASSWORD, name: 'Orm' }),
    });
    expect(signUp.status).toBe(201);
    expect(await current.stop()).toBe(0);
    expect(current.output()).not.toContain(MARK);
  });
});
