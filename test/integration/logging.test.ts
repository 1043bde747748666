/**
 * Logs over real HTTP, read from the app's own logger (its real configuration, sent to a stream):
 * one structured line per request with its id, method, path without the query string, status and
 * duration; a client's mistakes never logged as errors; and no token, password or Authorization
 * header anywhere in any line, whatever the requests carry in headers, bodies, query strings or
 * paths, including requests that fail inside the service (logged as errors, with their details).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, PASSWORD, signUp, startTestApp, uniqueEmail, type TestApp, logLines } from '../helpers.js';

let t: TestApp;
const lines: string[] = [];
/** What the mail worker sent (its own log lines go to `lines` with the rest). */
const sent: { to: string; text: string }[] = [];
beforeAll(async () => {
  const logStream = logLines(lines);
  t = await startTestApp({ LOG_LEVEL: 'trace' }, undefined, {
    logStream,
    mailWorker: {
      transport: {
        name: 'capture',
        async send(message) {
          sent.push(message);
        },
        close() {},
      },
    },
  });
});
afterAll(async () => {
  await t?.close();
});

const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const requestLines = () => lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');

describe('one line per request', () => {
  it('with its id, method, path (no query string), status and duration', async () => {
    const before = requestLines().length;
    const res = await fetch(`${t.url}/me?access_token=abc&x=1`);
    const requestId = res.headers.get('x-request-id');
    const graphql = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const logged = requestLines().slice(before);
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({ level: 30, reqId: requestId, method: 'GET', path: '/me', status: 401, msg: 'request' });
    expect(logged[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(typeof logged[0].time).toBe('number');
    expect(logged[1]).toMatchObject({ reqId: graphql.headers.get('x-request-id'), method: 'POST', path: '/graphql', status: 200 });
    // Nothing else is logged about an ordinary request, even at trace level.
    expect(lines.map((l) => JSON.parse(l)).filter((l) => l.reqId === requestId)).toHaveLength(1);
  });
});

describe('secrets', () => {
  it('no token, password or Authorization header appears in any line', async () => {
    const email = uniqueEmail('logs');
    const secrets: string[] = [PASSWORD, 'an-0ther long passphrase'];
    const signup = (await (await fetch(`${t.url}/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD, name: 'Logs' }) })).json()) as any;
    const token = signup.token as string;
    secrets.push(token);
    const gqlLogin = await gql(t.url, 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }', { e: email, p: PASSWORD });
    secrets.push(gqlLogin.data!.logIn.token);
    const restLogin = (await (await fetch(`${t.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) })).json()) as any;
    secrets.push(restLogin.token);
    const fake = `pgw_${'A'.repeat(43)}`;
    secrets.push(fake);

    const attempts: [string, RequestInit][] = [
      // Password-shaped variables, nested in input or not, with wrong types too (graphql-js quotes
      // a refused variable's whole value in its message).
      ['/graphql', post({ query: 'mutation ($input: SignUpInput!) { signUp(input: $input) { token } }', variables: { input: { email, password: PASSWORD, name: 'Again' } } })],
      ['/graphql', post({ query: 'mutation ($input: SignUpInput!) { signUp(input: $input) { token } }', variables: { input: { email: 'not an email', password: PASSWORD } } })],
      ['/graphql', post({ query: 'mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }', variables: { c: PASSWORD, n: 'an-0ther long passphrase' } }, { authorization: `Bearer ${token}` })],
      ['/graphql', post({ query: 'mutation ($p: Int!) { logIn(email: "x@example.com", password: $p) { token } }', variables: { p: PASSWORD } })],
      // In headers: every scheme and shape, good and bad.
      ['/me', { headers: { authorization: `Bearer ${token}` } }],
      ['/me', { headers: { authorization: token } }],
      ['/me', { headers: { authorization: `Bearer ${fake}` } }],
      ['/me', { headers: { authorization: `Basic ${Buffer.from(`${email}:${PASSWORD}`).toString('base64')}`, cookie: `session=${token}` } }],
      ['/graphql', post({ query: '{ me { id } }' }, { authorization: `Bearer ${token}` })],
      // In query strings and paths.
      [`/me?access_token=${token}&password=${encodeURIComponent(PASSWORD)}`, {}],
      [`/graphql?query=${encodeURIComponent('{ me { id } }')}&token=${token}`, { headers: { 'apollo-require-preflight': 'true' } }],
      [`/me/${token}`, {}],
      [`/users/${fake}/sessions`, {}],
      // In bodies: right and wrong passwords, valid and malformed JSON, through both transports.
      ['/login', post({ email, password: 'an-0ther long passphrase' })],
      ['/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"email": "${email}", "password": "${PASSWORD}"` }],
      ['/signup', post({ email, password: PASSWORD, name: 'Taken' })],
      ['/signup', post({ email: uniqueEmail(), password: PASSWORD, name: 'X', token })],
      ['/graphql', post({ query: `mutation { logIn(email: "${email}", password: "${PASSWORD}") { token } }` })],
      ['/graphql', post({ query: 'mutation ($p: String!) { logIn(email: "x@example.com", password: $p) { token } }', variables: { p: 'an-0ther long passphrase' } })],
      ['/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"query": "{ me { id } }", "variables": {"password": "${PASSWORD}"` }],
      ['/me', { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ bio: token, password: PASSWORD }) }],
      // A 413 and a duplicated header.
      ['/graphql', post({ query: '{ __typename }', variables: { password: PASSWORD, pad: 'x'.repeat(1_100_000) } })],
      // A password change over REST: a wrong current password, then a malformed body.
      ['/me/password', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ currentPassword: 'an-0ther long passphrase', newPassword: PASSWORD }) }],
      ['/me/password', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: `{"currentPassword": "${PASSWORD}", "newPassword": ` }],
      ['/logout', { method: 'POST', headers: { authorization: `Bearer ${gqlLogin.data!.logIn.token}` } }],
    ];
    for (const [path, init] of attempts) {
      const res = await fetch(`${t.url}${path}`, init);
      expect(res.status, path).toBeLessThan(500);
      await res.arrayBuffer();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(lines.length).toBeGreaterThan(attempts.length);
    const all = lines.join('\n');
    for (const secret of secrets) {
      expect(all).not.toContain(secret);
      expect(all).not.toContain(secret.slice(4, 24)); // no part of a token either
      expect(all).not.toContain(encodeURIComponent(secret));
    }
    expect(all).not.toContain(Buffer.from(`${email}:${PASSWORD}`).toString('base64'));
    expect(all).not.toMatch(/access_token|[?&]token=/);
    // The path with a token in it is still logged, masked.
    expect(requestLines().map((l) => l.path)).toContain('/me/pgw_[redacted]');
  });
});

