/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database). */
import { ConfigError, loadConfig, readDotEnv } from '../config.js';
import { DataDirInUseError } from './data-dir-lock.js';
import { openDatabase } from './open.js';

try {
  readDotEnv();
  const config = loadConfig();
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: 1,
    timeouts: { connectTimeoutMs: config.dbConnectTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs },
  });
  console.log(`Migrations applied: ${db.migrations.join(', ') || 'none'}`);
  await db.close();
} catch (error) {
  // A setting to fix is one line; anything else keeps its stack.
  if (!(error instanceof ConfigError || error instanceof DataDirInUseError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
