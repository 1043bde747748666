/**
 * The caller's sessions on both transports: User.sessions (order, `current`, privacy through
 * _entities), revokeSession, revokeOtherSessions, GET /me/sessions, DELETE /me/sessions/{id},
 * POST /me/sessions/revoke-others (every REST response checked against the OpenAPI document),
 * and a revoked token refused on its very next request on another instance of the same database.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, PASSWORD, signUp, startTestApp, useTestApp, usingServer, type SignedUp, type TestApp } from '../helpers.js';
import { generateEmailToken, hashToken } from '../../src/domain/tokens.js';
import { useRestClient } from './rest-client.js';

const t = useTestApp();
const { api } = useRestClient(t);

const SESSIONS = '{ me { activeSessions sessions { id current createdAt lastSeenAt expiresAt userAgent } } }';
const LOG_IN = 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token user { sessions { id current userAgent } } } }';
const sha256 = (token: string) => createHash('sha256').update(token).digest();
const codeOf = (res: { errors?: { extensions?: Record<string, any> }[] }) => res.errors?.[0]?.extensions?.code;

/** A new session of `user`, as a client with this User-Agent logs in. */
async function logIn(user: SignedUp, userAgent = 'test-client/1.0'): Promise<string> {
  const res = await gql(t.url, LOG_IN, { e: user.email, p: PASSWORD }, undefined, { 'user-agent': userAgent });
  return res.data!.logIn.token as string;
}
const sessionsOf = async (token: string, base = t.url) => (await gql(base, SESSIONS, undefined, token)).data?.me?.sessions ?? null;
const sessionIdOf = async (token: string) => (await t.sql('select id from sessions where token_hash = $1', [sha256(token)]))[0]!.id as string;
/** Whether the token still opens its session (a real request, not a look at the table). */
const works = async (token: string, base = t.url) => (await gql(base, '{ me { id } }', undefined, token)).data?.me != null;

describe('User.sessions', () => {
  it('lists the live sessions: the calling one first, then by lastSeenAt, latest first; no ended ones', async () => {
    const user = await signUp(t.url);
    const [a, b, c, ended, expired] = [await logIn(user, 'agent-a'), await logIn(user, 'agent-b'), await logIn(user, 'agent-c'), await logIn(user), await logIn(user)];
    await t.sql("update sessions set revoked_at = now() where token_hash = $1", [sha256(ended)]);
    await t.sql("update sessions set expires_at = now() - interval '1 second' where token_hash = $1", [sha256(expired)]);
    // Last used: b a minute ago, the sign-up's session two, c three, a (the caller) an hour ago.
    for (const [token, minutes] of [[b, 1], [user.token, 2], [c, 3], [a, 60]] as const) {
      await t.sql(`update sessions set last_seen_at = now() - interval '${minutes} minutes' where token_hash = $1`, [sha256(token)]);
    }
    const res = await gql(t.url, SESSIONS, undefined, a);
    expect(res.errors).toBeUndefined();
    const { sessions, activeSessions } = res.data!.me;
    expect(activeSessions).toBe(4);
    expect(sessions.map((s: { id: string }) => s.id)).toEqual([await sessionIdOf(a), await sessionIdOf(b), await sessionIdOf(user.token), await sessionIdOf(c)]);
    expect(sessions.map((s: { current: boolean }) => s.current)).toEqual([true, false, false, false]);
    expect(sessions.map((s: { userAgent: string | null }) => s.userAgent)).toEqual(['agent-a', 'agent-b', expect.any(String), 'agent-c']);
    const [first] = sessions;
    expect(Date.parse(first.expiresAt) - Date.parse(first.createdAt)).toBe(t.config.sessionTtlMs);
  });

  it('lastSeenAt follows use, to five minutes: a request on a session last seen over five minutes ago moves it to now', async () => {
    const user = await signUp(t.url);
    const id = await sessionIdOf(user.token);
    await t.sql("update sessions set last_seen_at = now() - interval '10 minutes' where id = $1", [id]);
    const before = Date.now();
    await works(user.token);
    // The touch is written beside the request (not awaited by it): wait for it.
    let lastSeen = 0;
    for (let i = 0; i < 100 && lastSeen < before - 1000; i += 1) {
      lastSeen = Date.parse((await sessionsOf(user.token))[0].lastSeenAt);
      if (lastSeen < before - 1000) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(lastSeen).toBeGreaterThanOrEqual(before - 1000);
    // One seen four minutes ago is not written again (most requests write nothing).
    await t.sql("update sessions set last_seen_at = now() - interval '4 minutes' where id = $1", [id]);
    const [{ seen }] = await t.sql('select last_seen_at as seen from sessions where id = $1', [id]);
    await works(user.token);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [{ seen: after }] = await t.sql('select last_seen_at as seen from sessions where id = $1', [id]);
    expect(new Date(after).getTime()).toBe(new Date(seen).getTime());
  });

  it('in the AuthPayload of logIn and signUp, the session just issued is the current one', async () => {
    const user = await signUp(t.url);
    const res = await gql(t.url, LOG_IN, { e: user.email, p: PASSWORD }, undefined, { 'user-agent': 'payload-agent' });
    const { token, user: { sessions } } = res.data!.logIn;
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toEqual({ id: await sessionIdOf(token), current: true, userAgent: 'payload-agent' });
    expect(sessions[1].current).toBe(false);
    const signedUp = await gql(
      t.url,
      'mutation ($i: SignUpInput!) { signUp(input: $i) { token user { sessions { id current } } } }',
      { i: { email: `x${user.email}`, password: PASSWORD, name: 'New' } },
    );
    const payload = signedUp.data!.signUp;
    expect(payload.user.sessions).toEqual([{ id: await sessionIdOf(payload.token), current: true }]);
  });

  it('answers its owner through _entities, and is FORBIDDEN to anyone else, with or without a token', async () => {
    const [owner, other] = await Promise.all([signUp(t.url), signUp(t.url)]);
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name sessions { id current } } } }';
    const r = [{ __typename: 'User', id: owner.id }];
    const own = await gql(t.url, query, { r }, owner.token);
    expect(own.errors).toBeUndefined();
    expect(own.data!._entities[0].sessions).toEqual([{ id: await sessionIdOf(owner.token), current: true }]);
    for (const token of [other.token, undefined]) {
      const res = await gql(t.url, query, { r }, token);
      expect(res.data!._entities[0]).toEqual({ id: owner.id, name: 'Test User', sessions: null });
      expect(res.errors).toEqual([expect.objectContaining({ path: ['_entities', 0, 'sessions'], extensions: { code: 'FORBIDDEN' } })]);
    }
  });
});

