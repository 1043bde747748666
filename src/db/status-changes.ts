/** Every statement on `account_status_changes`: who changed an account's status, from what to what, and why. */
import { statement, type Database, type Tx } from './database.js';
import type { UserStatus } from './entities/User.js';
import { asDate } from './sql.js';

/** One change of an account's status. */
export interface StatusChangeRow {
  id: string;
  userId: string;
  fromStatus: UserStatus;
  toStatus: UserStatus;
  reason: string | null;
  actor: string;
  changedAt: Date;
}

const INSERT = statement(
  'insert_status_change',
  `insert into account_status_changes (id, user_id, from_status, to_status, reason, actor, changed_at)
   values ($1, $2, $3, $4, $5, $6, now()) returning changed_at`,
);
const OF_USER = statement(
  'status_changes_of_user',
  'select id, user_id, from_status, to_status, reason, actor, changed_at from account_status_changes where user_id = $1 order by changed_at, id',
);

export class StatusChangesRepository {
  constructor(private readonly db: Database) {}

  /** Records a change (at the transaction's time); returns when it was. */
  async insert(change: Omit<StatusChangeRow, 'changedAt'>, tx?: Tx): Promise<Date> {
    const row = await this.db.one(INSERT, [change.id, change.userId, change.fromStatus, change.toStatus, change.reason, change.actor], tx);
    return asDate(row!.changed_at);
  }

  /** A user's status changes, oldest first. */
  async ofUser(userId: string, tx?: Tx): Promise<StatusChangeRow[]> {
    return (await this.db.query(OF_USER, [userId], tx)).map((row) => ({
      id: row.id as string,
      userId: row.user_id as string,
      fromStatus: row.from_status as UserStatus,
      toStatus: row.to_status as UserStatus,
      reason: (row.reason as string | null) ?? null,
      actor: row.actor as string,
      changedAt: asDate(row.changed_at),
    }));
  }
}
