import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { User } from './User.js';

/** Who changed an account's status, from what to what, and why (suspension by an operator). */
export const AccountStatusChange = defineEntity({
  name: 'AccountStatusChange',
  tableName: 'account_status_changes',
  properties: {
    id: p.uuid().primary(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    fromStatus: p.string(),
    toStatus: p.string(),
    reason: p.text().nullable(),
    actor: p.string(),
    changedAt: p.datetime(3),
  },
});
export type AccountStatusChange = InferEntity<typeof AccountStatusChange>;
