import type { Database } from './database.js';

/** /readyz answers within this even when the pool is stuck or the server does not answer. */
export const READINESS_TIMEOUT_MS = 2_000;

/** Whether the database answers `select 1` within timeoutMs. Never throws. */
export async function databaseReady(database: Database, timeoutMs = READINESS_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const answered = database.query('select 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
