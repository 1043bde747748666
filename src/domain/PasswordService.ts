import { randomUUID } from 'node:crypto';
import type { Repositories } from '../db/repositories.js';
import { invalidToken } from './EmailService.js';
import { UnauthenticatedError, ValidationError, type FieldError } from './errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { hashToken, isWellFormedEmailToken } from './tokens.js';
import { emailKey, normalizeEmail, validatePassword } from './validation.js';

/** At most this many reset messages to one address per hour; further requests send nothing. */
export const RESETS_PER_HOUR = 3;

const WRONG_CURRENT_PASSWORD = 'is not your current password';

/** Password change by a signed-in user, and reset by a link sent to the account's default or a verified address. */
export class PasswordService {
  constructor(private readonly repos: Repositories) {}

  /**
   * Changes the password of the session's user, given the current one: every other session of
   * the user ends, the calling one stays, and outstanding reset links stop working. A wrong
   * current password changes nothing (BAD_USER_INPUT on currentPassword), and ends no session.
   */
  async change(session: { userId: string; sessionId: string }, currentPassword: unknown, newPassword: unknown): Promise<{ revokedSessions: number }> {
    const errors: FieldError[] = [];
    if (typeof currentPassword !== 'string') errors.push({ field: 'currentPassword', message: currentPassword == null ? 'is required' : 'must be a string' });
    let password: string | undefined;
    try {
      password = validatePassword(newPassword, 'newPassword');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      errors.push(...error.errors);
    }
    if (errors.length > 0) throw new ValidationError(errors);
    const { db, users, sessions, tokens } = this.repos;
    const currentHash = await users.passwordHashOf(session.userId);
    if (!currentHash) throw new UnauthenticatedError();
    if (!(await verifyPassword(currentHash, currentPassword as string))) throw ValidationError.field('currentPassword', WRONG_CURRENT_PASSWORD);
    // Hashed before the transaction: no row stays locked while argon2 works.
    const passwordHash = await hashPassword(password!);
    return db.transaction(async (tx) => {
      if (!(await users.lockLive(session.userId, tx))) throw new UnauthenticatedError();
      // The calling session must still be live: one revoked meanwhile (by its owner, say) changes nothing.
      if (!(await sessions.lockLive(session.sessionId, tx))) throw new UnauthenticatedError();
      // Another change won the race: the password checked above is no longer the current one.
      if (!(await users.replacePasswordHash(session.userId, currentHash, passwordHash, tx))) {
        throw ValidationError.field('currentPassword', WRONG_CURRENT_PASSWORD);
      }
      const revokedSessions = await sessions.revokeOthers(session.userId, session.sessionId, tx);
      await tokens.voidOfUser(session.userId, tx, 'reset_password');
      return { revokedSessions };
    });
  }

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
      const user = owner ? await users.lockLive(owner, tx) : undefined;
      // A suspended account's links were voided by its suspension; this holds regardless.
      if (!user || user.status === 'suspended') throw invalidToken();
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
