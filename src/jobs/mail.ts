/**
 * The mail worker, in every instance: delivers what the outbox holds. Each message is claimed
 * (FOR UPDATE SKIP LOCKED) in a transaction of its own, which also mints its token (the hash
 * stored, the address's previous token of that kind voided), sends it, and marks it sent. So:
 * - two instances never send one message (the row stays locked until it is marked sent);
 * - a failed send leaves no token behind (a savepoint undoes the minting), and the message is
 *   retried with exponential backoff; a 5xx refusal or a day without success ends the attempts;
 * - a message survives restarts: it is a row until it is sent.
 * A message whose account is gone, whose address was removed, or that no longer applies (an
 * address verified meanwhile) is dropped. Nothing logged names a recipient or carries a token.
 */
import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/database.js';
import type { ClaimedMessage, MessageSubject } from '../db/outbox.js';
import type { Repositories } from '../db/repositories.js';
import { generateEmailToken, hashToken } from '../domain/tokens.js';
import { renderMessage } from '../mail/templates.js';
import { isPermanentMailError, mailErrorSummary, type MailTransport } from '../mail/transports.js';
import { startPeriodic } from './periodic.js';

export interface MailLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface MailWorkerOptions {
  transport: MailTransport;
  /** PUBLIC_URL: where the links in messages point. */
  publicUrl: string;
  emailVerificationTtlMs: number;
  passwordResetTtlMs: number;
  /** How often the outbox is looked at besides when this instance queues a message (default 5 s). */
  intervalMs?: number;
  /** Backoff between attempts: baseMs · 2^(attempts − 1), at most maxMs (defaults 2 s, 15 min). */
  retry?: { baseMs: number; maxMs: number };
  /** A message not delivered this long after it was queued is given up (default 24 h). */
  giveUpAfterMs?: number;
  log?: MailLogger;
}

const DEFAULT_RETRY = { baseMs: 2_000, maxMs: 15 * 60_000 };
const DAY_MS = 24 * 3_600_000;
/** Sent and failed messages are kept a day (the per-address limits look back an hour), then erased. */
const KEEP_DONE_MS = DAY_MS;
const CLEAN_UP_EVERY = 60;

export interface Delivery {
  sent: number;
  failed: number;
  dropped: number;
  /** Left for a later sweep: their user was busy, or the send failed and will be retried. */
  deferred: number;
}

type Outcome = keyof Delivery;

/** Delivers every message due now, one transaction each; returns what became of them. */
export async function deliverDueMessages(repos: Repositories, options: MailWorkerOptions): Promise<Delivery> {
  const delivery: Delivery = { sent: 0, failed: 0, dropped: 0, deferred: 0 };
  // Each message is tried at most once a sweep; the ones seen are skipped by the next claims.
  const seen: string[] = [];
  for (;;) {
    const outcome = await repos.db.transaction(async (tx): Promise<Outcome | undefined> => {
      const message = await repos.outbox.claimNext(seen, tx);
      if (!message) return undefined;
      seen.push(message.id);
      const subject = await repos.outbox.subject(message.userId, message.emailId, tx);
      if (subject === 'busy') return 'deferred';
      const reason = obsolete(message, subject);
      if (reason) {
        await repos.outbox.delete(message.id, tx);
        options.log?.info({ messageId: message.id, kind: message.kind, reason }, 'mail dropped');
        return 'dropped';
      }
      if (Date.now() - message.createdAt.getTime() > (options.giveUpAfterMs ?? DAY_MS)) {
        await repos.outbox.markFailed(message.id, 'not delivered in time', tx);
        options.log?.error({ messageId: message.id, kind: message.kind, attempts: message.attempts }, 'mail given up: not delivered in time');
        return 'failed';
      }
      try {
        await tx.savepoint(() => mintAndSend(repos, options, message, (subject as MessageSubject).name, tx));
      } catch (error) {
        const summary = mailErrorSummary(error);
        const attempts = message.attempts + 1;
        if (isPermanentMailError(error)) {
          await repos.outbox.markFailed(message.id, summary, tx);
          options.log?.error({ messageId: message.id, kind: message.kind, attempts, error: summary }, 'mail refused by the mail server; not retried');
          return 'failed';
        }
        const next = await repos.outbox.recordFailure(message.id, summary, options.retry ?? DEFAULT_RETRY, tx);
        options.log?.warn({ messageId: message.id, kind: message.kind, attempts, nextAttemptAt: next, error: summary }, 'mail not sent; will retry');
        return 'deferred';
      }
      await repos.outbox.markSent(message.id, tx);
      options.log?.info({ messageId: message.id, kind: message.kind, attempts: message.attempts + 1, via: options.transport.name }, 'mail sent');
      return 'sent';
    });
    if (!outcome) return delivery;
    delivery[outcome] += 1;
  }
}

/** Why a message should no longer go out, if it should not. */
function obsolete(message: ClaimedMessage, subject: Exclude<MessageSubject | 'gone', 'busy'>): string | undefined {
  if (subject === 'gone' || subject.status === 'deleted') return 'account deleted';
  // Queued before the suspension: an operator's suspension stops every message on the account's
  // behalf (its password is reset by no one, and an address it added, perhaps a stranger's, gets nothing).
  if (subject.status === 'suspended') return 'account suspended';
  if (!subject.email) return 'address removed';
  if (message.kind === 'verify_email' && subject.email.verified) return 'address already verified';
  if (message.kind === 'reset_password' && !subject.email.isDefault && !subject.email.verified) return 'address no longer verified';
  return undefined;
}

/** A fresh token for the message's address (the previous one of its kind voided), and the message. */
async function mintAndSend(repos: Repositories, options: MailWorkerOptions, message: ClaimedMessage, name: string, tx: Tx): Promise<void> {
  const ttlMs = message.kind === 'verify_email' ? options.emailVerificationTtlMs : options.passwordResetTtlMs;
  const token = generateEmailToken(message.kind);
  const emailId = message.emailId!;
  await repos.tokens.voidForEmail(emailId, message.kind, tx);
  await repos.tokens.insert({ id: randomUUID(), kind: message.kind, hash: hashToken(token), userId: message.userId, emailId, ttlMs }, tx);
  await options.transport.send(renderMessage({ kind: message.kind, to: message.recipient, name, token, publicUrl: options.publicUrl, ttlMs }));
}

export interface MailWorker {
  /** Delivers what is due now (also what the timer and new messages do); sweeps never overlap. */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Sweeps at start, whenever this instance queues a message (after its commit), and every
 * intervalMs (for other instances' messages and retries), until stopped.
 */
export function startMailWorker(repos: Repositories, options: MailWorkerOptions): MailWorker {
  let sweeps = 0;
  const once = async () => {
    try {
      await deliverDueMessages(repos, options);
      if (++sweeps % CLEAN_UP_EVERY === 1) await repos.outbox.cleanUp(KEEP_DONE_MS);
    } catch (error) {
      options.log?.error({ err: error }, 'mail sweep failed; will retry');
    }
  };
  // Something queued (or the timer firing) while sweeping: look again once this sweep is done.
  const periodic = startPeriodic(once, options.intervalMs ?? 5_000, {
    rerun: true,
    onStop: () => {
      unsubscribe();
      options.transport.close();
    },
  });
  const unsubscribe = repos.outbox.onEnqueued(() => void periodic.wake());
  return { sweep: periodic.wake, stop: periodic.stop };
}
