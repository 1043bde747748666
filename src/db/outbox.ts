/**
 * Every statement on `mail_outbox`: messages to send, written in the same transaction as the
 * change that causes them and delivered by the mail worker (jobs/mail.ts) of any instance. A row
 * says what to send, not the text: a message carrying a token is made when it is sent.
 */
import { statement, type Database, type Tx } from './database.js';
import { asDate, SIGNED_IN_USER } from './sql.js';

export const MAIL_KINDS = ['verify_email', 'reset_password'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** A message the worker has claimed, and what it needs to know to make it. */
export interface ClaimedMessage {
  id: string;
  kind: MailKind;
  userId: string;
  /** Null once the address has been removed. */
  emailId: string | null;
  recipient: string;
  createdAt: Date;
  attempts: number;
}

/** The user and address a message is for, as they are now (read under the user's share lock). */
export interface MessageSubject {
  status: string;
  name: string;
  /** Absent when the address is gone. */
  email?: { address: string; isDefault: boolean; verified: boolean };
}

/** How far back the per-address limits look. */
export const RATE_WINDOW_SQL = "interval '1 hour'";

const INSERT = statement(
  'enqueue_mail',
  `insert into mail_outbox (id, kind, user_id, email_id, recipient, created_at, next_attempt_at, attempts)
   values ($1, $2, $3, $4, $5, now(), now(), 0)`,
);
const RECENT_TO = statement(
  'recent_mail_to',
  `select count(*)::int as n, min(created_at) as oldest from mail_outbox
   where lower(recipient) = $1 and kind = $2 and created_at > now() - ${RATE_WINDOW_SQL}`,
);
// One statement whether or not the address is known, so both take the same time. A message only
// for the default or a verified address of an account that may sign in (not deleted, not
// suspended), and at most $3 an hour to an address.
const ENQUEUE_RESET = statement(
  'enqueue_password_reset',
  `insert into mail_outbox (id, kind, user_id, email_id, recipient, created_at, next_attempt_at, attempts)
   select $1, 'reset_password', u.id, e.id, e.address, now(), now(), 0
   from user_emails e join users u on u.id = e.user_id
   where lower(e.address) = $2 and (e.is_default or e.verified_at is not null) and ${SIGNED_IN_USER}
     and (select count(*) from mail_outbox o
          where lower(o.recipient) = $2 and o.kind = 'reset_password' and o.created_at > now() - ${RATE_WINDOW_SQL}) < $3
   returning id`,
);
// SKIP LOCKED: instances delivering side by side each take another row, never one twice.
const CLAIM_NEXT = statement(
  'claim_next_mail',
  `select o.id, o.kind, o.user_id, o.email_id, o.recipient, o.created_at, o.attempts from mail_outbox o
   where o.sent_at is null and o.failed_at is null and o.next_attempt_at <= now() and not (o.id = any($1::uuid[]))
   order by o.next_attempt_at limit 1 for update skip locked`,
);
// A request changing this user's emails or status holds its row for update: the message waits
// for the next sweep rather than the worker waiting (no lock cycle with such a request).
const SUBJECT = statement(
  'mail_subject',
  `select u.status, u.name, e.address, e.is_default, e.verified_at is not null as verified
   from users u left join user_emails e on e.id = $2 and e.user_id = u.id
   where u.id = $1 for share of u skip locked`,
);
const USER_EXISTS = statement('mail_user_exists', 'select exists (select 1 from users where id = $1) as found');
const MARK_SENT = statement('mark_mail_sent', 'update mail_outbox set sent_at = now(), attempts = attempts + 1, last_error = null where id = $1');
const RECORD_FAILURE = statement(
  'record_mail_failure',
  `update mail_outbox set attempts = attempts + 1, last_error = $2,
     next_attempt_at = now() + least($4 * interval '1 millisecond', $3 * interval '1 millisecond' * power(2, attempts))
   where id = $1 returning next_attempt_at`,
);
const MARK_FAILED = statement('mark_mail_failed', 'update mail_outbox set failed_at = now(), attempts = attempts + 1, last_error = $2 where id = $1');
const DELETE = statement('delete_mail', 'delete from mail_outbox where id = $1');
// SKIP LOCKED: a message the worker is sending right now is not waited for (it is going out).
const DELETE_UNSENT_OF_USER = statement(
  'delete_unsent_mail_of_user',
  `delete from mail_outbox where id in (
     select id from mail_outbox where user_id = $1 and sent_at is null for update skip locked)`,
);
const CLEAN_UP = statement(
  'clean_up_mail',
  `delete from mail_outbox where coalesce(sent_at, failed_at) < now() - $1 * interval '1 millisecond' returning id`,
);
const BACKLOG = statement('mail_backlog', 'select count(*)::int as n from mail_outbox where sent_at is null and failed_at is null');

export class OutboxRepository {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly db: Database) {}

  /** `listener` is called whenever a message may have been queued (after the commit). */
  onEnqueued(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notifyAfter(tx: Tx | undefined): void {
    const notify = () => {
      for (const listener of this.listeners) listener();
    };
    if (tx) tx.afterCommit(notify);
    else setImmediate(notify);
  }

  /** Queues a message; it goes out once `tx` commits. */
  async enqueue(message: { id: string; kind: MailKind; userId: string; emailId: string; recipient: string }, tx?: Tx): Promise<void> {
    await this.db.query(INSERT, [message.id, message.kind, message.userId, message.emailId, message.recipient], tx);
    this.notifyAfter(tx);
  }

  /** Messages of this kind queued for this address (lower-case key) in the last hour, and the oldest's time. */
  async recentTo(addressKey: string, kind: MailKind, tx?: Tx): Promise<{ count: number; oldest: Date | null }> {
    const row = await this.db.one<{ n: number; oldest: unknown }>(RECENT_TO, [addressKey, kind], tx);
    return { count: row?.n ?? 0, oldest: row?.oldest == null ? null : asDate(row.oldest) };
  }

  /**
   * Queues a reset message for the address (lower-case key) if it is the default or a verified
   * address of a live account and has had fewer than `perHour` in the last hour. The same
   * statements, the same work, whether or not it queues anything; the commit does not wait for
   * the disk either way (a write would otherwise take an fsync longer than no write), at the price
   * of losing the request if the server crashes in the next fraction of a second.
   */
  async requestPasswordReset(id: string, addressKey: string, perHour: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('set local synchronous_commit = off');
      await this.db.query(ENQUEUE_RESET, [id, addressKey, perHour], tx);
      this.notifyAfter(tx);
    });
  }

  /** The next due message (other than `skip`), locked until `tx` ends; rows other workers hold are skipped. */
  async claimNext(skip: readonly string[], tx: Tx): Promise<ClaimedMessage | undefined> {
    const row = await this.db.one(CLAIM_NEXT, [skip], tx);
    if (!row) return undefined;
    return {
      id: row.id as string,
      kind: row.kind as MailKind,
      userId: row.user_id as string,
      emailId: (row.email_id as string | null) ?? null,
      recipient: row.recipient as string,
      createdAt: asDate(row.created_at),
      attempts: Number(row.attempts),
    };
  }

  /**
   * The user (share-locked until `tx` ends) and address a message is for. 'busy' when a request
   * holds the user's row right now; 'gone' when the user no longer exists.
   */
  async subject(userId: string, emailId: string | null, tx: Tx): Promise<MessageSubject | 'busy' | 'gone'> {
    const row = await this.db.one(SUBJECT, [userId, emailId], tx);
    if (!row) return (await this.db.one<{ found: boolean }>(USER_EXISTS, [userId], tx))?.found ? 'busy' : 'gone';
    const subject: MessageSubject = { status: row.status as string, name: row.name as string };
    if (row.address != null) subject.email = { address: row.address as string, isDefault: Boolean(row.is_default), verified: Boolean(row.verified) };
    return subject;
  }

  async markSent(id: string, tx?: Tx): Promise<void> {
    await this.db.query(MARK_SENT, [id], tx);
  }

  /** Records a failed attempt; the next one comes after `baseMs` · 2^attempts, at most `maxMs`. */
  async recordFailure(id: string, error: string, backoff: { baseMs: number; maxMs: number }, tx?: Tx): Promise<Date | undefined> {
    const row = await this.db.one<{ next_attempt_at: unknown }>(RECORD_FAILURE, [id, error.slice(0, 1000), backoff.baseMs, backoff.maxMs], tx);
    return row ? asDate(row.next_attempt_at) : undefined;
  }

  /** No more attempts at this message. */
  async markFailed(id: string, error: string, tx?: Tx): Promise<void> {
    await this.db.query(MARK_FAILED, [id, error.slice(0, 1000)], tx);
  }

  /** Drops a message that no longer has anyone to go to. */
  async delete(id: string, tx?: Tx): Promise<void> {
    await this.db.query(DELETE, [id], tx);
  }

  /** Drops every message of a user not yet sent (account deletion). */
  async deleteUnsentOfUser(userId: string, tx?: Tx): Promise<void> {
    await this.db.query(DELETE_UNSENT_OF_USER, [userId], tx);
  }

  /** Forgets messages sent or given up on more than `olderThanMs` ago; returns how many. */
  async cleanUp(olderThanMs: number, tx?: Tx): Promise<number> {
    return (await this.db.query(CLEAN_UP, [olderThanMs], tx)).length;
  }

  /** Messages waiting to go out. */
  async backlog(tx?: Tx): Promise<number> {
    return (await this.db.one<{ n: number }>(BACKLOG, [], tx))?.n ?? 0;
  }
}
