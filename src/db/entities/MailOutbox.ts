import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { User } from './User.js';
import { UserEmail } from './UserEmail.js';

/**
 * A message to send, written in the same transaction as the change that causes it and delivered
 * by the mail worker. It records what to send, not the text: a message carrying a token is made
 * (and its token minted) when it is sent, so no token is ever stored but as its hash.
 */
export const MailOutbox = defineEntity({
  name: 'MailOutbox',
  tableName: 'mail_outbox',
  properties: {
    id: p.uuid().primary(),
    kind: p.string(),
    user: () => p.manyToOne(User).deleteRule('cascade').nullable(),
    // Kept (set null) when the address is removed: the per-address rate limit counts these rows.
    email: () => p.manyToOne(UserEmail).deleteRule('set null').nullable(),
    recipient: p.string().length(254),
    createdAt: p.datetime(3),
    nextAttemptAt: p.datetime(3),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    sentAt: p.datetime(3).nullable(),
    /** Refused for good by the mail server, or not delivered in time: no more attempts. */
    failedAt: p.datetime(3).nullable(),
  },
});
export type MailOutbox = InferEntity<typeof MailOutbox>;
