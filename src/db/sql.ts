/**
 * SQL fragments of the hot paths, written once. `u` is the users row of the statement.
 * Both PostgreSQL 15 and PGlite (18) accept them.
 */

/** Every column of the User entity but the password hash, as `em.map(User, row)` takes them. */
export const USER_COLUMNS = 'u.id, u.status, u.name, u.bio, u.avatar_url, u.phone_number, u.locale, u.timezone, u.created_at, u.updated_at';

/** The one definition of activeSessions and defaultEmail. */
export const ACCOUNT_FACTS_COLUMNS = `(select count(*)::int from sessions a where a.user_id = u.id and a.revoked_at is null and a.expires_at > now()) as active_sessions,
  (select e.address from user_emails e where e.user_id = u.id and e.is_default) as default_email`;

/** Columns a profile patch may set, by entity property. */
export const PATCH_COLUMNS = { name: 'name', bio: 'bio', avatarUrl: 'avatar_url', locale: 'locale', timezone: 'timezone' } as const;

export interface AccountFactsRow {
  active_sessions?: unknown;
  default_email?: unknown;
}
