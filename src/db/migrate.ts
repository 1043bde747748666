/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database). */
import { loadConfig } from '../config.js';
import { openDatabase } from './orm.js';

const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: 1 });
const executed = await db.orm.getMigrator().getExecutedMigrations();
console.log(`Migrations applied: ${executed.map((m) => m.name).join(', ') || 'none'}`);
await db.close();
