/**
 * Password reset on both transports, with the messages read from a real SMTP server:
 * requestPasswordReset (always true, alike in content and time for known and unknown addresses, a
 * message only for the default or a verified address of a live account), resetPassword (sets the
 * password, ends every session, counts as verifying the address), bad tokens, the rate limits as
 * for logIn (per address and per IP), and the REST routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, PASSWORD, signUp, startTestApp, uniqueEmail, useTestApp, type TestApp } from '../helpers.js';
import { useMailServer } from '../mail-server.js';
import { restClientFor, useRestClient } from './rest-client.js';

const PUBLIC_URL = 'https://accounts.example.test/';
const mail = useMailServer();
const env = {
  PUBLIC_URL,
  PASSWORD_RESET_TTL: '30m',
  get SMTP_URL() {
    return mail.url;
  },
} as unknown as Record<string, string>;
const t = useTestApp(env, { mailWorker: true });
const { api } = useRestClient(t);

const NEW_PASSWORD = 'a brand new passphrase';
const requestReset = (email: string, url = t.url) => gql(url, 'mutation ($e: EmailAddress!) { requestPasswordReset(email: $e) }', { e: email });
const resetPassword = (token: unknown, newPassword: unknown = NEW_PASSWORD, url = t.url) =>
  gql(url, 'mutation ($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }', { t: token, p: newPassword });
const logIn = (email: string, password: string) =>
  gql(t.url, 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }', { e: email, p: password });
const me = async (user: { token: string }) => (await gql(t.url, '{ me { status emails { address verified } } }', undefined, user.token)).data?.me;
const codeOf = (res: { errors?: { extensions?: Record<string, any> }[] }) => res.errors?.[0]?.extensions?.code;
const resetMessages = (address: string) => mail.to(address).filter((m) => m.subject === 'Reset your password');

async function waitForReset(address: string, count = 1) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const found = resetMessages(address);
    if (found.length >= count) {
      // Its token is stored in the transaction that sent it: wait for that to commit too.
      await t.mail!.sweep();
      return found[count - 1]!;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no reset message #${count} to ${address}`);
}

describe('requestPasswordReset', () => {
  it('answers true and sends a reset link (PUBLIC_URL, 30 minutes) to the default address of a live account', async () => {
    const user = await signUp(t.url);
    const res = await requestReset(user.email.toUpperCase());
    expect(res).toMatchObject({ status: 200, data: { requestPasswordReset: true } });
    expect(res.errors).toBeUndefined();
    const message = await waitForReset(user.email);
    expect(message.to).toBe(user.email);
    expect(message.link).toMatch(/^https:\/\/accounts\.example\.test\/password-reset\?token=pgr_[A-Za-z0-9_-]{43}$/);
    expect(message.text).toContain('30 minutes');
  });

  it('answers the same for unknown, unverified, removed and deleted addresses, and sends them nothing', async () => {
    const user = await signUp(t.url);
    const unverified = uniqueEmail('unverified');
    await gql(t.url, 'mutation ($a: EmailAddress!) { addEmail(address: $a) { id } }', { a: unverified }, user.token);
    const deleted = await signUp(t.url);
    await gql(t.url, 'mutation { deleteMe { id } }', undefined, deleted.token);
    const unknown = uniqueEmail('unknown');
    const answers = await Promise.all([unknown, unverified, deleted.email].map((email) => requestReset(email)));
    for (const answer of answers) expect({ data: answer.data, errors: answer.errors, status: answer.status }).toEqual({ data: { requestPasswordReset: true }, errors: undefined, status: 200 });
    // The known address's message goes out; none of these get one.
    await requestReset(user.email);
    await waitForReset(user.email);
    await t.mail!.sweep();
    for (const email of [unknown, unverified, deleted.email]) expect(resetMessages(email), email).toHaveLength(0);
    expect(await t.sql("select id from mail_outbox where kind = 'reset_password' and lower(recipient) = any($1)", [[unknown, unverified, deleted.email].map((e) => e.toLowerCase())])).toEqual([]);
    // A malformed address is the client's mistake, whoever it would be.
    expect(codeOf(await requestReset('not an address'))).toBe('BAD_USER_INPUT');
  });

  it('takes about the same time for known and unknown addresses (medians within 2× over 20 tries each)', async () => {
    const known = await Promise.all(Array.from({ length: 23 }, () => signUp(t.url)));
    const timeOf = async (email: string) => {
      // The mail worker idle first: what is timed is the request, not a message being sent.
      await t.mail!.sweep();
      const start = process.hrtime.bigint();
      const res = await requestReset(email);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      expect(res.data).toEqual({ requestPasswordReset: true });
      return ms;
    };
    // Warm both paths, then alternate, so that load on the machine falls on both alike.
    for (const user of known.slice(20)) {
      await timeOf(user.email);
      await timeOf(uniqueEmail('warm'));
    }
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (const user of known.slice(0, 20)) {
      knownTimes.push(await timeOf(user.email));
      unknownTimes.push(await timeOf(uniqueEmail('nobody')));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const [k, u] = [median(knownTimes), median(unknownTimes)];
    console.info(`requestPasswordReset medians over 20 tries: known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms`);
    expect(Math.max(k, u) / Math.min(k, u), `known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms`).toBeLessThan(2);
    // Each known address did get its message.
    await t.mail!.sweep();
    expect(await t.sql("select user_id from mail_outbox where kind = 'reset_password' and user_id = any($1)", [known.map((u) => u.id)])).toHaveLength(23);
  });

  it('goes to a verified non-default address too, and at most 3 messages an hour to one address', async () => {
    const user = await signUp(t.url);
    const second = uniqueEmail('second');
    await gql(t.url, 'mutation ($a: EmailAddress!) { addEmail(address: $a) { id } }', { a: second }, user.token);
    const verification = await mail.waitFor(second);
    await t.mail!.sweep();
    await gql(t.url, 'mutation ($t: String!) { verifyEmail(token: $t) { id } }', { t: verification.token });
    for (let i = 0; i < 5; i += 1) expect((await requestReset(second)).data).toEqual({ requestPasswordReset: true });
    await waitForReset(second, 3);
    await t.mail!.sweep();
    expect(resetMessages(second)).toHaveLength(3);
    expect(resetMessages(user.email)).toHaveLength(0);
  });
});

describe('resetPassword', () => {
  it('sets the password, ends every session, verifies the address and makes a pending account active', async () => {
    const user = await signUp(t.url);
    const other = await logIn(user.email, PASSWORD);
    await requestReset(user.email);
    const message = await waitForReset(user.email);
    expect((await me(user))?.status).toBe('PENDING');
    const res = await resetPassword(message.token);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ resetPassword: true });
    // Every session ended, the one that asked included.
    for (const token of [user.token, other.data!.logIn.token]) expect(codeOf(await gql(t.url, '{ me { id } }', undefined, token))).toBe('UNAUTHENTICATED');
    expect(codeOf(await logIn(user.email, PASSWORD))).toBe('UNAUTHENTICATED');
    const fresh = await logIn(user.email, NEW_PASSWORD);
    expect(fresh.data?.logIn.token).toMatch(/^pgw_/);
    expect(await me({ token: fresh.data!.logIn.token })).toEqual({ status: 'ACTIVE', emails: [{ address: user.email, verified: true }] });
    // Single use.
    expect(codeOf(await resetPassword(message.token, 'yet another passphrase'))).toBe('BAD_USER_INPUT');
  });

  it('a newer link voids the older one; every bad token gets one generic BAD_USER_INPUT, and changes nothing', async () => {
    const user = await signUp(t.url);
    const verification = await mail.waitFor(user.email);
    await t.mail!.sweep();
    await requestReset(user.email);
    const first = await waitForReset(user.email);
    await requestReset(user.email);
    const second = await waitForReset(user.email, 2);
    await t.sql("update email_tokens set expires_at = now() - interval '1 second' where kind = 'reset_password' and user_id = $1 and voided_at is null", [user.id]);
    const bad = [first.token, second.token, verification.token, `pgr_${verification.token.slice(4)}`, `pgr_${'x'.repeat(43)}`, 'pgr_short', '', '../../etc/passwd'];
    for (const token of bad) {
      const res = await resetPassword(token);
      expect(res.errors?.[0], token).toMatchObject({ message: 'token: This link is invalid or has expired; ask for a new one.', extensions: { code: 'BAD_USER_INPUT', field: 'token' } });
    }
    // A reset token does not verify an address either.
    const asVerification = await gql(t.url, 'mutation ($t: String!) { verifyEmail(token: $t) { id } }', { t: second.token });
    expect(asVerification.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token' });
    expect((await me(user))?.status).toBe('PENDING');
    expect((await logIn(user.email, PASSWORD)).data?.logIn.token).toMatch(/^pgw_/);
  });

  it('refuses a new password outside 8–256 characters before looking at the token', async () => {
    const user = await signUp(t.url);
    await requestReset(user.email);
    const message = await waitForReset(user.email);
    for (const password of ['short', 'x'.repeat(257)]) {
      expect((await resetPassword(message.token, password)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    }
    // The token is still good.
    expect((await resetPassword(message.token)).data).toEqual({ resetPassword: true });
  });
});

describe('REST', () => {
  it('POST /password-reset is 202 for any address; POST /password-reset/confirm 204 (JSON)', async () => {
    const user = await api.signUp();
    for (const email of [user.email, uniqueEmail('nobody')]) {
      const res = await api.post('/password-reset', { email });
      expect(res.status).toBe(202);
      expect(res.text).toBe('');
    }
    expect((await api.post('/password-reset', { email: 'nope' })).status).toBe(422);
    expect((await api.post('/password-reset', { email: user.email, password: 'x' })).status).toBe(422);
    const message = await waitForReset(user.email);
    expect((await api.post('/password-reset/confirm', { token: message.token, newPassword: 'short' })).status).toBe(422);
    expect((await api.post('/password-reset/confirm', { token: message.token, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).status).toBe(422);
    const done = await api.post('/password-reset/confirm', { token: message.token, newPassword: NEW_PASSWORD });
    expect(done.status).toBe(204);
    expect((await api.get('/me', { token: user.token })).status).toBe(401);
    expect((await api.post('/login', { email: user.email, password: NEW_PASSWORD })).status).toBe(200);
    expect((await api.post('/password-reset/confirm', { token: message.token, newPassword: NEW_PASSWORD })).status).toBe(422);
  });

  it('the form posts: 303 back to the page with the outcome, the token kept only to try again', async () => {
    const user = await api.signUp();
    await api.post('/password-reset', { email: user.email });
    const message = await waitForReset(user.email);
    const form = (fields: Record<string, string>) =>
      api.request('POST', '/password-reset/confirm', { raw: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' });
    const mismatch = await form({ token: message.token, newPassword: NEW_PASSWORD, confirmPassword: `${NEW_PASSWORD}!` });
    expect(mismatch.status).toBe(303);
    expect(mismatch.headers.get('location')).toBe(`/password-reset?token=${message.token}&outcome=mismatch`);
    const weak = await form({ token: message.token, newPassword: 'short', confirmPassword: 'short' });
    expect(weak.headers.get('location')).toBe(`/password-reset?token=${message.token}&outcome=weak`);
    const done = await form({ token: message.token, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/password-reset?outcome=done');
    const again = await form({ token: message.token, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(again.headers.get('location')).toBe('/password-reset?outcome=invalid');
    // Forms are taken on these two routes only.
    const elsewhere = await api.request('POST', '/password-reset', { raw: `email=${encodeURIComponent(user.email)}`, contentType: 'application/x-www-form-urlencoded' });
    expect(elsewhere.status).toBe(415);
  });
});

describe('rate limits, as for logIn', () => {
  // An app of its own (and a database of its own): the shared one's limits are out of reach.
  let limited: TestApp;
  beforeAll(async () => {
    limited = await startTestApp({ RATE_LIMIT_AUTH_PER_EMAIL: '3', RATE_LIMIT_AUTH_PER_IP: '8' });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('per address and per IP, REST and GraphQL together', async () => {
    const { api: client } = await restClientFor(limited.url);
    const email = uniqueEmail('limited');
    expect((await requestReset(email, limited.url)).data).toEqual({ requestPasswordReset: true });
    expect((await client.post('/password-reset', { email: email.toUpperCase() })).status).toBe(202);
    expect((await requestReset(` ${email}`.trim(), limited.url)).data).toEqual({ requestPasswordReset: true });
    // The 4th for this address, whatever the case or transport.
    const graphql = await requestReset(email, limited.url);
    expect(graphql.status).toBe(429);
    expect(graphql.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const rest = await client.post('/password-reset', { email });
    expect(rest.status).toBe(429);
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address still has a budget, until the IP's runs out (8): 5 counted so far.
    expect((await client.post('/password-reset', { email: uniqueEmail('other') })).status).toBe(202);
    expect((await resetPassword(`pgr_${'y'.repeat(43)}`, NEW_PASSWORD, limited.url)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await client.post('/password-reset/confirm', { token: `pgr_${'z'.repeat(43)}`, newPassword: NEW_PASSWORD })).status).toBe(422);
    expect((await client.post('/password-reset/confirm', { token: `pgr_${'z'.repeat(43)}`, newPassword: NEW_PASSWORD })).status).toBe(429);
    expect((await resetPassword(`pgr_${'y'.repeat(43)}`, NEW_PASSWORD, limited.url)).status).toBe(429);
    // One request may not call them twice (aliases cannot batch attempts).
    const twice = await gql(limited.url, 'mutation { a: requestPasswordReset(email: "a@example.com") b: requestPasswordReset(email: "b@example.com") }');
    expect(twice.status).toBe(400);
  });
});
