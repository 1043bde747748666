/**
 * changePassword and POST /me/password: the current password checked, the sign-up rules for the
 * new one, every other session ended and the calling one kept, outstanding reset links voided,
 * nothing changed by a refused attempt, and the rate limits (per client IP with logIn, per account).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { generateEmailToken, hashToken } from '../../src/domain/tokens.js';
import { GENEROUS_RATE_LIMITS, gql, PASSWORD, signUp, useTestApp, type SignedUp } from '../helpers.js';
import { restClientFor, useRestClient } from './rest-client.js';

const t = useTestApp();
const { api } = useRestClient(t);

const NEW_PASSWORD = 'a new and longer passphrase';
const CHANGE = 'mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }';
const change = (token: string | undefined, c: unknown, n: unknown, base = t.url) => gql(base, CHANGE, { c, n }, token);
const logIn = async (email: string, password: string, base = t.url) =>
  gql(base, 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }', { e: email, p: password });
const tokenOf = async (email: string, password: string) => (await logIn(email, password)).data?.logIn?.token as string | undefined;
const works = async (token: string) => (await gql(t.url, '{ me { id } }', undefined, token)).data?.me != null;
const passwordHashOf = async (id: string) => (await t.sql('select password_hash from users where id = $1', [id]))[0]!.password_hash as string;

/** A reset link's token for the user's default address, as the mail worker would mint it. */
async function outstandingResetToken(user: SignedUp): Promise<string> {
  const token = generateEmailToken('reset_password');
  const [{ id: emailId }] = await t.sql('select id from user_emails where user_id = $1 and is_default', [user.id]);
  await t.repos.tokens.insert({ id: randomUUID(), kind: 'reset_password', hash: hashToken(token), userId: user.id, emailId, ttlMs: 3_600_000 });
  return token;
}

