import { describe, expect, it } from 'vitest';
import { PASSWORD, gql, signUp, useTestApp, uniqueEmail } from '../helpers.js';
import { useRestClient } from './rest-client.js';

const t = useTestApp();
const { api } = useRestClient(t);

const TOKEN = /^pgw_[A-Za-z0-9_-]{43}$/;

describe('POST /signup', () => {
  it('answers 201 with { token, expiresAt, user }: a pending user, its email the default, logged in', async () => {
    const email = uniqueEmail('Signup');
    const res = await api.post('/signup', { email, password: PASSWORD, name: ' Grace ', phoneNumber: '+44 20 7946 0958' });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/me');
    expect(res.body.token).toMatch(TOKEN);
    expect(Date.parse(res.body.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(res.body.user).toMatchObject({ status: 'pending', name: 'Grace', activeSessions: 1, phoneNumber: '+442079460958' });
    expect(res.body.user.defaultEmail.toLowerCase()).toBe(email.toLowerCase());
    const me = await api.get('/me', { token: res.body.token });
    expect(me.body).toEqual(res.body.user);
  });

  it('gives a taken email (in any case) 409 CONFLICT', async () => {
    const user = await api.signUp();
    const res = await api.post('/signup', { email: user.email.toUpperCase(), password: PASSWORD, name: 'Again' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 409, code: 'CONFLICT', title: 'Conflict' });
  });

  it('refuses invalid fields with 422 listing each, and creates nothing', async () => {
    const email = uniqueEmail();
    const res = await api.post('/signup', { email: 'not an email', password: 'short', name: '', phoneNumber: '415-555-2671' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'name', 'password', 'phoneNumber']);
    const missing = await api.post('/signup', { email });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'password', message: 'is required' },
        { field: 'name', message: 'is required' },
      ]),
    );
    expect((await api.post('/login', { email, password: PASSWORD })).status).toBe(401);
  });

  it('refuses unknown keys with 422 naming them', async () => {
    for (const key of ['status', 'id', 'bio', 'role']) {
      const res = await api.post('/signup', { email: uniqueEmail(), password: PASSWORD, name: 'X', [key]: 'active' });
      expect(res.status, key).toBe(422);
      expect(res.body.errors).toEqual([{ field: key, message: 'is not an accepted field' }]);
    }
  });

  it('refuses a body that is not a JSON object with 400, and other media types with 415', async () => {
    for (const raw of ['[]', '"x"', '1', 'null', '', '{']) {
      const res = await api.request('POST', '/signup', { raw });
      expect(res.status, raw).toBe(400);
    }
    const body = JSON.stringify({ email: uniqueEmail(), password: PASSWORD, name: 'X' });
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/merge-patch+json', 'application/xml']) {
      const res = await api.request('POST', '/signup', { raw: body, contentType });
      expect(res.status, contentType).toBe(415);
      expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });
});

describe('POST /login', () => {
  it('answers 200 with a new session each time', async () => {
    const user = await api.signUp();
    const res = await api.post('/login', { email: `  ${user.email.toUpperCase()} `, password: user.password });
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(TOKEN);
    expect(res.body.token).not.toBe(user.token);
    expect(res.body.user).toMatchObject({ id: user.user.id, activeSessions: 2 });
    expect((await api.get('/me', { token: res.body.token })).body.id).toBe(user.user.id);
  });

  it('gives a wrong password, an unknown email and a deleted account the same 401', async () => {
    const user = await api.signUp();
    const deleted = await api.signUp();
    await api.delete('/me', { token: deleted.token });
    const answers = [
      await api.post('/login', { email: user.email, password: 'wrong password!' }),
      await api.post('/login', { email: uniqueEmail('nobody'), password: PASSWORD }),
      await api.post('/login', { email: deleted.email, password: deleted.password }),
      await api.post('/login', { email: 'not an email', password: PASSWORD }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.body).toEqual(answers[0]!.body);
    }
    expect(answers[0]!.body).toMatchObject({ code: 'UNAUTHENTICATED', detail: 'Invalid email or password.' });
  });

  it('refuses missing or non-string credentials and unknown keys with 422', async () => {
    const missing = await api.post('/login', { email: uniqueEmail() });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([{ field: 'password', message: 'is required' }]);
    const wrongType = await api.post('/login', { email: 42, password: PASSWORD });
    expect(wrongType.body.errors).toEqual([{ field: 'email', message: 'must be a string' }]);
    const extra = await api.post('/login', { email: uniqueEmail(), password: PASSWORD, remember: true });
    expect(extra.status).toBe(422);
    expect(extra.body.errors).toEqual([{ field: 'remember', message: 'is not an accepted field' }]);
  });

  it('works for a user who signed up through GraphQL, and the other way round', async () => {
    const viaGraphql = await signUp(t.url);
    expect((await api.post('/login', { email: viaGraphql.email, password: PASSWORD })).status).toBe(200);
    const viaRest = await api.signUp();
    const res = await gql(t.url, 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }', {
      e: viaRest.email,
      p: viaRest.password,
    });
    expect(res.data?.logIn.token).toMatch(TOKEN);
  });
});

describe('POST /logout', () => {
  it('answers 204 and ends only the calling session, on the very next request', async () => {
    const user = await api.signUp();
    const other = await api.post('/login', { email: user.email, password: user.password });
    const res = await api.post('/logout', undefined, { token: user.token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await api.get('/me', { token: user.token })).status).toBe(401);
    expect((await api.post('/logout', undefined, { token: user.token })).status).toBe(401);
    const me = await api.get('/me', { token: other.body.token });
    expect(me.status).toBe(200);
    expect(me.body.activeSessions).toBe(1);
    // The GraphQL side sees the same.
    const graphql = await gql(t.url, '{ me { id } }', undefined, user.token);
    expect(graphql.data?.me).toBeNull();
  });

  it('accepts an empty JSON body, and needs a token', async () => {
    const user = await api.signUp();
    expect((await api.request('POST', '/logout', { token: user.token, raw: '', contentType: 'application/json' })).status).toBe(204);
    const anonymous = await api.post('/logout');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
  });
});
