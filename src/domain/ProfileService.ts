import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { AccountPurge, Session, User } from '../db/entities/index.js';
import { UnauthenticatedError } from './errors.js';
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

const PATCHABLE = ['name', 'bio', 'avatarUrl', 'locale', 'timezone'] as const satisfies readonly (keyof ProfilePatch)[];

export class ProfileService {
  constructor(private readonly options: { accountPurgeAfterMs: number }) {}

  /**
   * Applies a profile patch: a key left out is unchanged, null clears. Validation happens before
   * anything is written; a patch that changes nothing does not bump updatedAt.
   */
  async updateProfile(em: EntityManager, userId: string, input: Record<string, unknown>, precondition?: Precondition): Promise<User> {
    const patch = normalizeProfilePatch(input);
    return em.transactional(async (tx) => {
      const user = await this.lockLiveUser(tx, userId);
      await precondition?.(tx, user);
      let changed = false;
      for (const key of PATCHABLE) {
        const value = patch[key];
        if (value === undefined || value === user[key]) continue;
        Object.assign(user, { [key]: value });
        changed = true;
      }
      if (changed) user.updatedAt = nextTimestamp(user.updatedAt);
      return user;
    });
  }

  /**
   * Deletes an account in one transaction: every session revoked, status `deleted`, and a durable
   * purge recorded. Returns only after the commit.
   */
  async deleteAccount(em: EntityManager, userId: string, precondition?: Precondition): Promise<DeletedUser> {
    await em.transactional(async (tx) => {
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
