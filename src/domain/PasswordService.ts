import { randomUUID } from 'node:crypto';
import type { Repositories } from '../db/repositories.js';
import { invalidToken } from './EmailService.js';
import { hashPassword } from './passwords.js';
import { hashToken, isWellFormedEmailToken } from './tokens.js';
import { emailKey, normalizeEmail, validatePassword } from './validation.js';

/** At most this many reset messages to one address per hour; further requests send nothing. */
export const RESETS_PER_HOUR = 3;

/** Password reset by a link sent to the account's default or a verified address. */
export class PasswordService {
  constructor(private readonly repos: Repositories) {}

  /**
   * Queues a reset message when the address is the default or a verified address of a live
   * account. The answer, and the work done, are the same whether or not it is: one statement.
   */
  async requestReset(input: unknown): Promise<true> {
    const email = normalizeEmail(input, 'email');
    await this.repos.outbox.requestPasswordReset(randomUUID(), emailKey(email), RESETS_PER_HOUR);
    return true;
  }

  /**
   * Sets a new password with a reset token: every session of the user ends, the address the link
   * went to counts as verified (a pending account whose default it is becomes active), and the
   * user's other reset links stop working. One transaction.
   */
  async reset(token: unknown, newPassword: unknown): Promise<true> {
    const password = validatePassword(newPassword, 'newPassword');
    if (!isWellFormedEmailToken(token, 'reset_password')) throw invalidToken();
    const hash = hashToken(token);
    // Hashed before the transaction: no row stays locked while argon2 works.
    const passwordHash = await hashPassword(password);
    const { db, tokens, users, sessions, emails } = this.repos;
    await db.transaction(async (tx) => {
      const owner = await tokens.ownerOf(hash, tx);
      if (!owner || !(await users.lockLive(owner, tx))) throw invalidToken();
      const used = await tokens.use(hash, 'reset_password', tx);
      if (!used) throw invalidToken();
      await users.setPasswordHash(used.userId, passwordHash, tx);
      await sessions.revokeAllOfUser(used.userId, tx);
      await tokens.voidOfUser(used.userId, tx, 'reset_password');
      const email = await emails.markVerified(used.emailId, tx);
      if (email?.isDefault) await users.activateIfPending(used.userId, tx);
    });
    return true;
  }
}
