/**
 * The one definition of "the database is unavailable": errors worth a 503 and a retry, not a 500.
 * Both transports, /readyz and the prepared-statement path ask here.
 */
/** Seconds a client is told to wait (`Retry-After`) when the database is unavailable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * The service is not connected to its database yet (start-up could not reach it, or its schema
 * is behind): statements fail at once with this, and clients get a 503.
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
  constructor(readonly reason: string) {
    super(`database not available: ${reason}`);
  }
}

/**
 * The database is not connected yet (DatabaseUnavailableError, anywhere in the cause chain): main.ts
 * has said why in one log line, so requests failing for it are not logged again one by one.
 */
export function isAwaitingDatabase(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    if (e instanceof DatabaseUnavailableError) return true;
  }
  return false;
}

const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE']);

/**
 * SQLSTATEs: class 08 (connection exception) but 08P01 (a protocol violation, such as a startup
 * parameter a pooler refuses: a misconfiguration, not an outage), 57P01–57P04 (admin/crash shutdown, cannot connect
 * now, database dropped), 53300 (too many connections), 57014 (our statement_timeout cancelled a
 * query: the server is too slow to answer now), 25P03 (idle_in_transaction_session_timeout).
 */
const UNAVAILABLE_SQLSTATE = /^(08(?!P01)...|57P0.|53300|57014|25P03)$/;

/**
 * What pg and knex say when a connection is gone or none could be had. "timeout expired" is pg's
 * connectionTimeoutMillis running out, "timeout exceeded when trying to connect" pg-pool's. "Transaction query already complete" is knex's answer to
 * every statement of a transaction whose BEGIN failed (it hands the transaction out anyway, and
 * BEGIN only fails on a connection that has died); nothing of that transaction reached the server.
 */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|^timeout expired$|timeout exceeded when trying to connect|Unable to acquire a connection|Timeout acquiring a connection|not queryable|Transaction query already complete|the database system is (shutting down|starting up|in recovery mode|not yet accepting connections)/i;

/**
 * Connection refused, reset or lost, a pool wait that timed out, the server shutting down or
 * starting up. Walks the `cause` chain, since MikroORM and our own errors wrap the driver's.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    // MikroORM's ConnectionException by name: importing MikroORM for the class would load it in
    // every instance, and only the migrations (which load it anyway) ever throw one.
    if (e instanceof DatabaseUnavailableError || e.name === 'ConnectionException' || e.name === 'KnexTimeoutError') return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_ERRNOS.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
    if (UNAVAILABLE_MESSAGE.test(e.message)) return true;
    // `localhost` refused on both ::1 and 127.0.0.1.
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
  }
  return false;
}

/** A unique index refused a row (SQLSTATE 23505), optionally a given one. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
