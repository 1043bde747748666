import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/database.js';
import type { EmailRow } from '../db/emails.js';
import type { Profile } from '../db/entities/index.js';
import { isUniqueViolation } from '../db/errors.js';
import type { Repositories } from '../db/repositories.js';
import { ConflictError, NotFoundError, RateLimitedError, UnauthenticatedError, ValidationError } from './errors.js';
import { hashToken, isWellFormedEmailToken } from './tokens.js';
import { emailKey, isUuid, normalizeEmail } from './validation.js';

/** An address as clients see it. */
export interface EmailView {
  id: string;
  address: string;
  verified: boolean;
  isDefault: boolean;
  createdAt: Date;
  verifiedAt: Date | null;
}

/** At most this many verification messages to one address per hour (the first one included). */
export const VERIFICATIONS_PER_HOUR = 3;
const HOUR_MS = 3_600_000;

/** One message for every bad token, whatever was wrong with it. */
export const INVALID_TOKEN_MESSAGE = 'This link is invalid or has expired; ask for a new one.';
export const invalidToken = () => ValidationError.field('token', INVALID_TOKEN_MESSAGE);

export function emailView(row: EmailRow): EmailView {
  return { id: row.id, address: row.address, verified: row.verifiedAt !== null, isDefault: row.isDefault, createdAt: row.createdAt, verifiedAt: row.verifiedAt };
}

/**
 * A user's email addresses: listing, adding (with a verification message), verifying by token,
 * choosing the default, removing. Every write locks the user's row first, so two requests on one
 * account's addresses (verify, setDefault, remove, add) take turns.
 */
export class EmailService {
  constructor(
    private readonly repos: Repositories,
    private readonly options: { emailsPerUser: number },
  ) {}

  async list(userId: string): Promise<EmailView[]> {
    return (await this.repos.emails.ofUser(userId)).map(emailView);
  }

  /** Adds an unverified address and queues its verification message. */
  async add(userId: string, input: unknown): Promise<EmailView> {
    const address = normalizeEmail(input, 'address');
    const key = emailKey(address);
    const { db, emails, outbox } = this.repos;
    try {
      return await db.transaction(async (tx) => {
        await this.lockUser(userId, tx);
        if ((await emails.countOfUser(userId, tx)) >= this.options.emailsPerUser) {
          throw ValidationError.field('address', `An account can have at most ${this.options.emailsPerUser} email addresses; remove one first.`);
        }
        if (await emails.taken(key, tx)) throw addressTaken();
        await this.checkVerificationBudget(key, tx);
        const id = randomUUID();
        await emails.insert({ id, userId, address, isDefault: false }, tx);
        await outbox.enqueue({ id: randomUUID(), kind: 'verify_email', userId, emailId: id, recipient: address }, tx);
        return emailView((await emails.findOwn(userId, id, tx))!);
      });
    } catch (error) {
      // Two requests adding one address at once: the unique index decides, one CONFLICT.
      if (isUniqueViolation(error)) throw addressTaken();
      throw error;
    }
  }

  /** Queues a new verification message for one of the user's unverified addresses. */
  async sendVerification(userId: string, id: string): Promise<void> {
    const { db, outbox } = this.repos;
    await db.transaction(async (tx) => {
      await this.lockUser(userId, tx);
      const email = await this.findOwn(userId, id, tx);
      if (email.verifiedAt) throw ValidationError.field('id', 'This address is already verified.');
      await this.checkVerificationBudget(emailKey(email.address), tx);
      await outbox.enqueue({ id: randomUUID(), kind: 'verify_email', userId, emailId: email.id, recipient: email.address }, tx);
    });
  }

  /**
   * Verifies the address a verification token was sent to, and returns it. Verifying the default
   * address of a pending account makes it active, in the same transaction.
   */
  async verify(token: unknown): Promise<EmailView> {
    if (!isWellFormedEmailToken(token, 'verify_email')) throw invalidToken();
    const hash = hashToken(token);
    const { db, tokens, emails, users } = this.repos;
    return db.transaction(async (tx) => {
      // The user's row first, as every other write to their addresses does (no lock cycle).
      const owner = await tokens.ownerOf(hash, tx);
      if (!owner || !(await users.lockLive(owner, tx))) throw invalidToken();
      const used = await tokens.use(hash, 'verify_email', tx);
      if (!used) throw invalidToken();
      const email = await emails.markVerified(used.emailId, tx);
      if (!email) throw invalidToken();
      await tokens.voidForEmail(email.id, 'verify_email', tx);
      if (email.isDefault) await users.activateIfPending(used.userId, tx);
      return emailView(email);
    });
  }

  /** Makes a verified address the default; a pending account becomes active. Returns the user. */
  async setDefault(userId: string, id: string): Promise<Profile> {
    const { db, emails, users } = this.repos;
    return db.transaction(async (tx) => {
      const user = await this.lockUser(userId, tx);
      const email = await this.findOwn(userId, id, tx);
      if (!email.verifiedAt) throw ValidationError.field('id', 'Only a verified address can be the default; verify it first.');
      if (!email.isDefault) await emails.setDefault(userId, email.id, tx);
      return (await users.activateIfPending(userId, tx)) ?? user;
    });
  }

  /** Removes one of the user's addresses; never the default. */
  async remove(userId: string, id: string): Promise<void> {
    const { db, emails } = this.repos;
    await db.transaction(async (tx) => {
      await this.lockUser(userId, tx);
      if (isUuid(id) && (await emails.removeUnlessDefault(userId, id, tx))) return;
      await this.findOwn(userId, id, tx);
      throw ValidationError.field('id', 'The default address cannot be removed; make another verified address the default first.');
    });
  }

  private async lockUser(userId: string, tx: Tx): Promise<Profile> {
    const user = await this.repos.users.lockLive(userId, tx);
    if (!user) throw new UnauthenticatedError();
    return user;
  }

  /** One of the user's addresses, or NOT_FOUND whether or not the id exists. */
  private async findOwn(userId: string, id: string, tx: Tx): Promise<EmailRow> {
    const email = isUuid(id) ? await this.repos.emails.findOwn(userId, id, tx) : undefined;
    if (!email) throw new NotFoundError('No such email address among yours.');
    return email;
  }

  /** At most VERIFICATIONS_PER_HOUR verification messages to one address per hour. */
  private async checkVerificationBudget(key: string, tx: Tx): Promise<void> {
    const { count, oldest } = await this.repos.outbox.recentTo(key, 'verify_email', tx);
    if (count < VERIFICATIONS_PER_HOUR) return;
    const waitMs = (oldest ? oldest.getTime() + HOUR_MS : Date.now() + HOUR_MS) - Date.now();
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    throw new RateLimitedError(seconds, `At most ${VERIFICATIONS_PER_HOUR} verification messages an hour go to one address; retry in ${seconds} s.`);
  }
}

function addressTaken(): ConflictError {
  return new ConflictError('This address already belongs to an account.', 'address');
}