describe('changePassword', () => {
  it('sets the new password, ends every other session, keeps the calling one, and voids outstanding reset links', async () => {
    const user = await signUp(t.url);
    const others = [(await tokenOf(user.email, PASSWORD))!, (await tokenOf(user.email, PASSWORD))!];
    const resetToken = await outstandingResetToken(user);
    const res = await change(user.token, PASSWORD, NEW_PASSWORD);
    expect(res).toMatchObject({ status: 200, data: { changePassword: true } });
    expect(res.errors).toBeUndefined();
    expect(await works(user.token)).toBe(true);
    for (const token of others) expect(await works(token)).toBe(false);
    expect((await gql(t.url, '{ me { activeSessions } }', undefined, user.token)).data!.me.activeSessions).toBe(1);
    expect(await tokenOf(user.email, NEW_PASSWORD)).toMatch(/^pgw_/);
    const old = await logIn(user.email, PASSWORD);
    expect(old.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // A reset link sent before the change no longer works.
    const reset = await gql(t.url, 'mutation ($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }', { t: resetToken, p: 'yet another passphrase' });
    expect(reset.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token' });
    expect(await tokenOf(user.email, NEW_PASSWORD)).toMatch(/^pgw_/);
  });

  it('a wrong current password is BAD_USER_INPUT on currentPassword: the caller stays logged in, nothing changes', async () => {
    const user = await signUp(t.url);
    const other = (await tokenOf(user.email, PASSWORD))!;
    const hash = await passwordHashOf(user.id);
    for (const wrong of ['not the password', PASSWORD.toUpperCase(), `${PASSWORD} `, '']) {
      const res = await change(user.token, wrong, NEW_PASSWORD);
      expect(res.data).toBeNull();
      expect(res.errors).toEqual([expect.objectContaining({ message: 'currentPassword: is not your current password', extensions: { code: 'BAD_USER_INPUT', field: 'currentPassword' } })]);
    }
    expect(await works(user.token)).toBe(true);
    expect(await works(other)).toBe(true);
    expect(await passwordHashOf(user.id)).toBe(hash);
    expect(await tokenOf(user.email, PASSWORD)).toMatch(/^pgw_/);
  });

  it('the new password follows the sign-up rules (BAD_USER_INPUT on newPassword), and nothing changes', async () => {
    const user = await signUp(t.url);
    const other = (await tokenOf(user.email, PASSWORD))!;
    const hash = await passwordHashOf(user.id);
    for (const weak of ['short', 'x'.repeat(257), '\ud800 lone surrogate']) {
      const res = await change(user.token, PASSWORD, weak);
      expect(res.errors?.[0]?.extensions, weak.slice(0, 10)).toEqual({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    }
    expect(await passwordHashOf(user.id)).toBe(hash);
    expect(await works(other)).toBe(true);
  });

  it('needs a live session', async () => {
    const user = await signUp(t.url);
    expect((await change(undefined, PASSWORD, NEW_PASSWORD)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await gql(t.url, 'mutation { logOut }', undefined, user.token);
    expect((await change(user.token, PASSWORD, NEW_PASSWORD)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await tokenOf(user.email, PASSWORD)).toMatch(/^pgw_/);
  });

  it('two changes racing from two sessions with the same current password: one wins, the other is refused, no lost update', async () => {
    for (let round = 0; round < 3; round += 1) {
      const user = await signUp(t.url);
      const other = (await tokenOf(user.email, PASSWORD))!;
      const [a, b] = await Promise.all([change(user.token, PASSWORD, 'password of session a'), change(other, PASSWORD, 'password of session b')]);
      const outcomes = [a, b].map((r) => (r.data?.changePassword ? 'changed' : (r.errors?.[0]?.extensions?.code as string)));
      expect(outcomes.filter((o) => o === 'changed')).toHaveLength(1);
      // The loser is refused: its password was no longer the current one, or its session was ended by the winner.
      for (const o of outcomes.filter((o) => o !== 'changed')) expect(['BAD_USER_INPUT', 'UNAUTHENTICATED']).toContain(o);
      const winner = a.data?.changePassword ? 'password of session a' : 'password of session b';
      expect(await tokenOf(user.email, winner)).toMatch(/^pgw_/);
      expect(await works(a.data?.changePassword ? user.token : other)).toBe(true);
      expect(await works(a.data?.changePassword ? other : user.token)).toBe(false);
    }
  });
});

describe('POST /me/password', () => {
  it('204 on success (other sessions end), 422 on a wrong current password or a weak new one, 401 without a token', async () => {
    const user = await api.signUp();
    const other = (await api.post('/login', { email: user.email, password: PASSWORD })).body.token as string;
    const wrong = await api.post('/me/password', { currentPassword: 'not the password', newPassword: NEW_PASSWORD }, { token: user.token });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({ code: 'BAD_USER_INPUT', errors: [{ field: 'currentPassword', message: 'is not your current password' }] });
    const weak = await api.post('/me/password', { currentPassword: PASSWORD, newPassword: 'short' }, { token: user.token });
    expect(weak.body.errors).toEqual([{ field: 'newPassword', message: 'must be 8 to 256 characters' }]);
    const missing = await api.post('/me/password', {}, { token: user.token });
    expect(missing.status).toBe(422);
    expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['currentPassword', 'newPassword']);
    const extra = await api.post('/me/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, userId: randomUUID() }, { token: user.token });
    expect(extra.status).toBe(422);
    expect(extra.body.errors).toEqual([{ field: 'userId', message: 'is not an accepted field' }]);
    expect((await api.post('/me/password', ['x'], { token: user.token })).status).toBe(400);
    expect((await api.post('/me/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(401);
    expect((await api.get('/me', { token: other })).status).toBe(200);

    const done = await api.post('/me/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { token: user.token });
    expect(done.status).toBe(204);
    expect((await api.get('/me', { token: user.token })).status).toBe(200);
    expect((await api.get('/me', { token: other })).status).toBe(401);
    expect((await api.post('/login', { email: user.email, password: NEW_PASSWORD })).status).toBe(200);
    expect((await api.post('/login', { email: user.email, password: PASSWORD })).status).toBe(401);
  });
});

describe('rate limits', () => {
  const apps: FastifyInstance[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });
  /** Another instance over the same database and services, with small limits (counters of its own). */
  async function limitedApp(env: Record<string, string>): Promise<string> {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...GENEROUS_RATE_LIMITS, ...env });
    const app = await buildApp({ config, services: t.services, ready: async () => true });
    apps.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  it('per account (RATE_LIMIT_AUTH_PER_EMAIL), REST and GraphQL together; another account is not held back', async () => {
    const base = await limitedApp({ RATE_LIMIT_AUTH_PER_EMAIL: '3' });
    const { api: limited } = await restClientFor(base);
    const [user, bystander] = await Promise.all([signUp(t.url), signUp(t.url)]);
    const other = (await tokenOf(user.email, PASSWORD))!;
    // Guesses from two sessions of the one account share its budget.
    expect((await change(user.token, 'guess one', NEW_PASSWORD, base)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await limited.post('/me/password', { currentPassword: 'guess two', newPassword: NEW_PASSWORD }, { token: other })).status).toBe(422);
    expect((await change(other, 'guess three', NEW_PASSWORD, base)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const refused = await change(user.token, PASSWORD, NEW_PASSWORD, base);
    expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const refusedRest = await limited.post('/me/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { token: user.token });
    expect(refusedRest.status).toBe(429);
    expect(Number(refusedRest.headers.get('retry-after'))).toBeGreaterThan(0);
    // Nothing changed: the right password was never tried.
    expect(await tokenOf(user.email, PASSWORD)).toMatch(/^pgw_/);
    expect(await works(other)).toBe(true);
    expect((await change(bystander.token, PASSWORD, NEW_PASSWORD, base)).data).toEqual({ changePassword: true });
  });

  it('per client IP, in one budget with logIn; one changePassword per GraphQL request', async () => {
    const base = await limitedApp({ RATE_LIMIT_AUTH_PER_IP: '3' });
    const [user, second] = await Promise.all([signUp(t.url), signUp(t.url)]);
    expect((await logIn(user.email, 'wrong password', base)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await change(user.token, 'guess', NEW_PASSWORD, base)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await change(second.token, 'guess', NEW_PASSWORD, base)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const refused = await change(second.token, PASSWORD, NEW_PASSWORD, base);
    expect(refused.status).toBe(429);
    expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect((await logIn(user.email, PASSWORD, base)).status).toBe(429);

    const aliased = await gql(
      t.url,
      'mutation ($c: String!, $n: String!) { a: changePassword(currentPassword: $c, newPassword: $n) b: changePassword(currentPassword: $c, newPassword: $n) }',
      { c: 'guess', n: NEW_PASSWORD },
      user.token,
    );
    expect(aliased.status).toBe(400);
    expect(aliased.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(await tokenOf(user.email, PASSWORD)).toMatch(/^pgw_/);
  });
});
