import { LockMode, type MikroORM } from '@mikro-orm/postgresql';
import { AccountPurge, User } from '../db/entities/index.js';

export interface PurgeLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const BATCH = 20;
const MAX_BACKOFF_MS = 60 * 60_000;

/**
 * Erases deleted accounts whose purge is due: the user row, and with it (ON DELETE CASCADE) its
 * emails and sessions, then the purge record, in one transaction per account. Rows are claimed
 * with FOR UPDATE SKIP LOCKED, so several instances sweep side by side without doing one twice.
 * A failure is recorded on the purge record and retried later with exponential backoff.
 * Returns how many accounts were erased.
 */
export async function purgeDueAccounts(orm: MikroORM, log?: PurgeLogger): Promise<number> {
  let purged = 0;
  for (;;) {
    const ids = await claimAndPurge(orm, log);
    purged += ids.purged;
    if (ids.claimed < BATCH) return purged;
  }
}

async function claimAndPurge(orm: MikroORM, log?: PurgeLogger): Promise<{ claimed: number; purged: number }> {
  const em = orm.em.fork();
  const due = await em.transactional(async (tx) => {
    const claimed = await tx.find(
      AccountPurge,
      { dueAt: { $lte: new Date() } },
      { orderBy: { dueAt: 'asc' }, limit: BATCH, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE },
    );
    const done: string[] = [];
    for (const purge of claimed) {
      try {
        // A savepoint per account: one that fails does not undo the others.
        await tx.transactional(async (inner) => {
          await inner.nativeDelete(User, { id: purge.userId, status: 'deleted' });
          await inner.nativeDelete(AccountPurge, { userId: purge.userId });
        });
        done.push(purge.userId);
      } catch (error) {
        purge.attempts += 1;
        purge.lastError = error instanceof Error ? error.message.slice(0, 1000) : String(error);
        purge.dueAt = new Date(Date.now() + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** purge.attempts));
        log?.error({ err: error, userId: purge.userId, attempts: purge.attempts }, 'account purge failed; will retry');
      }
    }
    return { claimed: claimed.length, done };
  });
  for (const userId of due.done) log?.info({ userId }, 'account purged');
  return { claimed: due.claimed, purged: due.done.length };
}

export interface PurgeWorker {
  /** Runs one sweep now (also what the timer does). */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/** Sweeps at start and then every intervalMs, one sweep at a time, until stopped. */
export function startPurgeWorker(orm: MikroORM, intervalMs: number, log?: PurgeLogger): PurgeWorker {
  let running: Promise<number> | undefined;
  let stopped = false;
  const sweep = () => {
    running ??= purgeDueAccounts(orm, log)
      .catch((error: unknown) => {
        log?.error({ err: error }, 'account purge sweep failed; will retry');
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  void sweep();
  return {
    sweep,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
