/**
 * Logs over real HTTP, read from the app's own logger (its real configuration, sent to a stream):
 * one structured line per request with its id, method, path without the query string, status and
 * duration; and no token, password or Authorization header anywhere in any line, whatever the
 * requests carry in headers, bodies, query strings or paths.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, PASSWORD, startTestApp, uniqueEmail, type TestApp, logLines } from '../helpers.js';

let t: TestApp;
const lines: string[] = [];
beforeAll(async () => {
  const logStream = logLines(lines);
  t = await startTestApp({ LOG_LEVEL: 'trace' }, undefined, { logStream });
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
