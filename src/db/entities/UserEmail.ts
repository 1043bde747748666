import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { User } from './User.js';

/** An email address of a user. Unique case-insensitively; at most one default per user. */
export const UserEmail = defineEntity({
  name: 'UserEmail',
  tableName: 'user_emails',
  properties: {
    id: p.uuid().primary(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    address: p.string().length(254),
    isDefault: p.boolean().default(false),
    createdAt: p.datetime(3),
    verifiedAt: p.datetime(3).nullable(),
  },
});
export type UserEmail = InferEntity<typeof UserEmail>;
