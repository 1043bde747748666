/**
 * The ceiling the service is measured against: node:http + pg, nothing else. Per request it does
 * the least any implementation of the contract must: hash the token, run ONE named prepared
 * statement (token hash → live session ⋈ user, with scalar subqueries when every field is asked
 * for), and for PATCH /me one plain UPDATE. No logging, no framework, no GraphQL execution: the
 * GraphQL route only tells the two queries the bench sends apart.
 *
 * The statements and the pool are in bench/lookup.ts, shared with the peers (bench/peers/).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { lookup, pool, port, restUser, UNAUTHENTICATED, updateBio, type Row } from './lookup.js';

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

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = request.url?.split('?')[0];
  if (path === '/graphql' && request.method === 'POST') {
    const body = (await readJson(request)) as { query?: unknown };
    const full = typeof body.query === 'string' && body.query.includes('activeSessions');
    const row = await lookup(request.headers.authorization, full);
    if (!row) {
      send(response, 200, { data: { me: null }, errors: [{ message: 'Not authenticated', extensions: { code: 'UNAUTHENTICATED' } }] });
      return;
    }
    send(response, 200, { data: { me: graphqlUser(row, full) } });
  } else if (path === '/me' && request.method === 'GET') {
    const row = await lookup(request.headers.authorization, true);
    if (!row) return send(response, 401, UNAUTHENTICATED);
    send(response, 200, restUser(row));
  } else if (path === '/me' && request.method === 'PATCH') {
    const body = (await readJson(request)) as { bio?: unknown };
    if (typeof body.bio !== 'string' || body.bio.length > 1000) return send(response, 422, { status: 422, code: 'BAD_USER_INPUT' });
    const row = await lookup(request.headers.authorization, false);
    if (!row) return send(response, 401, UNAUTHENTICATED);
    const updated = await updateBio(row.id, body.bio);
    if (!updated) return send(response, 401, UNAUTHENTICATED);
    send(response, 200, restUser(updated));
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
