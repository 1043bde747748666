import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { AccountPurge, Session, User, UserEmail } from './entities/index.js';
import { migrationsList } from './migrations/index.js';

export interface DatabaseOptions {
  /** Unset: embedded PGlite under dataDir. */
  databaseUrl?: string | undefined;
  dataDir: string;
  poolMax: number;
  timeouts?: Partial<DatabaseTimeouts>;
  debug?: boolean;
}

export interface DatabaseTimeouts {
  /** Connecting to the server, and waiting for a connection of the pool (DB_CONNECT_TIMEOUT). */
  connectTimeoutMs: number;
  /** PostgreSQL's statement_timeout (DB_STATEMENT_TIMEOUT). */
  statementTimeoutMs: number;
}

export const DEFAULT_DB_TIMEOUTS: DatabaseTimeouts = { connectTimeoutMs: 3_000, statementTimeoutMs: 10_000 };

/** A transaction left idle this long (a stuck request) is ended by the server, its locks freed. */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 15_000;

/**
 * The embedded database's one connection is a queue, not a server that can be down: waiting
 * for it is bounded generously, so a burst of requests is served rather than turned away.
 */
const EMBEDDED_ACQUIRE_TIMEOUT_MS = 10_000;

export interface Database {
  orm: MikroORM;
  embedded: boolean;
  close(): Promise<void>;
}

type PgConnection = { query(sql: string, callback: (error: Error | null) => void): void };

/**
 * PGlite is one PostgreSQL session shared by every socket connection, so a new connection finds
 * the named statements of the one it replaced: forget them, or preparing them again fails.
 */
function forgetPreparedStatements(connection: PgConnection, done: (error: Error | null, connection: PgConnection) => void): void {
  connection.query('deallocate all', (error) => done(error, connection));
}

export function ormOptions(
  clientUrl: string,
  poolMax: number,
  overrides: Options = {},
  embedded = false,
  timeouts: DatabaseTimeouts = DEFAULT_DB_TIMEOUTS,
): Options {
  return {
    clientUrl,
    entities: [User, UserEmail, Session, AccountPurge],
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    pool: { min: 0, max: poolMax, idleTimeoutMillis: 30_000, ...(embedded ? { afterCreate: forgetPreparedStatements } : {}) },
    // Bounded waits everywhere: a dead database gives errors fast (503s), never a hung request.
    // A refused connection fails at once; a server that does not answer, within the timeout.
    driverOptions: {
      acquireConnectionTimeout: embedded ? Math.max(EMBEDDED_ACQUIRE_TIMEOUT_MS, timeouts.connectTimeoutMs) : timeouts.connectTimeoutMs,
      connection: {
        connectionTimeoutMillis: timeouts.connectTimeoutMs,
        statement_timeout: timeouts.statementTimeoutMs,
        idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
        application_name: 'profile-gateway',
      },
    },
    discovery: { warnWhenNoEntities: true },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    ...overrides,
  };
}

/** Any fixed number, the same in every instance: the key of the migration lock. */
const MIGRATION_LOCK_KEY = 0x70677731;

/**
 * Applies pending migrations. On a shared server, instances starting together take turns under
 * an advisory lock held on a connection of its own, so each migration runs exactly once.
 */
async function migrate(orm: MikroORM, shared: boolean): Promise<void> {
  if (!shared) {
    await orm.getMigrator().up();
    return;
  }
  const client = orm.em.getConnection().getKnex().client;
  const connection = await client.acquireConnection();
  try {
    await connection.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await orm.getMigrator().up();
    } finally {
      await connection.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.releaseConnection(connection);
  }
}

/** Opens the database (embedded or real), applies pending migrations, and returns the ORM. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  // Loaded only when used: PGlite costs ~40 MB of memory just by being imported.
  const embedded = options.databaseUrl ? undefined : await (await import('./embedded.js')).startEmbeddedDatabase(options.dataDir);
  const clientUrl = options.databaseUrl ?? embedded!.clientUrl;
  let orm: MikroORM;
  try {
    orm = await MikroORM.init(
      ormOptions(clientUrl, embedded ? 1 : options.poolMax, { debug: options.debug ?? false }, Boolean(embedded), {
        ...DEFAULT_DB_TIMEOUTS,
        ...options.timeouts,
      }),
    );
    await migrate(orm, !embedded);
  } catch (error) {
    await embedded?.close();
    throw error;
  }
  return {
    orm,
    embedded: Boolean(embedded),
    async close() {
      await orm.close(true);
      await embedded?.close();
    },
  };
}
