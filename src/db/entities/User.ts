import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

export const USER_STATUSES = ['pending', 'active', 'suspended', 'deleted'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** A user of the platform: the profile this service owns. Emails and sessions hang off it. */
export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.uuid().primary(),
    status: p.enum([...USER_STATUSES]).default('pending'),
    name: p.string().length(100),
    bio: p.string().length(1000).nullable(),
    avatarUrl: p.string().length(2048).nullable(),
    phoneNumber: p.string().length(16).nullable(),
    locale: p.string().length(35).nullable(),
    timezone: p.string().length(64).nullable(),
    passwordHash: p.text().hidden().lazy(),
    /** While suspended: the status `unsuspend` restores. */
    statusBeforeSuspension: p.string().nullable(),
    createdAt: p.datetime(3),
    updatedAt: p.datetime(3),
  },
});
export type User = InferEntity<typeof User>;

/**
 * A user's profile as it is read and answered: every field of the entity but the password hash,
 * as plain data. The hot paths build it straight from a row (db/sql.ts); an entity is one too.
 */
export type Profile = Pick<User, 'id' | 'status' | 'name' | 'bio' | 'avatarUrl' | 'phoneNumber' | 'locale' | 'timezone' | 'createdAt' | 'updatedAt'>;
