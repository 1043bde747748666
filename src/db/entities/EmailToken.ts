import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { User } from './User.js';
import { UserEmail } from './UserEmail.js';

export const EMAIL_TOKEN_KINDS = ['verify_email', 'reset_password'] as const;
export type EmailTokenKind = (typeof EMAIL_TOKEN_KINDS)[number];

/** A one-time token sent to an address (verification, password reset). Only its SHA-256 is stored. */
export const EmailToken = defineEntity({
  name: 'EmailToken',
  tableName: 'email_tokens',
  properties: {
    id: p.uuid().primary(),
    kind: p.enum([...EMAIL_TOKEN_KINDS]),
    tokenHash: p.blob().unique(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    email: () => p.manyToOne(UserEmail).deleteRule('cascade'),
    createdAt: p.datetime(3),
    expiresAt: p.datetime(3),
    usedAt: p.datetime(3).nullable(),
    voidedAt: p.datetime(3).nullable(),
  },
});
export type EmailToken = InferEntity<typeof EmailToken>;
