/** Every statement on `users`. */
import type { Database, Tx } from './database.js';
import { statement, type Statement } from './database.js';
import type { Profile, UserStatus } from './entities/User.js';
import {
  ACCOUNT_FACTS_COLUMNS,
  LIVE_USER,
  USER_COLUMNS,
  profileFromRow,
  profileWithFactsFromRow,
  type ProfileWithFacts,
} from './sql.js';

/** Columns a profile patch may set, by Profile field. */
export const PATCH_COLUMNS = { name: 'name', bio: 'bio', avatarUrl: 'avatar_url', locale: 'locale', timezone: 'timezone' } as const;
export type PatchField = keyof typeof PATCH_COLUMNS;
export type ProfileChanges = { [K in PatchField]?: Profile[K] };

/** updatedAt's next value, on the database's clock: now, but never at or before the previous one. */
const NEXT_UPDATED_AT = "greatest(now(), u.updated_at + interval '1 millisecond')";

const LIVE_PROFILE = statement('live_profile', `select ${USER_COLUMNS}, ${ACCOUNT_FACTS_COLUMNS} from users u where u.id = $1 and ${LIVE_USER}`);
const LOCK_LIVE_PROFILE = statement(
  'lock_live_profile',
  `select ${USER_COLUMNS}, ${ACCOUNT_FACTS_COLUMNS} from users u where u.id = $1 and ${LIVE_USER} for update of u`,
);
const LIVE_BY_IDS = statement('live_users_by_ids', `select ${USER_COLUMNS} from users u where u.id = any($1::uuid[]) and ${LIVE_USER}`);
const INSERT = statement(
  'insert_user',
  `insert into users as u (id, status, name, phone_number, password_hash, created_at, updated_at)
   values ($1, 'pending', $2, $3, $4, now(), now()) returning ${USER_COLUMNS}`,
);
// logIn knows an account by its default address or any verified one, never by an unverified other.
const CREDENTIALS_BY_EMAIL = statement(
  'credentials_by_email',
  `select u.id, u.status, u.password_hash from user_emails e join users u on u.id = e.user_id
   where lower(e.address) = $1 and (e.is_default or e.verified_at is not null) and ${LIVE_USER}`,
);
const LOCK_LIVE_SHARED = statement('lock_live_user_shared', `select ${USER_COLUMNS} from users u where u.id = $1 and ${LIVE_USER} for share of u`);
const MARK_DELETED = statement(
  'mark_user_deleted',
  `update users u set status = 'deleted', updated_at = ${NEXT_UPDATED_AT} where u.id = $1 and ${LIVE_USER} returning u.id`,
);
const SET_STATUS = statement('set_user_status', `update users u set status = $2 where u.id = $1 and ${LIVE_USER}`);
const ERASE_DELETED = statement('erase_deleted_user', "delete from users u where u.id = $1 and u.status = 'deleted'");
const ANY_USER = statement('any_user', 'select exists (select 1 from users) as found');
const LOCK_LIVE = statement('lock_live_user', `select ${USER_COLUMNS} from users u where u.id = $1 and ${LIVE_USER} for update of u`);
const SET_PASSWORD_HASH = statement('set_password_hash', `update users u set password_hash = $2 where u.id = $1 and ${LIVE_USER}`);
const PASSWORD_HASH = statement('password_hash', `select u.password_hash from users u where u.id = $1 and ${LIVE_USER}`);
// Only if the hash is still the one the current password was checked against (no lost update).
const REPLACE_PASSWORD_HASH = statement(
  'replace_password_hash',
  `update users u set password_hash = $3 where u.id = $1 and ${LIVE_USER} and u.password_hash = $2 returning u.id`,
);
// A suspended account whose default address is verified meanwhile is active once unsuspended.
const ACTIVATE_IF_PENDING = statement(
  'activate_if_pending',
  `update users u set
     status = case when u.status = 'pending' then 'active' else u.status end,
     status_before_suspension = case when u.status_before_suspension = 'pending' then 'active' else u.status_before_suspension end
   where u.id = $1 and (u.status = 'pending' or u.status_before_suspension = 'pending') returning ${USER_COLUMNS}`,
);
const BY_ID = statement('user_by_id', 'select u.id from users u where u.id = $1');
const BY_EMAIL = statement('user_by_email', 'select e.user_id as id from user_emails e where lower(e.address) = $1');
const LOCK_ACCOUNT = statement(
  'lock_account',
  `select u.id, u.status, u.status_before_suspension, (select e.address from user_emails e where e.user_id = u.id and e.is_default) as default_email
   from users u where u.id = $1 for update of u`,
);
const SUSPEND = statement(
  'suspend_user',
  "update users u set status = 'suspended', status_before_suspension = u.status where u.id = $1 and u.status in ('pending', 'active') returning u.status_before_suspension",
);
// A suspension that kept no earlier status (set by hand in the database, say): what the account's
// default address says it would be.
const UNSUSPEND = statement(
  'unsuspend_user',
  `update users u set status_before_suspension = null, status = coalesce(u.status_before_suspension,
     case when exists (select 1 from user_emails e where e.user_id = u.id and e.is_default and e.verified_at is not null) then 'active' else 'pending' end)
   where u.id = $1 and u.status = 'suspended' returning u.status`,
);

