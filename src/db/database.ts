/**
 * The one way the service runs SQL: a plain `pg` pool, and transactions on one of its connections.
 * Repositories (users.ts, sessions.ts, …) own the statements and take an optional `Tx`; with one,
 * the statement runs inside that transaction, without one, on any pooled connection.
 *
 * MikroORM defines the schema (entities/) and applies the migrations (migrator.ts); requests do not
 * go through its EntityManager: per lookup it costs several times the statement (STYLE.md), knex's
 * pool adds 11–43 µs a query, and its first `transactional` turns on AsyncLocalStorage promise
 * hooks that tax every promise of every request afterwards.
 */
import pg from 'pg';
import { isDatabaseUnavailable } from './errors.js';

/** A statement with a stable name: prepared once per connection where that is safe. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

/** Names a statement; `text` uses `$1`, `$2`, … placeholders. */
export function statement(name: string, text: string): Statement {
  return { name: `pgw_${name}`, text };
}

type Row = Record<string, unknown>;

export interface DatabaseTimeouts {
  /** Connecting to the server, and waiting for a pooled connection (DB_CONNECT_TIMEOUT). */
  connectTimeoutMs: number;
  /** PostgreSQL's statement_timeout (DB_STATEMENT_TIMEOUT). */
  statementTimeoutMs: number;
}

export interface PoolOptions {
  clientUrl: string;
  max: number;
  timeouts: DatabaseTimeouts;
  /** The embedded database: one session behind every connection, a queue rather than a server. */
  embedded: boolean;
  /** Named prepared statements; off where connections are shared between clients (a pooler). */
  preparedStatements?: boolean;
  /** Told about errors of idle connections (a restarted server), which would otherwise crash. */
  onIdleError?: (error: Error) => void;
}

/** A transaction left idle this long (a stuck request) is ended by the server, its locks freed. */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 15_000;

/**
 * The embedded database's one connection is a queue, not a server that can be down: waiting for
 * it is bounded generously, so a burst of requests is served rather than turned away.
 */
const EMBEDDED_ACQUIRE_TIMEOUT_MS = 10_000;

/** A transaction: statements on the one connection that holds it. */
export class Tx {
  private savepoints = 0;
  /** @internal Run by Database.transaction once the commit has succeeded. */
  readonly committed: (() => void)[] = [];

  constructor(
    private readonly client: pg.PoolClient,
    private readonly database: Database,
  ) {}

  query<R = Row>(sql: Statement | string, values: unknown[] = []): Promise<R[]> {
    return this.database.run<R>(this.client, sql, values);
  }

  /** Calls `fn` once this transaction has committed (never if it rolls back), e.g. to wake a worker. */
  afterCommit(fn: () => void): void {
    this.committed.push(fn);
  }

  /** Runs `fn` under a savepoint: its failure undoes only its own statements. */
  async savepoint<T>(fn: () => Promise<T>): Promise<T> {
    const name = `s${++this.savepoints}`;
    await this.client.query(`savepoint ${name}`);
    try {
      const result = await fn();
      await this.client.query(`release savepoint ${name}`);
      return result;
    } catch (error) {
      await this.client.query(`rollback to savepoint ${name}`);
      throw error;
    }
  }
}

export class Database {
  readonly pool: pg.Pool;
  private readonly prepared: boolean;

  constructor(private readonly options: PoolOptions) {
    const { timeouts, embedded } = options;
    this.prepared = options.preparedStatements ?? true;
    this.pool = new pg.Pool({
      connectionString: options.clientUrl,
      max: embedded ? 1 : options.max,
      idleTimeoutMillis: 30_000,
      // Bounded waits everywhere: a dead database gives errors fast (503s), never a hung request.
      connectionTimeoutMillis: embedded ? Math.max(EMBEDDED_ACQUIRE_TIMEOUT_MS, timeouts.connectTimeoutMs) : timeouts.connectTimeoutMs,
      statement_timeout: timeouts.statementTimeoutMs,
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
      application_name: 'profile-gateway',
    });
    this.pool.on('error', (error) => options.onIdleError?.(error));
    this.pool.on('connect', (client) => {
      // A connection that breaks while lent out (between two statements of a transaction, say)
      // emits 'error' with no one listening, which would end the process. Its next statement
      // fails instead, and the pool drops it when it comes back (it is no longer queryable).
      client.on('error', () => undefined);
      // PGlite is one PostgreSQL session shared by every socket connection, so a new connection
      // finds the named statements of the one it replaced: forget them, or preparing them fails.
      // (Queued on the client, this runs before anything else is sent on it.)
      if (embedded) void client.query('deallocate all').catch(() => undefined);
    });
  }

  get embedded(): boolean {
    return this.options.embedded;
  }

  /** One statement: inside `tx` when given, else on any pooled connection. */
  async query<R = Row>(sql: Statement | string, values: unknown[] = [], tx?: Tx): Promise<R[]> {
    if (tx) return tx.query<R>(sql, values);
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      return await this.run<R>(client, sql, values);
    } catch (error) {
      broken = brokenConnection(error);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** The first row of a statement, or undefined. */
  async one<R = Row>(sql: Statement | string, values: unknown[] = [], tx?: Tx): Promise<R | undefined> {
    return (await this.query<R>(sql, values, tx))[0];
  }

  /**
   * Runs `fn` in a transaction on one connection: committed when it returns, rolled back when it
   * throws. Whatever `fn` runs must go through its `tx` (on the embedded database any other
   * statement would wait for the connection this transaction holds).
   */
  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('begin');
      const tx = new Tx(client, this);
      const result = await fn(tx);
      await client.query('commit');
      // Told after the fact: what they do can no longer undo the commit.
      for (const callback of tx.committed) setImmediate(callback);
      return result;
    } catch (error) {
      broken = brokenConnection(error);
      if (!broken) await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** @internal Tx and query share this. */
  async run<R>(client: pg.PoolClient, sql: Statement | string, values: unknown[]): Promise<R[]> {
    const config = typeof sql === 'string' ? { text: sql, values } : this.prepared ? { name: sql.name, text: sql.text, values } : { text: sql.text, values };
    const result = await client.query(config);
    return result.rows as R[];
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * The connection broke (server restarted, connection killed): never hand it out again; the pool
 * opens a fresh one, with no named statements. A statement timeout (57014) leaves it usable.
 */
function brokenConnection(error: unknown): Error | undefined {
  if (!isDatabaseUnavailable(error) || (error as { code?: unknown }).code === '57014') return undefined;
  return error instanceof Error ? error : new Error(String(error));
}
