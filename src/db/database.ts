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
import { connect as netConnect } from 'node:net';
import pg from 'pg';
import { DatabaseUnavailableError, isDatabaseUnavailable } from './errors.js';

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
  /**
   * Behind a pooler that lends server connections per transaction (PgBouncer's transaction mode):
   * no startup parameters (PgBouncer refuses them), the timeouts per transaction instead, and a
   * statement outside a transaction cancelled from here once it outlasts statement_timeout.
   */
  pooled?: boolean;
  /** Named prepared statements (default: on unless pooled); a pooler before 1.21 loses them. */
  preparedStatements?: boolean;
  /**
   * No pool yet: every statement fails at once (a 503) with this reason until `connect` is called,
   * once open.ts knows whether a pooler is in front and the schema is current.
   */
  waitingFor?: string;
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
  private connected: pg.Pool | undefined;
  private prepared = true;
  private pooled = false;
  private begin = 'begin';
  /** Set while there is no pool: why statements fail at once. */
  private waiting: string | undefined;

  constructor(private readonly options: PoolOptions) {
    if (options.waitingFor !== undefined) this.waiting = options.waitingFor;
    else this.connect({ pooled: options.pooled ?? false, preparedStatements: options.preparedStatements });
  }

  /**
   * Opens the pool. Direct: the timeouts are startup parameters, set once per connection. Pooled:
   * they are set per transaction, in the round trip of its `begin`, and named statements are off
   * unless asked for (PgBouncer 1.21+ with max_prepared_statements keeps them).
   */
  connect(server: { pooled: boolean; preparedStatements?: boolean | undefined }): void {
    if (this.connected) throw new Error('the database pool is open already');
    const { timeouts, embedded } = this.options;
    this.pooled = server.pooled && !embedded;
    this.prepared = server.preparedStatements ?? !this.pooled;
    // Whole milliseconds from the configuration, never a client's value.
    this.begin = this.pooled
      ? `begin; set local statement_timeout = ${Math.round(timeouts.statementTimeoutMs)}; set local idle_in_transaction_session_timeout = ${IDLE_IN_TRANSACTION_TIMEOUT_MS}`
      : 'begin';
    const pool = new pg.Pool({
      connectionString: this.options.clientUrl,
      max: embedded ? 1 : this.options.max,
      idleTimeoutMillis: 30_000,
      // Bounded waits everywhere: a dead database gives errors fast (503s), never a hung request.
      connectionTimeoutMillis: embedded ? Math.max(EMBEDDED_ACQUIRE_TIMEOUT_MS, timeouts.connectTimeoutMs) : timeouts.connectTimeoutMs,
      ...(this.pooled ? {} : { statement_timeout: timeouts.statementTimeoutMs, idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS }),
      application_name: 'profile-gateway',
    });
    pool.on('error', (error) => this.options.onIdleError?.(error));
    pool.on('connect', (client) => {
      // A connection that breaks while lent out (between two statements of a transaction, say)
      // emits 'error' with no one listening, which would end the process. Its next statement
      // fails instead, and the pool drops it when it comes back (it is no longer queryable).
      client.on('error', () => undefined);
      // PGlite is one PostgreSQL session shared by every socket connection, so a new connection
      // finds the named statements of the one it replaced: forget them, or preparing them fails.
      // (Queued on the client, this runs before anything else is sent on it.)
      if (embedded) void client.query('deallocate all').catch(() => undefined);
    });
    this.connected = pool;
    this.waiting = undefined;
  }

  /** The pool; only once `connect` has opened it. */
  get pool(): pg.Pool {
    if (!this.connected) throw new DatabaseUnavailableError(this.waiting ?? 'not connected');
    return this.connected;
  }

  /** Why statements fail at once (no pool yet), or undefined once they can run. */
  get waitingFor(): string | undefined {
    return this.waiting;
  }

  /** Says why statements fail while there is no pool yet (open.ts, while it retries). */
  set waitingFor(reason: string) {
    if (!this.connected) this.waiting = reason;
  }

  /** Whether connect found a pooler in front, and whether named statements are used. */
  get mode(): { pooled: boolean; preparedStatements: boolean } {
    return { pooled: this.pooled, preparedStatements: this.prepared };
  }

  get embedded(): boolean {
    return this.options.embedded;
  }

  /** One statement: inside `tx` when given, else on any pooled connection. */
  async query<R = Row>(sql: Statement | string, values: unknown[] = [], tx?: Tx): Promise<R[]> {
    if (tx) return tx.query<R>(sql, values);
    const client = await this.pool.connect();
    let broken: Error | undefined;
    let cancelled = false;
    // Pooled, no statement_timeout holds outside a transaction: a cancel request enforces it.
    const timer = this.pooled
      ? setTimeout(() => {
          cancelled = true;
          cancelRequest(client);
        }, this.options.timeouts.statementTimeoutMs).unref()
      : undefined;
    try {
      return await this.run<R>(client, sql, values);
    } catch (error) {
      broken = brokenConnection(error);
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
      // A cancel can arrive after its statement has ended, and would then cancel the next one this
      // connection runs (another request's): once one is sent, the connection is never lent again.
      client.release(broken ?? (cancelled ? new Error('a cancel request was sent on this connection') : undefined));
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
      await client.query(this.begin);
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
    await this.connected?.end();
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

/**
 * PostgreSQL's CancelRequest for the statement `client` is running, on a connection of its own
 * (as psql's Ctrl-C): a pooler forwards it to the server connection that client has now. The
 * statement fails with 57014, as it would have by statement_timeout.
 */
function cancelRequest(client: pg.PoolClient): void {
  // Where and as whom pg connected (its own fields, parsed from the URL).
  const { processID, secretKey, host, port } = client as unknown as { processID: number | null; secretKey: number | null; host: string; port: number };
  if (processID === null || secretKey === null) return;
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(80877102, 4);
  packet.writeInt32BE(processID, 8);
  packet.writeInt32BE(secretKey, 12);
  const where = host.startsWith('/') ? { path: `${host}/.s.PGSQL.${port}` } : { host, port };
  // Written, not ended: PgBouncer drops a cancel whose client hangs up before it has passed it on.
  // The receiver closes the connection once done.
  const socket = netConnect(where, () => socket.write(packet));
  socket.setTimeout(5_000, () => socket.destroy());
  socket.on('error', () => undefined);
}
