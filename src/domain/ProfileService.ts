import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import { AccountPurge, Session, User, type Profile } from '../db/entities/index.js';
import { preparedQuery } from '../db/raw.js';
import { ACCOUNT_FACTS_COLUMNS, PATCH_COLUMNS, USER_COLUMNS, profileFromRow } from '../db/sql.js';
import { UnauthenticatedError } from './errors.js';
import { toAccountFacts, type AccountFacts, type SessionService } from './SessionService.js';
import { normalizeProfilePatch, type ProfilePatch } from './validation.js';

/**
 * Called inside the write transaction with the locked, current user; throws to abort (REST uses
 * it for If-Match).
 */
export type Precondition = (tx: EntityManager, user: User) => Promise<void> | void;

export interface DeletedUser {
  id: string;
  status: 'deleted';
}

/** The profile after an update, with the account facts read in the same statement. */
export interface UpdatedProfile {
  user: Profile;
  account: AccountFacts;
}

const PATCHABLE = Object.keys(PATCH_COLUMNS) as (keyof typeof PATCH_COLUMNS)[];

// The live user with its account facts: what an update that changed nothing answers.
const LIVE_PROFILE_SQL = `select ${USER_COLUMNS}, ${ACCOUNT_FACTS_COLUMNS} from users u where u.id = $1 and u.status <> 'deleted'`;

/**
 * One UPDATE for a patch setting `keys`: only when something differs, so a no-op keeps updatedAt;
 * never on a deleted account (a racing deletion holds the row lock, and PostgreSQL re-checks the
 * condition after it commits); updatedAt from the database clock, strictly increasing.
 */
function patchSql(keys: readonly (keyof typeof PATCH_COLUMNS)[]): string {
  const columns = keys.map((key) => PATCH_COLUMNS[key]);
  const set = columns.map((column, i) => `${column} = $${i + 2}`).join(', ');
  const differs = columns.map((column, i) => `u.${column} is distinct from $${i + 2}`).join(' or ');
  return `update users u set ${set}, updated_at = greatest(now(), u.updated_at + interval '1 millisecond')
    where u.id = $1 and u.status <> 'deleted' and (${differs})
    returning ${USER_COLUMNS}, ${ACCOUNT_FACTS_COLUMNS}`;
}

export class ProfileService {
  constructor(
    private readonly orm: MikroORM,
    private readonly sessions: SessionService,
    private readonly options: { accountPurgeAfterMs: number },
  ) {}

  /**
   * Applies a profile patch: a key left out is unchanged, null clears. Validation happens before
   * anything is written; a patch that changes nothing does not bump updatedAt. Without a
   * precondition it is a single statement; with one, a transaction on the locked row.
   */
  async updateProfile(userId: string, input: Record<string, unknown>, precondition?: Precondition): Promise<UpdatedProfile> {
    const patch = normalizeProfilePatch(input);
    if (precondition) return this.updateLocked(userId, patch, precondition);
    const keys = PATCHABLE.filter((key) => patch[key] !== undefined);
    let [row] = keys.length
      ? await preparedQuery(this.orm, `pgw_patch_${keys.join('_')}`, patchSql(keys), [userId, ...keys.map((key) => patch[key])])
      : [];
    // Nothing updated: either nothing changed, or the account is gone.
    row ??= (await preparedQuery(this.orm, 'pgw_live_profile', LIVE_PROFILE_SQL, [userId]))[0];
    if (!row) throw new UnauthenticatedError();
    return { user: profileFromRow(row), account: toAccountFacts(row) };
  }

  private async updateLocked(userId: string, patch: ProfilePatch, precondition: Precondition): Promise<UpdatedProfile> {
    return this.orm.em.fork().transactional(async (tx) => {
      const user = await this.lockLiveUser(tx, userId);
      await precondition(tx, user);
      let changed = false;
      for (const key of PATCHABLE) {
        const value = patch[key];
        if (value === undefined || value === user[key]) continue;
        Object.assign(user, { [key]: value });
        changed = true;
      }
      if (changed) user.updatedAt = nextTimestamp(user.updatedAt);
      await tx.flush();
      return { user, account: await this.sessions.accountFacts(userId, tx) };
    });
  }

  /**
   * Deletes an account in one transaction: every session revoked, status `deleted`, and a durable
   * purge recorded. Returns only after the commit.
   */
  async deleteAccount(userId: string, precondition?: Precondition): Promise<DeletedUser> {
    await this.orm.em.fork().transactional(async (tx) => {
      const user = await this.lockLiveUser(tx, userId);
      await precondition?.(tx, user);
      const now = new Date();
      user.status = 'deleted';
      user.updatedAt = nextTimestamp(user.updatedAt);
      await tx.nativeUpdate(Session, { user: userId, revokedAt: null }, { revokedAt: now });
      tx.create(AccountPurge, {
        userId,
        requestedAt: now,
        dueAt: new Date(now.getTime() + this.options.accountPurgeAfterMs),
        attempts: 0,
      });
    });
    return { id: userId, status: 'deleted' };
  }

  /** The row lock serialises every write to one account: a PATCH racing a DELETE waits for it. */
  private async lockLiveUser(tx: EntityManager, userId: string): Promise<User> {
    const user = await tx.findOne(User, { id: userId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!user || user.status === 'deleted') throw new UnauthenticatedError();
    return user;
  }
}

/** Now, but never at or before the previous value, whatever the clocks of several instances say. */
function nextTimestamp(previous: Date): Date {
  return new Date(Math.max(Date.now(), previous.getTime() + 1));
}
