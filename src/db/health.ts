import type { Database } from './database.js';

/** /readyz answers within this even when the pool is stuck or the server does not answer. */
export const READINESS_TIMEOUT_MS = 2_000;

const UNREACHABLE = 'database unreachable';

/**
 * True when the database answers `select 1` within timeoutMs; else why not: not connected yet or
 * its schema behind (the reason open.ts gave), or unreachable. Never throws.
 */
export async function databaseReady(database: Database, timeoutMs = READINESS_TIMEOUT_MS): Promise<true | string> {
  if (database.waitingFor !== undefined) return database.waitingFor;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(UNREACHABLE), timeoutMs);
  });
  const answered = database.query('select 1').then(
    () => true as const,
    () => UNREACHABLE,
  );
  try {
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