/**
 * One UPDATE for a patch setting `fields`: only when something differs, so a no-op keeps updatedAt;
 * never on a deleted account (a racing deletion holds the row lock, and PostgreSQL re-checks the
 * condition after it commits); updatedAt strictly increasing on the database's clock.
 */
function patchStatement(fields: readonly PatchField[]): Statement {
  const columns = fields.map((field) => PATCH_COLUMNS[field]);
  const set = columns.map((column, i) => `${column} = $${i + 2}`).join(', ');
  const differs = columns.map((column, i) => `u.${column} is distinct from $${i + 2}`).join(' or ');
  return statement(
    `patch_${fields.join('_')}`,
    `update users u set ${set}, updated_at = ${NEXT_UPDATED_AT}
     where u.id = $1 and ${LIVE_USER} and (${differs})
     returning ${USER_COLUMNS}, ${ACCOUNT_FACTS_COLUMNS}`,
  );
}

const PATCH_FIELDS = Object.keys(PATCH_COLUMNS) as PatchField[];

export class UsersRepository {
  /** One statement per combination of fields, made when first used (at most 31). */
  private readonly patches = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  /** The live user with its account facts. */
  async findLiveProfile(id: string, tx?: Tx): Promise<ProfileWithFacts | undefined> {
    const row = await this.db.one(LIVE_PROFILE, [id], tx);
    return row && profileWithFactsFromRow(row);
  }

  /** The same, with the row locked for update until `tx` ends: every write to one account waits its turn. */
  async lockLiveProfile(id: string, tx: Tx): Promise<ProfileWithFacts | undefined> {
    const row = await this.db.one(LOCK_LIVE_PROFILE, [id], tx);
    return row && profileWithFactsFromRow(row);
  }

  /** The live user, locked against deletion (not against other readers) until `tx` ends. */
  async lockLiveShared(id: string, tx: Tx): Promise<Profile | undefined> {
    const row = await this.db.one(LOCK_LIVE_SHARED, [id], tx);
    return row && profileFromRow(row);
  }

  /** Live users among `ids`, in no particular order. */
  async findLiveByIds(ids: readonly string[], tx?: Tx): Promise<Profile[]> {
    return (await this.db.query(LIVE_BY_IDS, [ids], tx)).map(profileFromRow);
  }

  /**
   * Applies `changes` to a live user; returns the profile after it, or undefined when nothing
   * differed (updatedAt kept) or the user is not live.
   */
  async patch(id: string, changes: ProfileChanges, tx?: Tx): Promise<ProfileWithFacts | undefined> {
    const fields = PATCH_FIELDS.filter((field) => changes[field] !== undefined);
    if (fields.length === 0) return undefined;
    const key = fields.join(',');
    let sql = this.patches.get(key);
    if (!sql) this.patches.set(key, (sql = patchStatement(fields)));
    const row = await this.db.one(sql, [id, ...fields.map((field) => changes[field])], tx);
    return row && profileWithFactsFromRow(row);
  }

  /** A new `pending` user. */
  async insert(user: { id: string; name: string; phoneNumber: string | null; passwordHash: string }, tx?: Tx): Promise<Profile> {
    const row = await this.db.one(INSERT, [user.id, user.name, user.phoneNumber, user.passwordHash], tx);
    return profileFromRow(row!);
  }

