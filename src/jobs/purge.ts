import type { Repositories } from '../db/repositories.js';
import { startPeriodic } from './periodic.js';

export interface PurgeLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const BATCH = 20;

/**
 * Erases deleted accounts whose purge is due: the user row, and with it (ON DELETE CASCADE) its
 * emails and sessions, then the purge record, under a savepoint per account. Rows are claimed
 * with FOR UPDATE SKIP LOCKED, so several instances sweep side by side without doing one twice.
 * A failure is recorded on the purge record and retried later with exponential backoff.
 * Returns how many accounts were erased.
 */
export async function purgeDueAccounts(repos: Repositories, log?: PurgeLogger): Promise<number> {
  let purged = 0;
  for (;;) {
    const batch = await claimAndPurge(repos, log);
    purged += batch.purged;
    if (batch.claimed < BATCH) return purged;
  }
}

async function claimAndPurge({ db, users, purges }: Repositories, log?: PurgeLogger): Promise<{ claimed: number; purged: number }> {
  const outcome = await db.transaction(async (tx) => {
    const claimed = await purges.claimDue(BATCH, tx);
    const done: string[] = [];
    for (const userId of claimed) {
      try {
        // A savepoint per account: one that fails does not undo the others.
        await tx.savepoint(async () => {
          await users.eraseDeleted(userId, tx);
          await purges.remove(userId, tx);
        });
        done.push(userId);
      } catch (error) {
        const attempts = await purges.recordFailure(userId, error instanceof Error ? error.message : String(error), tx);
        log?.error({ err: error, userId, attempts }, 'account purge failed; will retry');
      }
    }
    return { claimed: claimed.length, done };
  });
  for (const userId of outcome.done) log?.info({ userId }, 'account purged');
  return { claimed: outcome.claimed, purged: outcome.done.length };
}

export interface PurgeWorker {
  /** Runs one sweep now (also what the timer does), or joins the running one; 0 once stopped. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/** Sweeps at start and then every intervalMs, one sweep at a time, until stopped. */
export function startPurgeWorker(repos: Repositories, intervalMs: number, log?: PurgeLogger): PurgeWorker {
  const once = () =>
    purgeDueAccounts(repos, log).catch((error: unknown) => {
      log?.error({ err: error }, 'account purge sweep failed; will retry');
      return 0;
    });
  const periodic = startPeriodic(once, intervalMs);
  return { sweep: async () => (await periodic.wake()) ?? 0, stop: periodic.stop };
}
