/**
 * What the ceiling (bench/ceiling.ts) and the peers (bench/peers/) share, so they all do the same
 * database work: a `pg` pool, the ONE named prepared statement per request (token hash → live
 * session ⋈ user, with scalar subqueries when every field is asked for), the PATCH statement, and
 * the service's JSON shapes for the fields the bench asks for.
 *
 * Each server is a child of bench/run.ts: PORT, DATABASE_URL, and DB_POOL_MAX (default 10, as the
 * service).
 */
import pg from 'pg';
import { hashToken } from '../src/domain/tokens.js';

export const port = Number(process.env.PORT ?? 4100);

export const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_MAX ?? 10),
  idleTimeoutMillis: 30_000,
  connectionTimeoutMillis: 5_000,
});

const USER_COLUMNS = 'u.id, u.status, u.name, u.bio, u.avatar_url, u.phone_number, u.locale, u.timezone, u.created_at, u.updated_at';
const LIVE_SESSIONS = `(select count(*)::int from sessions a where a.user_id = u.id and a.revoked_at is null and a.expires_at > now())`;
const DEFAULT_EMAIL = `(select e.address from user_emails e where e.user_id = u.id and e.is_default)`;
// The service's authentication query, word for word in its predicates.
const LOOKUP_WHERE = `where s.token_hash = $1 and s.revoked_at is null and s.expires_at > now() and u.status <> 'deleted'`;
const SESSION_COLUMNS = `s.id as session_id, s.last_seen_at < now() - interval '5 minutes' as session_stale`;

const LOOKUP = {
  name: 'ceiling_lookup',
  text: `select ${SESSION_COLUMNS}, ${USER_COLUMNS} from sessions s join users u on u.id = s.user_id ${LOOKUP_WHERE}`,
};
const LOOKUP_FULL = {
  name: 'ceiling_lookup_full',
  text: `select ${SESSION_COLUMNS}, ${USER_COLUMNS}, ${LIVE_SESSIONS} as active_sessions, ${DEFAULT_EMAIL} as default_email
    from sessions s join users u on u.id = s.user_id ${LOOKUP_WHERE}`,
};
const UPDATE_BIO = {
  name: 'ceiling_update_bio',
  text: `update users u set bio = $2, updated_at = greatest(now(), u.updated_at + interval '1 millisecond')
    where u.id = $1 and u.status <> 'deleted'
    returning ${USER_COLUMNS}, ${LIVE_SESSIONS} as active_sessions, ${DEFAULT_EMAIL} as default_email`,
};
const TOUCH = { name: 'ceiling_touch', text: 'update sessions set last_seen_at = now() where id = $1' };

export interface Row {
  session_id?: string;
  session_stale?: boolean;
  id: string;
  status: string;
  name: string;
  bio: string | null;
  avatar_url: string | null;
  phone_number: string | null;
  locale: string | null;
  timezone: string | null;
  created_at: Date;
  updated_at: Date;
  active_sessions?: number;
  default_email?: string | null;
}

const TOKEN = /^(?:bearer\s+)?(pgw_[A-Za-z0-9_-]{43})$/i;

/**
 * The live session and its user for an Authorization header, in one statement; `full` adds
 * `activeSessions` and `defaultEmail`. A stale `last_seen_at` is touched without waiting.
 */
export async function lookup(authorization: string | undefined, full: boolean): Promise<Row | undefined> {
  const token = TOKEN.exec(authorization?.trim() ?? '')?.[1];
  if (!token) return undefined;
  const { rows } = await pool.query<Row>({ ...(full ? LOOKUP_FULL : LOOKUP), values: [hashToken(token)] });
  const row = rows[0];
  if (row?.session_stale) pool.query({ ...TOUCH, values: [row.session_id] }).catch(() => undefined);
  return row;
}

export async function updateBio(userId: string, bio: string): Promise<Row | undefined> {
  const { rows } = await pool.query<Row>({ ...UPDATE_BIO, values: [userId, bio] });
  return rows[0];
}

/** The REST representation: an unset optional field is absent. */
export function restUser(row: Row): Record<string, unknown> {
  const user: Record<string, unknown> = { id: row.id, status: row.status, name: row.name };
  if (row.bio) user.bio = row.bio;
  user.activeSessions = row.active_sessions;
  user.createdAt = row.created_at.toISOString();
  user.updatedAt = row.updated_at.toISOString();
  if (row.default_email) user.defaultEmail = row.default_email;
  if (row.avatar_url) user.avatarUrl = row.avatar_url;
  if (row.phone_number) user.phoneNumber = row.phone_number;
  if (row.locale) user.locale = row.locale;
  if (row.timezone) user.timezone = row.timezone;
  return user;
}

export const UNAUTHENTICATED = { status: 401, title: 'Unauthorized', code: 'UNAUTHENTICATED' };