  /** The live user known by this email (in its lower-case key), with its password hash. */
  async credentialsByEmail(emailKey: string, tx?: Tx): Promise<{ id: string; status: UserStatus; passwordHash: string } | undefined> {
    const row = await this.db.one<{ id: string; status: UserStatus; password_hash: string }>(CREDENTIALS_BY_EMAIL, [emailKey], tx);
    return row && { id: row.id, status: row.status, passwordHash: row.password_hash };
  }

  /** Marks a live user deleted; false when there was none. */
  async markDeleted(id: string, tx?: Tx): Promise<boolean> {
    return (await this.db.query(MARK_DELETED, [id], tx)).length > 0;
  }

  async setStatus(id: string, status: UserStatus, tx?: Tx): Promise<void> {
    await this.db.query(SET_STATUS, [id, status], tx);
  }

  /** Erases a deleted user's row (its emails and sessions go with it: ON DELETE CASCADE). */
  async eraseDeleted(id: string, tx?: Tx): Promise<void> {
    await this.db.query(ERASE_DELETED, [id], tx);
  }

  /** The live user, its row locked for update until `tx` ends (no account facts: cheaper than lockLiveProfile). */
  async lockLive(id: string, tx: Tx): Promise<Profile | undefined> {
    const row = await this.db.one(LOCK_LIVE, [id], tx);
    return row && profileFromRow(row);
  }

  async setPasswordHash(id: string, passwordHash: string, tx?: Tx): Promise<void> {
    await this.db.query(SET_PASSWORD_HASH, [id, passwordHash], tx);
  }

  /** The live user's password hash. */
  async passwordHashOf(id: string, tx?: Tx): Promise<string | undefined> {
    return (await this.db.one<{ password_hash: string }>(PASSWORD_HASH, [id], tx))?.password_hash;
  }

  /** Sets a new password hash if the current one is still `expected`; false when it was not. */
  async replacePasswordHash(id: string, expected: string, passwordHash: string, tx?: Tx): Promise<boolean> {
    return (await this.db.query(REPLACE_PASSWORD_HASH, [id, expected, passwordHash], tx)).length > 0;
  }

  /** pending → active (its default email was verified); returns the user when it changed. */
  async activateIfPending(id: string, tx?: Tx): Promise<Profile | undefined> {
    const row = await this.db.one(ACTIVATE_IF_PENDING, [id], tx);
    return row && profileFromRow(row);
  }

  /** The id of the user (of any status) with this id, or with this address (its lower-case key) among its emails. */
  async idByIdOrEmail(ref: { id: string } | { emailKey: string }, tx?: Tx): Promise<string | undefined> {
    const row = 'id' in ref ? await this.db.one<{ id: string }>(BY_ID, [ref.id], tx) : await this.db.one<{ id: string }>(BY_EMAIL, [ref.emailKey], tx);
    return row?.id;
  }

  /** A user of any status, its row locked for update until `tx` ends, with what a status change needs. */
  async lockAccount(id: string, tx: Tx): Promise<{ id: string; status: UserStatus; defaultEmail: string | null } | undefined> {
    const row = await this.db.one<{ id: string; status: UserStatus; default_email: string | null }>(LOCK_ACCOUNT, [id], tx);
    return row && { id: row.id, status: row.status, defaultEmail: row.default_email ?? null };
  }

  /** pending or active → suspended, keeping what it was; returns that, or undefined when it was neither. */
  async suspend(id: string, tx?: Tx): Promise<'pending' | 'active' | undefined> {
    return (await this.db.one<{ status_before_suspension: 'pending' | 'active' }>(SUSPEND, [id], tx))?.status_before_suspension;
  }

  /** suspended → the status it had before; returns that, or undefined when it was not suspended. */
  async unsuspend(id: string, tx?: Tx): Promise<UserStatus | undefined> {
    return (await this.db.one<{ status: UserStatus }>(UNSUSPEND, [id], tx))?.status;
  }

  async anyExists(tx?: Tx): Promise<boolean> {
    return Boolean((await this.db.one<{ found: boolean }>(ANY_USER, [], tx))?.found);
  }
}