describe('revokeSession', () => {
  const revoke = (token: string, id: string) => gql(t.url, 'mutation ($id: UUID!) { revokeSession(id: $id) }', { id }, token);

  it('ends one session of the caller: its token gets UNAUTHENTICATED on the very next request; the others go on', async () => {
    const user = await signUp(t.url);
    const other = await logIn(user);
    const res = await revoke(user.token, await sessionIdOf(other));
    expect(res).toMatchObject({ status: 200, data: { revokeSession: true } });
    expect(await works(other)).toBe(false);
    expect(await works(user.token)).toBe(true);
    expect((await sessionsOf(user.token)).map((s: { id: string }) => s.id)).toEqual([await sessionIdOf(user.token)]);
  });

  it('ends the calling session itself when asked', async () => {
    const user = await signUp(t.url);
    const res = await revoke(user.token, await sessionIdOf(user.token));
    expect(res.data).toEqual({ revokeSession: true });
    expect(await works(user.token)).toBe(false);
  });

  it('is NOT_FOUND for an id that is not a live session of the caller: unknown, another user’s, revoked, expired; nothing changes', async () => {
    const [user, other] = await Promise.all([signUp(t.url), signUp(t.url)]);
    const [revoked, expired] = [await logIn(user), await logIn(user)];
    const revokedId = await sessionIdOf(revoked);
    await revoke(user.token, revokedId);
    const [{ revoked_at: revokedAt }] = await t.sql('select revoked_at from sessions where id = $1', [revokedId]);
    await t.sql("update sessions set expires_at = now() - interval '1 second' where token_hash = $1", [sha256(expired)]);
    const theirs = await sessionIdOf(other.token);
    for (const id of ['00000000-0000-4000-8000-000000000000', theirs, theirs.toUpperCase(), revokedId, await sessionIdOf(expired)]) {
      const res = await revoke(user.token, id);
      expect(res.data, id).toBeNull();
      expect(res.errors?.[0]).toMatchObject({ message: 'No such session among your live ones.', extensions: { code: 'NOT_FOUND' } });
    }
    expect(await works(other.token)).toBe(true);
    expect(await works(user.token)).toBe(true);
    // The revoked one keeps its first revocation time.
    const [{ revoked_at: still }] = await t.sql('select revoked_at from sessions where id = $1', [revokedId]);
    expect(new Date(still).getTime()).toBe(new Date(revokedAt).getTime());
  });

  it('needs a token', async () => {
    const res = await gql(t.url, 'mutation { revokeSession(id: "00000000-0000-4000-8000-000000000000") }');
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(t.url, 'mutation { revokeOtherSessions }'))).toBe('UNAUTHENTICATED');
  });
});

