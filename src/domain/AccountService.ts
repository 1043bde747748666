import { randomUUID } from 'node:crypto';
import type { UserStatus } from '../db/entities/index.js';
import type { Repositories } from '../db/repositories.js';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';
import { emailKey, isUuid } from './validation.js';

/** A status change an operator made, as it was recorded. */
export interface StatusChange {
  userId: string;
  /** The account's default address, to say whose account it was. */
  defaultEmail: string | null;
  from: UserStatus;
  to: UserStatus;
  reason: string | null;
  actor: string;
  /** Sessions the change ended (suspension ends them all). */
  revokedSessions: number;
  changedAt: Date;
}

export interface StatusChangeInput {
  /** Free text, kept with the change and logged. */
  reason?: string | undefined;
  /** Who made it (the operator command names the system user). */
  actor: string;
}

const REASON_MAX = 1000;

/**
 * The account lifecycle an operator drives: suspension and its end. Each change is one
 * transaction on the locked user row, recorded in account_status_changes with its reason.
 */
export class AccountService {
  constructor(private readonly repos: Repositories) {}

  /**
   * pending/active → suspended, in one transaction: the status it had is kept for `unsuspend`,
   * every session ends, outstanding password-reset links stop working, and the change is recorded.
   * Messages still queued for it are dropped by the mail worker when their turn comes (jobs/mail.ts).
   * Refused (CONFLICT, nothing changed) for an account already suspended or deleted.
   */
  async suspend(userRef: unknown, input: StatusChangeInput): Promise<StatusChange> {
    const reason = normalizeReason(input.reason);
    const id = await this.idOf(userRef);
    const { db, users, sessions, tokens, statusChanges } = this.repos;
    return db.transaction(async (tx) => {
      const account = await users.lockAccount(id, tx);
      if (!account) throw unknownUser(userRef);
      const from = await users.suspend(account.id, tx);
      if (!from) throw new ConflictError(`User ${describe(account)} is ${account.status}; nothing changed.`);
      const revokedSessions = await sessions.revokeAllOfUser(account.id, tx);
      await tokens.voidOfUser(account.id, tx, 'reset_password');
      const changedAt = await statusChanges.insert({ id: randomUUID(), userId: account.id, fromStatus: from, toStatus: 'suspended', reason, actor: input.actor }, tx);
      return { userId: account.id, defaultEmail: account.defaultEmail, from, to: 'suspended', reason, actor: input.actor, revokedSessions, changedAt };
    });
  }

  /** suspended → the status it had before (sessions are not given back). Refused for any other status. */
  async unsuspend(userRef: unknown, input: StatusChangeInput): Promise<StatusChange> {
    const reason = normalizeReason(input.reason);
    const id = await this.idOf(userRef);
    const { db, users, statusChanges } = this.repos;
    return db.transaction(async (tx) => {
      const account = await users.lockAccount(id, tx);
      if (!account) throw unknownUser(userRef);
      const to = await users.unsuspend(account.id, tx);
      if (!to) throw new ConflictError(`User ${describe(account)} is ${account.status}, not suspended; nothing changed.`);
      const changedAt = await statusChanges.insert({ id: randomUUID(), userId: account.id, fromStatus: 'suspended', toStatus: to, reason, actor: input.actor }, tx);
      return { userId: account.id, defaultEmail: account.defaultEmail, from: 'suspended', to, reason, actor: input.actor, revokedSessions: 0, changedAt };
    });
  }

  /** A user id, or any of the account's addresses (in any case). */
  private async idOf(userRef: unknown): Promise<string> {
    if (typeof userRef !== 'string' || userRef.trim() === '') throw ValidationError.field('user', 'give a user id or an email address');
    const ref = userRef.trim();
    const id = await this.repos.users.idByIdOrEmail(isUuid(ref) ? { id: ref.toLowerCase() } : { emailKey: emailKey(ref) });
    if (!id) throw unknownUser(ref);
    return id;
  }
}

function unknownUser(ref: unknown): NotFoundError {
  return new NotFoundError(`No user has the id or email ${JSON.stringify(String(ref).trim())}.`);
}

function describe(account: { id: string; defaultEmail: string | null }): string {
  return account.defaultEmail ? `${account.id} (${account.defaultEmail})` : account.id;
}

function normalizeReason(value: string | undefined): string | null {
  const reason = value?.trim();
  if (!reason) return null;
  if ([...reason].length > REASON_MAX) throw ValidationError.field('reason', `must be at most ${REASON_MAX} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(reason)) throw ValidationError.field('reason', 'must not contain control characters');
  return reason;
}
