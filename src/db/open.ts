/**
 * Opening the database: the embedded one, or a server reached directly or through a pooler
 * (PgBouncer in transaction mode). For a server, one probe connection says which it is (a pooler
 * answers with a process id of its own, not the backend's), then migrations run where that is safe,
 * then the pool opens. Until then, with `retry`, every statement fails at once (a 503) and the probe
 * is tried again with backoff: an instance starts without its database and serves once it can.
 */
import pg from 'pg';
import { Database, type DatabaseTimeouts } from './database.js';
import { isDatabaseUnavailable } from './errors.js';
import { MIGRATION_NAMES } from './migrations/names.js';

export interface DatabaseOptions {
  /** Unset: embedded PGlite under dataDir. */
  databaseUrl?: string | undefined;
  /** DATABASE_MIGRATION_URL: a direct connection for migrations, when DATABASE_URL leads to a pooler. */
  migrationUrl?: string | undefined;
  dataDir: string;
  poolMax: number;
  timeouts: DatabaseTimeouts;
  /** DB_PREPARED_STATEMENTS: 'auto' (the default) uses them unless a pooler is in front. */
  preparedStatements?: boolean | 'auto';
  /**
   * Migrate through DATABASE_URL even when it leads to a pooler (`npm run db:migrate`: the lock is
   * the migrations' own transaction's, which a pooler keeps on one server connection).
   */
  migrateThroughPooler?: boolean;
  onIdleError?: (error: Error) => void;
  /**
   * Keep trying in the background when the server cannot be reached or its schema is behind, and
   * return at once (main.ts). Unset: the first failure is thrown (tests, `npm run db:migrate`).
   */
  retry?: RetryOptions;
}

export interface RetryOptions {
  /** Told each new reason the database cannot be used yet (once per reason, not per attempt). */
  waiting(reason: string, error: unknown): void;
  /** First wait between attempts; it doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface OpenedDatabase {
  database: Database;
  embedded: boolean;
  /** The names of the applied migrations (empty until ready). */
  migrations: string[];
  /** Resolves once statements can run: connected, and the schema current. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Thrown without `retry` when a pooler is in front, nothing may migrate, and the schema is behind. */
export class SchemaBehindError extends Error {
  override name = 'SchemaBehindError';
  constructor(readonly pending: string[]) {
    super(schemaBehind(pending));
  }
}

function schemaBehind(pending: string[]): string {
  return `schema behind: ${pending.length} migration(s) pending (${pending.join(', ')}); DATABASE_URL leads to a pooler, so this instance does not migrate: run npm run db:migrate, or set DATABASE_MIGRATION_URL to a direct connection`;
}

/** MikroORM (orm.ts), loaded only to migrate: ~30 MB of memory an instance otherwise never needs. */
async function migrate(clientUrl: string, options: { shared: boolean }): Promise<string[]> {
  return (await import('./orm.js')).migrate(clientUrl, options);
}

/** Opens the database (embedded or real), applies pending migrations, and returns the pool. */
export async function openDatabase(options: DatabaseOptions): Promise<OpenedDatabase> {
  if (!options.databaseUrl) return openEmbedded(options);
  const url = options.databaseUrl;
  const database = new Database({
    clientUrl: url,
    max: options.poolMax,
    timeouts: options.timeouts,
    embedded: false,
    waitingFor: 'connecting',
    onIdleError: options.onIdleError,
  });
  const opened: OpenedDatabase = { database, embedded: false, migrations: [], ready: Promise.resolve(), close: () => database.close() };

  /** One try: undefined once the pool is open, else the migrations the schema lacks. */
  const attempt = async (): Promise<string[] | undefined> => {
    const server = await probe(url, options.timeouts.connectTimeoutMs);
    const migrationUrl = options.migrationUrl ?? (!server.pooled || options.migrateThroughPooler ? url : undefined);
    // The migrations this build needs; a schema without one of them is behind.
    const pending = MIGRATION_NAMES.filter((name) => !server.applied.includes(name));
    if (pending.length === 0) {
      // Current already (a restart, or another instance migrated): MikroORM is never loaded.
      opened.migrations = server.applied;
    } else if (migrationUrl) {
      opened.migrations = await migrate(migrationUrl, { shared: true });
    } else {
      return pending;
    }
    const prepared = options.preparedStatements ?? 'auto';
    database.connect({ pooled: server.pooled, preparedStatements: prepared === 'auto' ? undefined : prepared });
    return undefined;
  };

  const first = await attempt().catch((error: unknown) => {
    if (!options.retry || !isDatabaseUnavailable(error)) throw error;
    return { error };
  });
  if (first === undefined) return opened;
  if (!options.retry) throw new SchemaBehindError(first as string[]);

  const retry = options.retry;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });
  let told: string | undefined;
  const tell = (reason: string, error: unknown) => {
    database.waitingFor = reason;
    if (reason !== told) retry.waiting(reason, error);
    told = reason;
  };
  const describe = (error: unknown) => (isDatabaseUnavailable(error) ? 'database unreachable' : `database refused: ${error instanceof Error ? error.message : String(error)}`);
  if (Array.isArray(first)) tell(schemaBehind(first), undefined);
  else tell(describe(first.error), first.error);

  opened.ready = (async () => {
    let delay = retry.initialDelayMs ?? 500;
    while (!closed) {
      await sleep(delay);
      if (closed) break;
      delay = Math.min(delay * 2, retry.maxDelayMs ?? 10_000);
      try {
        const pending = await attempt();
        if (pending === undefined) return;
        tell(schemaBehind(pending), undefined);
      } catch (error) {
        tell(describe(error), error);
      }
    }
    // Closed before it could connect: never ready.
    await new Promise(() => undefined);
  })();
  opened.close = async () => {
    closed = true;
    clearTimeout(timer);
    wake?.();
    await database.close();
  };
  return opened;
}

async function openEmbedded(options: DatabaseOptions): Promise<OpenedDatabase> {
  // Loaded only when used: PGlite costs ~40 MB of memory just by being imported.
  const embedded = await (await import('./embedded.js')).startEmbeddedDatabase(options.dataDir);
  let migrations: string[];
  try {
    migrations = await migrate(embedded.clientUrl, { shared: false });
  } catch (error) {
    await embedded.close();
    throw error;
  }
  const database = new Database({
    clientUrl: embedded.clientUrl,
    max: options.poolMax,
    timeouts: options.timeouts,
    embedded: true,
    onIdleError: options.onIdleError,
  });
  return {
    database,
    embedded: true,
    migrations,
    ready: Promise.resolve(),
    async close() {
      await database.close();
      await embedded.close();
    },
  };
}

/**
 * One connection without startup parameters (a pooler may refuse them): whether a pooler is in
 * front, and which migrations the schema has. PostgreSQL's BackendKeyData names the backend's
 * process; a pooler (PgBouncer, and any that can route a cancel request) sends a key of its own,
 * so the two differ. A plain TCP proxy or a mapped port changes nothing: they count as direct.
 */
export async function probe(url: string, connectTimeoutMs: number): Promise<{ pooled: boolean; applied: string[] }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs, application_name: 'profile-gateway' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ pid: number; migrated: boolean }>(
      "select pg_backend_pid() as pid, to_regclass('mikro_orm_migrations') is not null as migrated",
    );
    const processId = (client as unknown as { processID: number | null }).processID;
    const applied = rows[0]!.migrated ? (await client.query<{ name: string }>('select name from mikro_orm_migrations order by id')).rows.map((r) => r.name) : [];
    return { pooled: rows[0]!.pid !== processId, applied };
  } finally {
    await client.end().catch(() => undefined);
  }
}
