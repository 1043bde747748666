import { describe, expect, it } from 'vitest';
import { gql, useTestApp } from '../helpers.js';
import { useRestClient } from './rest-client.js';

const t = useTestApp();
const { api } = useRestClient(t);

const RFC3339_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function userRow(id: string): Promise<Record<string, any> | undefined> {
  const rows = await t.sql('select status, name, bio, locale, updated_at from users where id = $1', [id]);
  return rows[0];
}

describe('GET /me', () => {
  it('answers 200 with the user: unset optional fields absent, status lower case, RFC 3339 UTC ms timestamps', async () => {
    const user = await api.signUp({ name: '  Ada  ', phoneNumber: '+1 415 555 2671' });
    const res = await api.get('/me', { token: user.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({
      id: user.user.id,
      status: 'pending',
      name: 'Ada',
      activeSessions: 1,
      createdAt: expect.stringMatching(RFC3339_UTC_MS),
      updatedAt: expect.stringMatching(RFC3339_UTC_MS),
      defaultEmail: user.email,
      phoneNumber: '+14155552671',
    });
    expect(res.text).not.toContain('null');
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
  });

  it('returns the same values as GraphQL me for the same user', async () => {
    const user = await api.signUp();
    await api.patch('/me', { bio: 'Line one\nline two', avatarUrl: 'https://example.com/a.png', locale: 'en-gb', timezone: 'US/Pacific' }, { token: user.token });
    const rest = (await api.get('/me', { token: user.token })).body;
    const graphql = await gql(
      t.url,
      '{ me { id status name bio activeSessions createdAt updatedAt defaultEmail avatarUrl phoneNumber locale timezone } }',
      undefined,
      user.token,
    );
    const me = graphql.data!.me as Record<string, unknown>;
    for (const [field, value] of Object.entries(me)) {
      if (field === 'status') expect(rest.status).toBe(String(value).toLowerCase());
      else if (value === null) expect(rest, field).not.toHaveProperty(field);
      else expect(rest[field], field).toEqual(value);
    }
    expect(Object.keys(rest).sort()).toEqual(Object.keys(me).filter((k) => me[k] !== null).sort());
    expect(rest).toMatchObject({ locale: 'en-GB', timezone: 'America/Los_Angeles', bio: 'Line one\nline two' });
  });

  it('answers HEAD like GET, without a body', async () => {
    const user = await api.signUp();
    const res = await api.request('HEAD', '/me', { token: user.token });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers.get('etag')).toBe((await api.get('/me', { token: user.token })).headers.get('etag'));
  });
});

describe('PATCH /me (JSON Merge Patch)', () => {
  const fields = [
    { field: 'bio', input: '  Hello\r\nworld  ', stored: 'Hello\nworld' },
    { field: 'avatarUrl', input: 'https://example.com/me.png', stored: 'https://example.com/me.png' },
    { field: 'locale', input: 'en-gb', stored: 'en-GB' },
    { field: 'timezone', input: 'europe/paris', stored: 'Europe/Paris' },
  ];

  for (const { field, input, stored } of fields) {
    it(`${field}: set (normalised), absent = unchanged, null = cleared`, async () => {
      const user = await api.signUp();
      const token = user.token;
      const set = await api.patch('/me', { [field]: input }, { token, contentType: 'application/merge-patch+json' });
      expect(set.status).toBe(200);
      expect(set.body[field]).toBe(stored);

      const other = await api.patch('/me', { name: 'Renamed' }, { token });
      expect(other.body[field]).toBe(stored);
      expect((await api.get('/me', { token })).body[field]).toBe(stored);

      const cleared = await api.patch('/me', { [field]: null }, { token });
      expect(cleared.status).toBe(200);
      expect(cleared.body).not.toHaveProperty(field);
      expect((await api.get('/me', { token })).body).not.toHaveProperty(field);
    });
  }

  it('name: set (trimmed, NFC); null or empty → 422 naming it, nothing written', async () => {
    const user = await api.signUp();
    const token = user.token;
    const set = await api.patch('/me', { name: '  Cafe\u0301  ' }, { token });
    expect(set.body.name).toBe('Café');
    const before = await api.get('/me', { token });
    for (const name of [null, '', '   ']) {
      const res = await api.patch('/me', { name, bio: 'should not be written' }, { token });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ status: 422, code: 'BAD_USER_INPUT', type: 'about:blank' });
      expect(res.body.errors).toEqual([{ field: 'name', message: expect.any(String) }]);
    }
    expect((await api.get('/me', { token })).body).toEqual(before.body);
  });

  it('refuses any key but the five writable ones with 422 naming it, and writes nothing', async () => {
    const user = await api.signUp();
    const token = user.token;
    const before = (await api.get('/me', { token })).body;
    for (const key of ['status', 'id', 'activeSessions', 'createdAt', 'updatedAt', 'defaultEmail', 'phoneNumber', 'password', 'constructor', 'Name']) {
      const res = await api.patch('/me', { bio: 'nope', [key]: key === 'status' ? 'active' : 'x' }, { token });
      expect(res.status, key).toBe(422);
      expect(res.body.errors, key).toContainEqual({ field: key, message: 'is not a writable field' });
    }
    expect((await api.get('/me', { token })).body).toEqual(before);
    expect((await userRow(user.user.id))!.status).toBe('pending');
  });

  it('refuses __proto__ as a 400 from the JSON parser, and writes nothing', async () => {
    const user = await api.signUp();
    const before = (await api.get('/me', { token: user.token })).body;
    const res = await api.request('PATCH', '/me', { token: user.token, raw: '{"bio":"x","__proto__":{"status":"active"}}' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BAD_REQUEST');
    expect((await api.get('/me', { token: user.token })).body).toEqual(before);
  });

  it('reports every invalid field at once', async () => {
    const user = await api.signUp();
    const res = await api.patch('/me', { locale: 'xx-INVALID', timezone: 'Mars/Base', avatarUrl: 'ftp://x', bio: 42 }, { token: user.token });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['avatarUrl', 'bio', 'locale', 'timezone']);
  });

  it('an empty patch, or one that changes nothing, is a 200 that keeps updatedAt', async () => {
    const user = await api.signUp();
    const token = user.token;
    await api.patch('/me', { bio: 'same' }, { token });
    const before = (await api.get('/me', { token })).body;
    const empty = await api.patch('/me', {}, { token });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual(before);
    const same = await api.patch('/me', { bio: 'same' }, { token });
    expect(same.body.updatedAt).toBe(before.updatedAt);
  });

  it('bumps updatedAt on a change, never createdAt', async () => {
    const user = await api.signUp();
    const before = (await api.get('/me', { token: user.token })).body;
    const after = (await api.patch('/me', { bio: 'changed' }, { token: user.token })).body;
    expect(after.createdAt).toBe(before.createdAt);
    expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
  });

  it('refuses a body that is not a JSON object with 400', async () => {
    const user = await api.signUp();
    for (const raw of ['[]', '[{"bio":"x"}]', '"bio"', '42', 'null', 'true', '', '{"bio":', "{'bio':'x'}"]) {
      const res = await api.request('PATCH', '/me', { token: user.token, raw });
      expect(res.status, raw).toBe(400);
      expect(res.body.code, raw).toBe('BAD_REQUEST');
    }
  });
});