describe('email and reset tokens', () => {
  it('never appear in a line: JSON bodies, form posts, GraphQL variables and literals, query strings, paths, the mail worker', async () => {
    const email = uniqueEmail('tokens');
    await fetch(`${t.url}/signup`, post({ email, password: PASSWORD, name: 'Tokens' }));
    await fetch(`${t.url}/password-reset`, post({ email }));
    const tokenTo = async (prefix: string) => {
      for (let i = 0; i < 400; i += 1) {
        const found = sent.map((m) => /token=(\S+)/.exec(m.text)?.[1] ?? '').find((token) => token.startsWith(prefix));
        if (found) {
          await t.mail!.sweep();
          return found;
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`no ${prefix} token sent`);
    };
    const verifyToken = await tokenTo('pgv_');
    const resetToken = await tokenTo('pgr_');
    const newPassword = 'a new password in a form';
    const form = (body: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const attempts: [string, RequestInit][] = [
      [`/verify-email?token=${verifyToken}`, {}],
      [`/password-reset?token=${resetToken}&outcome=weak`, {}],
      [`/verify-email/${verifyToken}`, {}],
      [`/password-reset/${resetToken}`, {}],
      ['/verify-email', post({ token: `${verifyToken}x` })],
      ['/verify-email', post({ token: verifyToken, password: PASSWORD })],
      ['/verify-email', form(`token=${verifyToken}`)],
      ['/password-reset/confirm', form(new URLSearchParams({ token: resetToken, newPassword, confirmPassword: `${newPassword}!` }).toString())],
      ['/password-reset/confirm', post({ token: resetToken, newPassword: 'short' })],
      ['/graphql', post({ query: 'mutation ($t: String!) { verifyEmail(token: $t) { id } }', variables: { t: verifyToken } })],
      ['/graphql', post({ query: 'mutation ($t: Int!) { verifyEmail(token: $t) { id } }', variables: { t: verifyToken } })],
      ['/graphql', post({ query: `mutation { verifyEmail(token: "${verifyToken}") { id } }` })],
      ['/graphql', post({ query: 'mutation ($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }', variables: { t: resetToken, p: newPassword } })],
      ['/graphql', post({ query: 'mutation ($t: String!, $p: Int!) { resetPassword(token: $t, newPassword: $p) }', variables: { t: resetToken, p: newPassword } })],
    ];
    for (const [path, init] of attempts) {
      const res = await fetch(`${t.url}${path}`, { ...init, redirect: 'manual' });
      expect(res.status, path).toBeLessThan(500);
      await res.arrayBuffer();
    }
    await t.mail!.sweep();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const all = lines.join('\n');
    for (const secret of [verifyToken, resetToken, newPassword]) {
      expect(all).not.toContain(secret);
      expect(all).not.toContain(secret.slice(4, 24));
    }
    // Nor the addresses messages go to: the worker logs message ids.
    expect(all).not.toContain(email);
    const logged = lines.map((l) => JSON.parse(l));
    expect(logged.filter((l) => l.msg === 'mail sent').length).toBeGreaterThanOrEqual(2);
    const paths = logged.filter((l) => l.msg === 'request').map((l) => l.path);
    expect(paths).toEqual(expect.arrayContaining(['/verify-email', '/password-reset', '/verify-email/pgv_[redacted]', '/password-reset/pgr_[redacted]']));
  });
});

describe('failures', () => {
  const failing: string[] = [];
  let broken: TestApp;
  beforeAll(async () => {
    // Every profile update fails inside the service: the one kind of request logged as an error.
    broken = await startTestApp({ LOG_LEVEL: 'trace' }, undefined, {
      logStream: logLines(failing),
      services: (services) => ({
        ...services,
        profiles: Object.assign(Object.create(services.profiles), {
          updateProfile: async () => {
            throw new TypeError('a bug in the service');
          },
        }),
      }),
    });
  });
  afterAll(async () => {
    await broken?.close();
  });
  const entries = () => failing.map((l) => JSON.parse(l) as { level: number; msg: string; err?: { stack?: string } });

  it("are logged as errors, with a stack trace, and nothing of the request's secrets", async () => {
    const user = await signUp(broken.url);
    const secret = 'a bio carrying pgw_pretend-secret and a password';
    const graphqlUpdate = await gql(broken.url, 'mutation ($input: UpdateMeInput!) { updateMe(input: $input) { id } }', { input: { bio: secret } }, user.token);
    expect(graphqlUpdate.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const restUpdate = await fetch(`${broken.url}/me`, { method: 'PATCH', headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ bio: secret }) });
    expect(restUpdate.status).toBe(500);
    const errors = entries().filter((e) => e.level >= 50);
    expect(errors.length).toBe(2);
    for (const error of errors) expect(error.err?.stack).toMatch(/TypeError: a bug in the service/);
    const all = failing.join('\n');
    for (const leak of [user.token, PASSWORD, secret]) expect(all).not.toContain(leak);
  });

  it("of the client's own (no or a bad token, bad input, a forbidden field, bad queries) are not errors", async () => {
    const before = failing.length;
    const user = await signUp(broken.url);
    const other = await signUp(broken.url);
    const mistakes = [
      await gql(broken.url, '{ me { id } }'),
      await gql(broken.url, '{ me { id } }', undefined, `pgw_${'B'.repeat(43)}`),
      await gql(broken.url, 'mutation { signUp(input: { email: "new@example.com", password: "short", name: "" }) { token } }'),
      await gql(broken.url, 'mutation { signUp(input: { email: "new@example.com", password: 12, name: "A" }) { token } }'),
      await gql(broken.url, 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { status } } }', { r: [{ __typename: 'User', id: other.id }] }, user.token),
      await gql(broken.url, '{ me { nope } }', undefined, user.token),
      await gql(broken.url, '{ me { id }', undefined, user.token),
      await gql(broken.url, 'mutation ($e: EmailAddress!) { logIn(email: $e, password: "wrong password") { token } }', { e: user.email }),
    ];
    for (const answer of mistakes) expect(answer.errors?.length, JSON.stringify(answer)).toBeGreaterThan(0);
    for (const res of [
      await fetch(`${broken.url}/me`),
      await fetch(`${broken.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email": "x@example.com", "password": "wrong password"}' }),
      await fetch(`${broken.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email"' }),
    ]) {
      expect(res.status).toBeLessThan(500);
      await res.arrayBuffer();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const logged = failing.slice(before).map((l) => JSON.parse(l) as { level: number; err?: unknown });
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.filter((e) => e.level >= 50 || e.err !== undefined)).toEqual([]);
  });
});
