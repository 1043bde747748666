/** Every statement on `account_purges`: durable requests to erase a deleted account. */
import { statement, type Database, type Tx } from './database.js';

/** Longest wait between two attempts at a purge that keeps failing. */
export const MAX_PURGE_BACKOFF_MS = 60 * 60_000;

const INSERT = statement(
  'insert_purge',
  `insert into account_purges (user_id, requested_at, due_at, attempts) values ($1, now(), now() + $2 * interval '1 millisecond', 0)`,
);
// SKIP LOCKED: instances sweeping side by side each take other rows, never one twice.
const CLAIM_DUE = statement(
  'claim_due_purges',
  'select user_id from account_purges where due_at <= now() order by due_at limit $1 for update skip locked',
);
const REMOVE = statement('remove_purge', 'delete from account_purges where user_id = $1');
const RECORD_FAILURE = statement(
  'record_purge_failure',
  `update account_purges set attempts = attempts + 1, last_error = $2,
     due_at = now() + least($3 * interval '1 millisecond', interval '1 second' * power(2, attempts + 1))
   where user_id = $1 returning attempts`,
);
const BACKLOG = statement('purge_backlog', 'select count(*)::int as n from account_purges where due_at <= now()');

export class PurgesRepository {
  constructor(private readonly db: Database) {}

  /** A purge of `userId`, due `afterMs` from now. */
  async insert(userId: string, afterMs: number, tx?: Tx): Promise<void> {
    await this.db.query(INSERT, [userId, afterMs], tx);
  }

  /** Up to `limit` due purges, locked until `tx` ends; rows other sweeps hold are skipped. */
  async claimDue(limit: number, tx: Tx): Promise<string[]> {
    return (await this.db.query<{ user_id: string }>(CLAIM_DUE, [limit], tx)).map((row) => row.user_id);
  }

  async remove(userId: string, tx?: Tx): Promise<void> {
    await this.db.query(REMOVE, [userId], tx);
  }

  /** Records a failed attempt and puts the next one off, exponentially; returns the attempts so far. */
  async recordFailure(userId: string, message: string, tx?: Tx): Promise<number> {
    const row = await this.db.one<{ attempts: number }>(RECORD_FAILURE, [userId, message.slice(0, 1000), MAX_PURGE_BACKOFF_MS], tx);
    return row?.attempts ?? 0;
  }

  /** Purges that are due and not done yet. */
  async backlog(tx?: Tx): Promise<number> {
    return (await this.db.one<{ n: number }>(BACKLOG, [], tx))?.n ?? 0;
  }
}
