/** Every statement on `user_emails`. Addresses are unique in lower case (a unique index). */
import { statement, type Database, type Tx } from './database.js';
import { asDate } from './sql.js';

/** One address of a user. */
export interface EmailRow {
  id: string;
  userId: string;
  address: string;
  isDefault: boolean;
  createdAt: Date;
  verifiedAt: Date | null;
}

const COLUMNS = 'e.id, e.user_id, e.address, e.is_default, e.created_at, e.verified_at';

const INSERT = statement(
  'insert_email',
  'insert into user_emails (id, user_id, address, is_default, created_at) values ($1, $2, $3, $4, now())',
);
const TAKEN = statement('email_taken', 'select exists (select 1 from user_emails where lower(address) = $1) as taken');
const OF_USER = statement(
  'emails_of_user',
  `select ${COLUMNS} from user_emails e where e.user_id = $1 order by e.is_default desc, e.created_at, e.id`,
);
const COUNT_OF_USER = statement('count_emails_of_user', 'select count(*)::int as n from user_emails where user_id = $1');
const OWN = statement('own_email', `select ${COLUMNS} from user_emails e where e.id = $1 and e.user_id = $2`);
const MARK_VERIFIED = statement(
  'mark_email_verified',
  `update user_emails e set verified_at = coalesce(e.verified_at, now()) where e.id = $1 returning ${COLUMNS}`,
);
// Two statements, not one: the one-default unique index is checked row by row.
const CLEAR_DEFAULT = statement('clear_default_email', 'update user_emails set is_default = false where user_id = $1 and is_default and id <> $2');
const SET_DEFAULT = statement('set_default_email', `update user_emails e set is_default = true where e.id = $1 and e.user_id = $2 returning ${COLUMNS}`);
const REMOVE_UNLESS_DEFAULT = statement(
  'remove_email',
  'delete from user_emails where id = $1 and user_id = $2 and not is_default returning id',
);

function emailFromRow(row: Record<string, unknown>): EmailRow {
  return {
    id: row.id as string,
    userId: row.user_id as string,
    address: row.address as string,
    isDefault: Boolean(row.is_default),
    createdAt: asDate(row.created_at),
    verifiedAt: row.verified_at == null ? null : asDate(row.verified_at),
  };
}

export class EmailsRepository {
  constructor(private readonly db: Database) {}

  async insert(email: { id: string; userId: string; address: string; isDefault: boolean }, tx?: Tx): Promise<void> {
    await this.db.query(INSERT, [email.id, email.userId, email.address, email.isDefault], tx);
  }

  /** Whether any account has this address (given in its lower-case key). */
  async taken(emailKey: string, tx?: Tx): Promise<boolean> {
    return Boolean((await this.db.one<{ taken: boolean }>(TAKEN, [emailKey], tx))?.taken);
  }

  /** A user's addresses: the default first, then by when they were added. */
  async ofUser(userId: string, tx?: Tx): Promise<EmailRow[]> {
    return (await this.db.query(OF_USER, [userId], tx)).map(emailFromRow);
  }

  async countOfUser(userId: string, tx?: Tx): Promise<number> {
    return (await this.db.one<{ n: number }>(COUNT_OF_USER, [userId], tx))?.n ?? 0;
  }

  /** The address with this id if it is one of `userId`'s. */
  async findOwn(userId: string, id: string, tx?: Tx): Promise<EmailRow | undefined> {
    const row = await this.db.one(OWN, [id, userId], tx);
    return row && emailFromRow(row);
  }

  /** Marks an address verified (keeping the first verification's time); returns it. */
  async markVerified(id: string, tx?: Tx): Promise<EmailRow | undefined> {
    const row = await this.db.one(MARK_VERIFIED, [id], tx);
    return row && emailFromRow(row);
  }

  /** Makes one of the user's addresses the default (the previous default stops being it). */
  async setDefault(userId: string, id: string, tx: Tx): Promise<EmailRow | undefined> {
    await this.db.query(CLEAR_DEFAULT, [userId, id], tx);
    const row = await this.db.one(SET_DEFAULT, [id, userId], tx);
    return row && emailFromRow(row);
  }

  /** Removes one of the user's addresses unless it is the default; false when nothing was removed. */
  async removeUnlessDefault(userId: string, id: string, tx?: Tx): Promise<boolean> {
    return (await this.db.query(REMOVE_UNLESS_DEFAULT, [id, userId], tx)).length > 0;
  }
}
