/**
 * `npm run db:migrate`: applies pending migrations through DATABASE_MIGRATION_URL when set, else
 * DATABASE_URL (or the embedded database). Through a pooler too: the migrations run in one
 * transaction, under that transaction's advisory lock, which transaction pooling keeps intact.
 */
import { ConfigError, loadConfig, readDotEnv } from '../config.js';
import { DataDirInUseError } from './data-dir-lock.js';
import { openDatabase } from './open.js';

try {
  readDotEnv();
  const config = loadConfig();
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    migrationUrl: config.databaseMigrationUrl,
    migrateThroughPooler: true,
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