describe('ETag and conditional requests', () => {
  it('gives a strong ETag that changes after an update, and only then', async () => {
    const user = await api.signUp();
    const token = user.token;
    const first = await api.get('/me', { token });
    const again = await api.get('/me', { token });
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(first.headers.get('etag')).not.toMatch(/^W\//);
    const patched = await api.patch('/me', { bio: 'new' }, { token });
    expect(patched.headers.get('etag')).not.toBe(first.headers.get('etag'));
    expect((await api.get('/me', { token })).headers.get('etag')).toBe(patched.headers.get('etag'));
  });

  it('changes the ETag when activeSessions does (another login, a logout)', async () => {
    const user = await api.signUp();
    const first = await api.get('/me', { token: user.token });
    const login = await api.post('/login', { email: user.email, password: user.password });
    expect(login.status).toBe(200);
    const second = await api.get('/me', { token: user.token });
    expect(second.body.activeSessions).toBe(2);
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
    // The stale ETag no longer gives a 304.
    expect((await api.get('/me', { token: user.token, headers: { 'if-none-match': first.headers.get('etag')! } })).status).toBe(200);
    await api.post('/logout', undefined, { token: login.body.token });
    const third = await api.get('/me', { token: user.token });
    expect(third.body.activeSessions).toBe(1);
    expect(third.headers.get('etag')).not.toBe(second.headers.get('etag'));
  });

  it('answers If-None-Match with 304 and no body (weak comparison, lists and *)', async () => {
    const user = await api.signUp();
    const etag = (await api.get('/me', { token: user.token })).headers.get('etag')!;
    for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await api.get('/me', { token: user.token, headers: { 'if-none-match': value } });
      expect(res.status, value).toBe(304);
      expect(res.text).toBe('');
      expect(res.headers.get('etag')).toBe(etag);
    }
    expect((await api.get('/me', { token: user.token, headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });

  it('PATCH with a matching If-Match succeeds; a stale, weak or wrong one is 412 and writes nothing', async () => {
    const user = await api.signUp();
    const token = user.token;
    const etag = (await api.get('/me', { token })).headers.get('etag')!;
    const ok = await api.patch('/me', { bio: 'first' }, { token, headers: { 'if-match': etag } });
    expect(ok.status).toBe(200);
    for (const value of [etag, `W/${ok.headers.get('etag')}`, '"nope"']) {
      const res = await api.patch('/me', { bio: 'second' }, { token, headers: { 'if-match': value } });
      expect(res.status, value).toBe(412);
      expect(res.body).toMatchObject({ status: 412, code: 'PRECONDITION_FAILED' });
    }
    expect((await api.get('/me', { token })).body.bio).toBe('first');
    const star = await api.patch('/me', { bio: 'third' }, { token, headers: { 'if-match': '*' } });
    expect(star.status).toBe(200);
    const list = await api.patch('/me', { bio: 'fourth' }, { token, headers: { 'if-match': `"x", ${star.headers.get('etag')}` } });
    expect(list.status).toBe(200);
  });

  it('GET with a non-matching If-Match, and a write with a matching If-None-Match, are 412', async () => {
    const user = await api.signUp();
    const token = user.token;
    const etag = (await api.get('/me', { token })).headers.get('etag')!;
    expect((await api.get('/me', { token, headers: { 'if-match': '"other"' } })).status).toBe(412);
    expect((await api.get('/me', { token, headers: { 'if-match': etag } })).status).toBe(200);
    for (const value of ['*', etag]) {
      expect((await api.patch('/me', { bio: 'x' }, { token, headers: { 'if-none-match': value } })).status, value).toBe(412);
      expect((await api.delete('/me', { token, headers: { 'if-none-match': value } })).status, value).toBe(412);
    }
    expect((await api.get('/me', { token })).body).not.toHaveProperty('bio');
  });

  it('PATCH If-Match fails after another login changed activeSessions', async () => {
    const user = await api.signUp();
    const etag = (await api.get('/me', { token: user.token })).headers.get('etag')!;
    await api.post('/login', { email: user.email, password: user.password });
    const res = await api.patch('/me', { bio: 'late' }, { token: user.token, headers: { 'if-match': etag } });
    expect(res.status).toBe(412);
    expect((await api.get('/me', { token: user.token })).body).not.toHaveProperty('bio');
  });

  it('DELETE honours If-Match: 412 keeps the account, a matching one deletes it', async () => {
    const user = await api.signUp();
    const token = user.token;
    const etag = (await api.get('/me', { token })).headers.get('etag')!;
    await api.patch('/me', { bio: 'changed' }, { token });
    const stale = await api.delete('/me', { token, headers: { 'if-match': etag } });
    expect(stale.status).toBe(412);
    expect((await api.get('/me', { token })).status).toBe(200);
    const current = (await api.get('/me', { token })).headers.get('etag')!;
    const res = await api.delete('/me', { token, headers: { 'if-match': current } });
    expect(res.status).toBe(202);
    expect((await api.get('/me', { token })).status).toBe(401);
  });
});

describe('DELETE /me', () => {
  it('answers 202 with no body after revoking every session and recording the purge', async () => {
    const user = await api.signUp();
    const other = await api.post('/login', { email: user.email, password: user.password });
    const res = await api.delete('/me', { token: user.token });
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    expect(res.headers.get('content-type')).toBeNull();
    expect((await userRow(user.user.id))!.status).toBe('deleted');
    const [live] = await t.sql('select count(*)::int as n from sessions where user_id = $1 and revoked_at is null', [user.user.id]);
    expect(live!.n).toBe(0);
    const purges = await t.sql('select 1 from account_purges where user_id = $1', [user.user.id]);
    expect(purges).toHaveLength(1);
    for (const token of [user.token, other.body.token]) {
      const me = await api.get('/me', { token });
      expect(me.status).toBe(401);
      expect(me.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    }
    expect((await api.delete('/me', { token: user.token })).status).toBe(401);
    const login = await api.post('/login', { email: user.email, password: user.password });
    expect(login.status).toBe(401);
    expect(login.body.detail).toBe('Invalid email or password.');
  });

  it('a PATCH racing a DELETE never resurrects the account', async () => {
    for (let i = 0; i < 15; i += 1) {
      const user = await api.signUp();
      const token = user.token;
      const [patch, del] = await Promise.all([
        api.patch('/me', { name: `Racer ${i}`, bio: 'written by the patch' }, { token }),
        api.delete('/me', { token }),
      ]);
      expect(del.status).toBe(202);
      expect([200, 401]).toContain(patch.status);
      expect((await api.get('/me', { token })).status).toBe(401);
      const row = (await userRow(user.user.id))!;
      expect(row.status).toBe('deleted');
      // A PATCH that lost the race wrote nothing.
      if (patch.status === 401) expect(row.bio).toBeNull();
    }
  });
});
