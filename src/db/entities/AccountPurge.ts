import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/**
 * A durable request to erase a deleted user's data. Written in the same transaction that marks
 * the user deleted; removed in the same transaction that erases the user.
 */
export const AccountPurge = defineEntity({
  name: 'AccountPurge',
  tableName: 'account_purges',
  properties: {
    userId: p.uuid().primary(),
    requestedAt: p.datetime(3),
    dueAt: p.datetime(3),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
  },
});
export type AccountPurge = InferEntity<typeof AccountPurge>;
