import { describe, expect, it } from 'vitest';
import { generateToken } from '../../src/domain/tokens.js';
import { PASSWORD, startAppOver, useTestApp, uniqueEmail } from '../helpers.js';
import { restClientFor, useRestClient } from './rest-client.js';

const t = useTestApp();
const { api, checker } = useRestClient(t);

describe('authentication', () => {
  it('401 with WWW-Authenticate: Bearer without a token, error="invalid_token" with a refused one', async () => {
    const none = await api.get('/me');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.body).toMatchObject({ type: 'about:blank', title: 'Unauthorized', status: 401, code: 'UNAUTHENTICATED' });
    expect(none.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    for (const authorization of [`Bearer ${generateToken()}`, 'Bearer pgw_short', generateToken()]) {
      const res = await api.get('/me', { headers: { authorization } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    }
    // Another scheme is no bearer token at all (RFC 6750 §3.1: no error code).
    const basic = await api.get('/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.status).toBe(401);
    expect(basic.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('accepts the scheme in any case and a bare token', async () => {
    const user = await api.signUp();
    for (const authorization of [`bearer ${user.token}`, `BEARER ${user.token}`, user.token]) {
      expect((await api.get('/me', { headers: { authorization } })).status).toBe(200);
    }
  });

  it('ignores a token in the query string', async () => {
    const user = await api.signUp();
    for (const query of [`access_token=${user.token}`, `token=${user.token}`, `authorization=Bearer%20${user.token}`]) {
      const res = await api.get(`/me?${query}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('answers 401 before looking at the body', async () => {
    const res = await api.request('PATCH', '/me', { raw: 'not json' });
    expect(res.status).toBe(401);
  });
});

describe('methods and paths', () => {
  const cases: [string, string, string][] = [
    ['PUT', '/me', 'GET, HEAD, PATCH, DELETE'],
    ['POST', '/me', 'GET, HEAD, PATCH, DELETE'],
    ['GET', '/login', 'POST'],
    ['GET', '/signup', 'POST'],
    ['DELETE', '/logout', 'POST'],
    ['PATCH', '/login', 'POST'],
    ['POST', '/openapi.json', 'GET, HEAD'],
  ];
  for (const [method, path, allow] of cases) {
    it(`${method} ${path} → 405 with Allow: ${allow}`, async () => {
      const user = await api.signUp();
      // Even with a body of a type nothing accepts: the method is what is wrong.
      const body = method === 'GET' ? {} : { raw: 'x'.repeat(100), contentType: 'text/plain' };
      const res = await api.request(method, path, { token: user.token, ...body });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      expect(res.body).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED', title: 'Method Not Allowed' });
    });
  }

  it('an unknown path is a 404 problem', async () => {
    for (const path of ['/nope', '/me/extra', '/users/1']) {
      const res = await api.get(path);
      expect(res.status, path).toBe(404);
      expect(res.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    }
  });
});

describe('bodies', () => {
  it('413 for a body over 64 KB on REST routes; /graphql keeps its 1 MB limit', async () => {
    const user = await api.signUp();
    const big = JSON.stringify({ bio: 'x'.repeat(65 * 1024) });
    for (const [method, path] of [
      ['PATCH', '/me'],
      ['POST', '/signup'],
      ['POST', '/login'],
      ['POST', '/logout'],
      ['DELETE', '/me'],
    ] as const) {
      const res = await api.request(method, path, { token: user.token, raw: big });
      expect(res.status, `${method} ${path}`).toBe(413);
      expect(res.body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    }
    expect((await api.get('/me', { token: user.token })).status).toBe(200);
    // Just under the limit is read (and then refused for what it says).
    const fits = await api.request('PATCH', '/me', { token: user.token, raw: JSON.stringify({ bio: 'x'.repeat(60 * 1024) }) });
    expect(fits.status).toBe(422);
    const graphql = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(200 * 1024) } }),
    });
    expect(graphql.status).toBe(200);
  });

  it('415 for other content types, on every route that reads a body', async () => {
    const user = await api.signUp();
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp']) {
      for (const [method, path] of [
        ['PATCH', '/me'],
        ['POST', '/login'],
        ['DELETE', '/me'],
      ] as const) {
        const res = await api.request(method, path, { token: user.token, raw: '{"bio":"x"}', contentType });
        expect(res.status, `${method} ${path} ${contentType}`).toBe(415);
        expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      }
    }
    // A body with no content type at all is not JSON either.
    const res = await fetch(`${t.url}/me`, { method: 'PATCH', headers: { authorization: `Bearer ${user.token}` }, body: new Uint8Array([123, 125]) });
    expect(res.status).toBe(415);
    expect((await api.get('/me', { token: user.token })).body).not.toHaveProperty('bio');
  });

  it('accepts application/json with a charset, and application/merge-patch+json on PATCH', async () => {
    const user = await api.signUp();
    for (const contentType of ['application/json; charset=utf-8', 'application/merge-patch+json', 'Application/JSON']) {
      const res = await api.request('PATCH', '/me', { token: user.token, raw: JSON.stringify({ bio: contentType }), contentType });
      expect(res.status, contentType).toBe(200);
      expect(res.body.bio).toBe(contentType);
    }
  });

  it('400 for malformed JSON everywhere, never a 500', async () => {
    const user = await api.signUp();
    for (const raw of ['{', '{"a":1,}', '\u0000', '{"bio":"\\ud800"', 'undefined', '{"email": "a"} trailing']) {
      for (const [method, path] of [
        ['PATCH', '/me'],
        ['POST', '/signup'],
        ['POST', '/login'],
      ] as const) {
        const res = await api.request(method, path, { token: user.token, raw });
        expect(res.status, `${method} ${path} ${JSON.stringify(raw)}`).toBe(400);
        expect(res.body).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      }
    }
  });

  it('never a 500 for odd but well-formed input', async () => {
    const user = await api.signUp();
    const odd: unknown[] = [
      { name: { nested: true } },
      { name: ['a'] },
      { bio: 'x'.repeat(1001) },
      { avatarUrl: 'https://user:pass@example.com/' },
      { locale: '' },
      { timezone: 12 },
      { name: '\u202Eevil' },
      { name: 'a'.repeat(101) },
      { bio: '\ud800' },
    ];
    for (const json of odd) {
      const res = await api.patch('/me', json, { token: user.token });
      expect(res.status, JSON.stringify(json)).toBe(422);
    }
    const signup = await api.post('/signup', { email: ['a@example.com'], password: { p: 1 }, name: 7, phoneNumber: false });
    expect(signup.status).toBe(422);
    const login = await api.post('/login', { email: uniqueEmail(), password: 'x'.repeat(10_000) });
    expect(login.status).toBe(401);
  });
});

describe('headers', () => {
  it('every /me response carries Cache-Control: no-store and nosniff (checked by the client on all of them)', async () => {
    const user = await api.signUp();
    const etag = (await api.get('/me', { token: user.token })).headers.get('etag')!;
    const responses = [
      await api.get('/me', { token: user.token, headers: { 'if-none-match': etag } }),
      await api.get('/me'),
      await api.request('PUT', '/me'),
      await api.patch('/me', { status: 'active' }, { token: user.token }),
      await api.patch('/me', { bio: 'x' }, { token: user.token, headers: { 'if-match': '"stale"' } }),
    ];
    expect(responses.map((r) => r.status)).toEqual([304, 401, 405, 422, 412]);
    for (const res of responses) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('JSON responses are application/json; charset=utf-8', async () => {
    const res = await api.post('/login', { email: (await api.signUp()).email, password: PASSWORD });
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('has checked responses against the OpenAPI document', () => {
    expect(checker.checked.size).toBeGreaterThan(10);
  });
});

describe('database unreachable', () => {
  it('503 with Retry-After, never a 500', async () => {
    const app = await startAppOver('postgres://postgres@127.0.0.1:1/unreachable');
    try {
      const { api: down } = await restClientFor(app.url);
      const answers = [
        await down.get('/me', { token: generateToken() }),
        await down.post('/login', { email: uniqueEmail(), password: PASSWORD }),
        await down.post('/signup', { email: uniqueEmail(), password: PASSWORD, name: 'Down' }),
      ];
      for (const res of answers) {
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(res.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
        expect(res.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/);
      }
    } finally {
      await app.close();
    }
  });
});
