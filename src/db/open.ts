import { Database, type DatabaseTimeouts } from './database.js';
import { migrate } from './orm.js';

export interface DatabaseOptions {
  /** Unset: embedded PGlite under dataDir. */
  databaseUrl?: string | undefined;
  dataDir: string;
  poolMax: number;
  timeouts: DatabaseTimeouts;
  onIdleError?: (error: Error) => void;
}

export interface OpenedDatabase {
  database: Database;
  embedded: boolean;
  /** The names of the applied migrations. */
  migrations: string[];
  close(): Promise<void>;
}

/** Opens the database (embedded or real), applies pending migrations, and returns the pool. */
export async function openDatabase(options: DatabaseOptions): Promise<OpenedDatabase> {
  // Loaded only when used: PGlite costs ~40 MB of memory just by being imported.
  const embedded = options.databaseUrl ? undefined : await (await import('./embedded.js')).startEmbeddedDatabase(options.dataDir);
  const clientUrl = options.databaseUrl ?? embedded!.clientUrl;
  let migrations: string[];
  try {
    migrations = await migrate(clientUrl, { shared: !embedded });
  } catch (error) {
    await embedded?.close();
    throw error;
  }
  const database = new Database({
    clientUrl,
    max: options.poolMax,
    timeouts: options.timeouts,
    embedded: Boolean(embedded),
    onIdleError: options.onIdleError,
  });
  return {
    database,
    embedded: Boolean(embedded),
    migrations,
    async close() {
      await database.close();
      await embedded?.close();
    },
  };
}
