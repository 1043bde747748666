/**
 * SQL fragments of the hot paths, written once. `u` is the users row of the statement.
 * Both PostgreSQL 15 and PGlite (18) accept them.
 */

import type { Profile } from './entities/User.js';

/** Every column of a Profile, named as its fields: profileFromRow takes them. */
export const USER_COLUMNS =
  'u.id, u.status, u.name, u.bio, u.avatar_url as "avatarUrl", u.phone_number as "phoneNumber", u.locale, u.timezone, u.created_at as "createdAt", u.updated_at as "updatedAt"';

/**
 * The Profile in a row selected with USER_COLUMNS. Plain data, no identity map: mapping a row into
 * a managed entity (em.map) cost ~75 µs per request, more than the statement itself. The driver
 * hands timestamps over as text (MikroORM's type parsers), e.g. `2026-11-27 08:40:28.123+00`.
 */
export function profileFromRow(row: Record<string, unknown>): Profile {
  return {
    id: row.id as string,
    status: row.status as Profile['status'],
    name: row.name as string,
    bio: row.bio as string | null,
    avatarUrl: row.avatarUrl as string | null,
    phoneNumber: row.phoneNumber as string | null,
    locale: row.locale as string | null,
    timezone: row.timezone as string | null,
    createdAt: asDate(row.createdAt),
    updatedAt: asDate(row.updatedAt),
  };
}

function asDate(value: unknown): Date {
  const date = value instanceof Date ? value : new Date(value as string);
  if (Number.isNaN(date.getTime())) throw new TypeError(`Not a timestamp: ${String(value)}`);
  return date;
}

/** The one definition of activeSessions and defaultEmail. */
export const ACCOUNT_FACTS_COLUMNS = `(select count(*)::int from sessions a where a.user_id = u.id and a.revoked_at is null and a.expires_at > now()) as active_sessions,
  (select e.address from user_emails e where e.user_id = u.id and e.is_default) as default_email`;

/** Columns a profile patch may set, by entity property. */
export const PATCH_COLUMNS = { name: 'name', bio: 'bio', avatarUrl: 'avatar_url', locale: 'locale', timezone: 'timezone' } as const;

export interface AccountFactsRow {
  active_sessions?: unknown;
  default_email?: unknown;
}