describe('revokeOtherSessions', () => {
  it('ends every live session of the caller but the calling one and says how many; another user’s are untouched', async () => {
    const [user, bystander] = await Promise.all([signUp(t.url), signUp(t.url)]);
    const others = [await logIn(user), await logIn(user), await logIn(user)];
    await t.sql("update sessions set revoked_at = now() where token_hash = $1", [sha256(others[2]!)]);
    const res = await gql(t.url, 'mutation { revokeOtherSessions }', undefined, user.token);
    expect(res.data).toEqual({ revokeOtherSessions: 2 });
    for (const token of others) expect(await works(token)).toBe(false);
    expect(await works(user.token)).toBe(true);
    expect(await works(bystander.token)).toBe(true);
    expect((await gql(t.url, '{ me { activeSessions } }', undefined, user.token)).data!.me.activeSessions).toBe(1);
    expect((await gql(t.url, 'mutation { revokeOtherSessions }', undefined, user.token)).data).toEqual({ revokeOtherSessions: 0 });
  });
});

describe('REST', () => {
  it('GET /me/sessions, DELETE /me/sessions/{id}, POST /me/sessions/revoke-others', async () => {
    const user = await api.signUp();
    const second = await api.post('/login', { email: user.email, password: PASSWORD }, { headers: { 'user-agent': 'rest-agent' } });
    const third = await api.post('/login', { email: user.email, password: PASSWORD });
    const list = await api.get('/me/sessions', { token: second.body.token });
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(3);
    expect(list.body.sessions[0]).toEqual({
      id: await sessionIdOf(second.body.token),
      current: true,
      createdAt: expect.any(String),
      lastSeenAt: expect.any(String),
      expiresAt: second.body.expiresAt,
      userAgent: 'rest-agent',
    });
    // A session whose client sent no User-Agent has none (absent, never null).
    await t.sql('update sessions set user_agent = null where token_hash = $1', [sha256(third.body.token)]);
    const thirdView = (await api.get('/me/sessions', { token: third.body.token })).body.sessions[0];
    expect(thirdView).not.toHaveProperty('userAgent');

    const deleted = await api.delete(`/me/sessions/${await sessionIdOf(third.body.token)}`, { token: user.token });
    expect(deleted.status).toBe(204);
    expect((await api.get('/me', { token: third.body.token })).status).toBe(401);
    const again = await api.delete(`/me/sessions/${await sessionIdOf(third.body.token)}`, { token: user.token });
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ code: 'NOT_FOUND' });

    const others = await api.post('/me/sessions/revoke-others', undefined, { token: user.token });
    expect(others.status).toBe(200);
    expect(others.body).toEqual({ revoked: 1 });
    expect((await api.get('/me', { token: second.body.token })).status).toBe(401);
    expect((await api.get('/me/sessions', { token: user.token })).body.sessions).toEqual([expect.objectContaining({ current: true })]);
    expect((await api.post('/me/sessions/revoke-others', {}, { token: user.token })).body).toEqual({ revoked: 0 });
  });

  it('is 404 for another user’s, an unknown and a malformed id; 401 without a token; 405 with Allow for other methods', async () => {
    const [user, other] = await Promise.all([api.signUp(), api.signUp()]);
    const theirs = await sessionIdOf(other.token);
    for (const id of [theirs, '00000000-0000-4000-8000-000000000000', 'not-a-uuid', encodeURIComponent("' or 1=1 --"), '%00']) {
      const res = await api.delete(`/me/sessions/${id}`, { token: user.token });
      expect(res.status, id).toBe(404);
    }
    expect((await api.get('/me', { token: other.token })).status).toBe(200);
    expect((await api.get('/me/sessions')).status).toBe(401);
    expect((await api.delete(`/me/sessions/${theirs}`)).status).toBe(401);
    expect((await api.post('/me/sessions/revoke-others')).status).toBe(401);
    for (const [method, path, allow] of [
      ['POST', '/me/sessions', 'GET, HEAD'],
      ['DELETE', '/me/sessions', 'GET, HEAD'],
      ['GET', `/me/sessions/${theirs}`, 'DELETE'],
      ['PUT', `/me/sessions/${theirs}`, 'DELETE'],
      ['GET', '/me/sessions/revoke-others', 'POST'],
      ['DELETE', '/me/sessions/revoke-others', 'POST'],
    ] as const) {
      const res = await api.request(method, path, { token: user.token });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
    }
    // Nothing above ended a session.
    expect(await works(other.token)).toBe(true);
  });
});

