/**
 * The ceiling the service is measured against: node:http + pg, nothing else. Per request it does
 * the least any implementation of the contract must: hash the token, run ONE named prepared
 * statement (token hash → live session ⋈ user, with scalar subqueries when every field is asked
 * for), and for PATCH /me one plain UPDATE. No logging, no framework, no GraphQL execution: the
 * GraphQL route only tells the two queries the bench sends apart.
 *
 * Run as a child of bench/run.ts: PORT, DATABASE_URL, and DB_POOL_MAX (default 10, as the service).
 */
import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';

const port = Number(process.env.PORT ?? 4100);
const pool = new pg.Pool({
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

interface Row {
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

async function lookup(request: IncomingMessage, full: boolean): Promise<Row | undefined> {
  const token = TOKEN.exec(request.headers.authorization?.trim() ?? '')?.[1];
  if (!token) return undefined;
  const hash = createHash('sha256').update(token).digest();
  const { rows } = await pool.query<Row>({ ...(full ? LOOKUP_FULL : LOOKUP), values: [hash] });
  const row = rows[0];
  if (row?.session_stale) pool.query({ ...TOUCH, values: [row.session_id] }).catch(() => undefined);
  return row;
}

function graphqlUser(row: Row, full: boolean): Record<string, unknown> {
  if (!full) return { id: row.id, name: row.name, status: row.status.toUpperCase(), createdAt: row.created_at.toISOString() };
  return {
    id: row.id,
    status: row.status.toUpperCase(),
    name: row.name,
    bio: row.bio,
    activeSessions: row.active_sessions,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    defaultEmail: row.default_email,
    avatarUrl: row.avatar_url,
    phoneNumber: row.phone_number,
    locale: row.locale,
    timezone: row.timezone,
  };
}

/** The REST representation: an unset optional field is absent. */
function restUser(row: Row): Record<string, unknown> {
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

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const UNAUTHENTICATED = { status: 401, title: 'Unauthorized', code: 'UNAUTHENTICATED' };

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = request.url?.split('?')[0];
  if (path === '/graphql' && request.method === 'POST') {
    const body = (await readJson(request)) as { query?: unknown };
    const full = typeof body.query === 'string' && body.query.includes('activeSessions');
    const row = await lookup(request, full);
    if (!row) {
      send(response, 200, { data: { me: null }, errors: [{ message: 'Not authenticated', extensions: { code: 'UNAUTHENTICATED' } }] });
      return;
    }
    send(response, 200, { data: { me: graphqlUser(row, full) } });
  } else if (path === '/me' && request.method === 'GET') {
    const row = await lookup(request, true);
    if (!row) return send(response, 401, UNAUTHENTICATED);
    send(response, 200, restUser(row));
  } else if (path === '/me' && request.method === 'PATCH') {
    const body = (await readJson(request)) as { bio?: unknown };
    if (typeof body.bio !== 'string' || body.bio.length > 1000) return send(response, 422, { status: 422, code: 'BAD_USER_INPUT' });
    const row = await lookup(request, false);
    if (!row) return send(response, 401, UNAUTHENTICATED);
    const { rows } = await pool.query<Row>({ ...UPDATE_BIO, values: [row.id, body.bio] });
    if (!rows[0]) return send(response, 401, UNAUTHENTICATED);
    send(response, 200, restUser(rows[0]));
  } else if (path === '/readyz') {
    await pool.query('select 1');
    send(response, 200, { status: 'ok' });
  } else {
    send(response, 404, { status: 404 });
  }
}

const server = http.createServer((request, response) => {
  handle(request, response).catch(() => {
    if (!response.headersSent) send(response, 500, { status: 500 });
    else response.destroy();
  });
});
server.listen(port, '127.0.0.1');

function shutdown(): void {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
