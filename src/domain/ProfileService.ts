import type { Tx } from '../db/database.js';
import type { Profile } from '../db/entities/index.js';
import type { Repositories } from '../db/repositories.js';
import type { ProfileWithFacts } from '../db/sql.js';
import { UnauthenticatedError } from './errors.js';
import { normalizeProfilePatch } from './validation.js';

export type { ProfileWithFacts } from '../db/sql.js';

/**
 * Called inside the write transaction with the locked, current user; throws to abort (REST uses
 * it for If-Match).
 */
export type Precondition = (current: ProfileWithFacts) => void;

export interface DeletedUser {
  id: string;
  status: 'deleted';
}

export class ProfileService {
  constructor(
    private readonly repos: Repositories,
    private readonly options: { accountPurgeAfterMs: number },
  ) {}

  /** Live users among `ids` (any order): deleted ones are gone as far as anyone else is concerned. */
  findLiveByIds(ids: readonly string[]): Promise<Profile[]> {
    return this.repos.users.findLiveByIds(ids);
  }

  /**
   * Applies a profile patch: a key left out is unchanged, null clears. Validation happens before
   * anything is written; a patch that changes nothing does not bump updatedAt (users.patch). Without
   * a precondition it is a single statement; with one, a transaction on the locked row.
   */
  async updateProfile(userId: string, input: Record<string, unknown>, precondition?: Precondition): Promise<ProfileWithFacts> {
    const patch = normalizeProfilePatch(input);
    const { db, users } = this.repos;
    if (!precondition) {
      // Nothing updated: either nothing changed, or the account is gone.
      const current = (await users.patch(userId, patch)) ?? (await users.findLiveProfile(userId));
      if (!current) throw new UnauthenticatedError();
      return current;
    }
    return db.transaction(async (tx) => {
      const current = await this.lockLive(userId, precondition, tx);
      return (await users.patch(userId, patch, tx)) ?? current;
    });
  }

  /**
   * Deletes an account in one transaction: every session revoked, status `deleted`, its outstanding
   * email tokens voided and its unsent messages dropped, and a durable purge recorded. Returns only
   * after the commit.
   */
  async deleteAccount(userId: string, precondition?: Precondition): Promise<DeletedUser> {
    const { db, users, sessions, purges, tokens, outbox } = this.repos;
    await db.transaction(async (tx) => {
      await this.lockLive(userId, precondition, tx);
      await sessions.revokeAllOfUser(userId, tx);
      await users.markDeleted(userId, tx);
      await outbox.deleteUnsentOfUser(userId, tx);
      await tokens.voidOfUser(userId, tx);
      await purges.insert(userId, this.options.accountPurgeAfterMs, tx);
    });
    return { id: userId, status: 'deleted' };
  }

  /** The row lock serialises every write to one account: a PATCH racing a DELETE waits for it. */
  private async lockLive(userId: string, precondition: Precondition | undefined, tx: Tx): Promise<ProfileWithFacts> {
    const current = await this.repos.users.lockLiveProfile(userId, tx);
    if (!current) throw new UnauthenticatedError();
    precondition?.(current);
    return current;
  }
}