describe('the ETag of GET /me', () => {
  it('changes with activeSessions (a login, a revocation), status (pending → active) and defaultEmail; If-None-Match with the old one is a 200', async () => {
    const user = await api.signUp();
    const read = async () => {
      const res = await api.get('/me', { token: user.token });
      expect(res.status).toBe(200);
      return { etag: res.headers.get('etag')!, body: res.body };
    };
    const first = await read();
    const other = (await api.post('/login', { email: user.email, password: PASSWORD })).body.token as string;
    const loggedIn = await read();
    expect(loggedIn.body.activeSessions).toBe(first.body.activeSessions + 1);
    expect(loggedIn.etag).not.toBe(first.etag);
    const conditional = await api.get('/me', { token: user.token, headers: { 'if-none-match': first.etag } });
    expect(conditional.status).toBe(200);
    expect(conditional.headers.get('etag')).toBe(loggedIn.etag);
    expect((await api.get('/me', { token: user.token, headers: { 'if-none-match': loggedIn.etag } })).status).toBe(304);

    expect((await api.delete(`/me/sessions/${await sessionIdOf(other)}`, { token: user.token })).status).toBe(204);
    const revoked = await read();
    expect(revoked.body.activeSessions).toBe(first.body.activeSessions);
    expect(revoked.etag).not.toBe(loggedIn.etag);
    // The same representation as at first: the same (strong) tag.
    expect(revoked.etag).toBe(first.etag);

    // pending → active: the default address verified.
    const token = generateEmailToken('verify_email');
    const userId = user.user.id as string;
    const [{ id: emailId }] = await t.sql('select id from user_emails where user_id = $1 and is_default', [userId]);
    await t.repos.tokens.insert({ id: randomUUID(), kind: 'verify_email', hash: hashToken(token), userId, emailId, ttlMs: 60_000 });
    expect((await api.post('/verify-email', { token })).status).toBe(200);
    const active = await read();
    expect(active.body.status).toBe('active');
    expect(active.etag).not.toBe(revoked.etag);

    // Another verified address made the default.
    const second = `second.${randomUUID()}@example.com`;
    const added = await api.post('/me/emails', { address: second }, { token: user.token });
    await t.sql('update user_emails set verified_at = now() where id = $1', [added.body.id]);
    const setDefault = await api.put(`/me/emails/${added.body.id}/default`, { token: user.token });
    expect(setDefault.body.defaultEmail).toBe(second);
    const changedDefault = await read();
    expect(changedDefault.etag).not.toBe(active.etag);
    expect(setDefault.headers.get('etag')).toBe(changedDefault.etag);
  });
});

describe.runIf(usingServer)('two instances on one database', () => {
  // Two app instances need a database server: the embedded one is one process's (its data
  // directory is locked), so this runs only with TEST_DATABASE_URL.
  let second: TestApp | undefined;
  beforeAll(async () => {
    second = await startTestApp({}, t.testDb);
  });
  afterAll(async () => {
    await second?.close();
  });

  it('a session ended on one instance is refused on its very next request on the other', async () => {
    const user = await signUp(t.url);
    const b = second!.url;
    const tokens = [await logIn(user), await logIn(user), await logIn(user), await logIn(user)];
    for (const token of tokens) expect(await works(token, b)).toBe(true);
    // revokeSession on A: B refuses it at once.
    await gql(t.url, 'mutation ($id: UUID!) { revokeSession(id: $id) }', { id: await sessionIdOf(tokens[0]!) }, user.token);
    expect(await works(tokens[0]!, b)).toBe(false);
    // DELETE /me/sessions/{id} on B: A refuses it at once.
    const deleted = await fetch(`${b}/me/sessions/${await sessionIdOf(tokens[1]!)}`, { method: 'DELETE', headers: { authorization: `Bearer ${user.token}` } });
    expect(deleted.status).toBe(204);
    expect(await works(tokens[1]!)).toBe(false);
    // logOut on B: A refuses it.
    await gql(b, 'mutation { logOut }', undefined, tokens[2]);
    expect(await works(tokens[2]!)).toBe(false);
    // revokeOtherSessions on B: A refuses the others, keeps the caller's.
    expect((await gql(b, 'mutation { revokeOtherSessions }', undefined, user.token)).data).toEqual({ revokeOtherSessions: 1 });
    expect(await works(tokens[3]!)).toBe(false);
    expect(await works(user.token)).toBe(true);
    expect(await works(user.token, b)).toBe(true);
  });
});
