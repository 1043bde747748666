import { describe, expect, it } from 'vitest';
import { gql, signUp, useTestApp, type SignedUp } from '../helpers.js';

const ME = '{ me { id name bio status activeSessions createdAt updatedAt defaultEmail avatarUrl phoneNumber locale timezone } }';
const UPDATE = 'mutation ($input: UpdateMeInput!) { updateMe(input: $input) { id name bio avatarUrl locale timezone createdAt updatedAt } }';

const t = useTestApp();

async function me(user: SignedUp) {
  const res = await gql(t.url, ME, undefined, user.token);
  expect(res.errors).toBeUndefined();
  return res.data!.me;
}

async function update(user: SignedUp, input: Record<string, unknown>) {
  return gql(t.url, UPDATE, { input }, user.token);
}

describe('me', () => {
  it('returns the caller with every field', async () => {
    const user = await signUp(t.url, { name: 'Ada Lovelace', phoneNumber: '+1 415 555 2671' });
    const profile = await me(user);
    expect(profile).toEqual({
      id: user.id,
      name: 'Ada Lovelace',
      bio: null,
      status: 'PENDING',
      activeSessions: 1,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: profile.createdAt,
      defaultEmail: user.email,
      avatarUrl: null,
      phoneNumber: '+14155552671',
      locale: null,
      timezone: null,
    });
    expect(user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('is null with UNAUTHENTICATED without a valid token', async () => {
    for (const token of [undefined, 'pgw_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'not-a-token']) {
      const res = await gql(t.url, '{ me { id } }', undefined, token);
      expect(res.data).toEqual({ me: null });
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('accepts the scheme in any case, and a bare token', async () => {
    const user = await signUp(t.url);
    for (const authorization of [`bearer ${user.token}`, `BEARER ${user.token}`, user.token]) {
      const res = await gql(t.url, '{ me { id } }', undefined, undefined, { authorization });
      expect(res.data?.me).toEqual({ id: user.id });
    }
  });

  it('never takes a token from the URL', async () => {
    const user = await signUp(t.url);
    const query = encodeURIComponent('{ me { id } }');
    for (const param of ['token', 'access_token', 'authorization']) {
      const res = await fetch(`${t.url}/graphql?query=${query}&${param}=${user.token}`, {
        headers: { 'apollo-require-preflight': 'true' },
      });
      const body = (await res.json()) as any;
      expect(body.data?.me ?? null).toBeNull();
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('updateMe', () => {
  it('changes given fields, leaves the rest, normalises, and bumps updatedAt', async () => {
    const user = await signUp(t.url);
    const before = await me(user);
    const res = await update(user, {
      name: '  Ada\u0301  ',
      bio: 'Line one\nLine two',
      avatarUrl: 'https://cdn.example.com/a.png',
      locale: 'en-gb',
      timezone: 'europe/paris',
    });
    expect(res.errors).toBeUndefined();
    const after = res.data!.updateMe;
    expect(after).toMatchObject({
      name: 'Ad\u00e1',
      bio: 'Line one\nLine two',
      avatarUrl: 'https://cdn.example.com/a.png',
      locale: 'en-GB',
      timezone: 'Europe/Paris',
      createdAt: before.createdAt,
    });
    expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));

    const partial = await update(user, { bio: 'Only bio' });
    expect(partial.data!.updateMe).toMatchObject({ name: 'Ad\u00e1', bio: 'Only bio', locale: 'en-GB', timezone: 'Europe/Paris' });
    expect((await me(user)).bio).toBe('Only bio');
  });

  it('canonicalises legacy zone links and accepts UTC', async () => {
    const user = await signUp(t.url);
    expect((await update(user, { timezone: 'US/Pacific' })).data!.updateMe.timezone).toBe('America/Los_Angeles');
    expect((await update(user, { timezone: 'UTC' })).data!.updateMe.timezone).toBe('UTC');
  });

  it('clears optional fields with null', async () => {
    const user = await signUp(t.url);
    await update(user, { bio: 'x', avatarUrl: 'http://example.com/a.png', locale: 'fr', timezone: 'Asia/Tokyo' });
    const res = await update(user, { bio: null, avatarUrl: null, locale: null, timezone: null });
    expect(res.data!.updateMe).toMatchObject({ bio: null, avatarUrl: null, locale: null, timezone: null });
    expect(await me(user)).toMatchObject({ bio: null, avatarUrl: null, locale: null, timezone: null });
  });

  it('with an empty input is a no-op that returns the user and keeps updatedAt', async () => {
    const user = await signUp(t.url);
    const before = await me(user);
    const res = await update(user, {});
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateMe).toMatchObject({ id: user.id, updatedAt: before.updatedAt });
    expect((await me(user)).updatedAt).toBe(before.updatedAt);
  });

  it('setting fields to the values they have changes nothing, not even updatedAt', async () => {
    const user = await signUp(t.url);
    const first = (await update(user, { bio: 'same', locale: 'en-GB' })).data!.updateMe;
    const again = await update(user, { bio: 'same', locale: 'en-gb' });
    expect(again.errors).toBeUndefined();
    expect(again.data!.updateMe).toEqual(first);
  });

  it('refuses bad input with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const user = await signUp(t.url);
    await update(user, { name: 'Kept', bio: 'Kept bio' });
    const before = await me(user);
    const cases: [Record<string, unknown>, string][] = [
      [{ name: null }, 'name'],
      [{ name: '' }, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ name: 'nul\u0000byte' }, 'name'],
      [{ name: 'evil\u202Egnp.exe' }, 'name'],
      [{ name: 'lone \uD800 surrogate' }, 'name'],
      [{ bio: 'x'.repeat(1001) }, 'bio'],
      [{ bio: 'bell\u0007' }, 'bio'],
      [{ locale: 'en_US' }, 'locale'],
      [{ locale: 'xx-INVALID' }, 'locale'],
      [{ locale: 'english' }, 'locale'],
      [{ timezone: 'Mars/Base' }, 'timezone'],
      [{ timezone: '+02:00' }, 'timezone'],
      [{ avatarUrl: 'javascript:alert(1)' }, 'avatarUrl'],
      [{ avatarUrl: 'data:text/html,hi' }, 'avatarUrl'],
      [{ avatarUrl: 'file:///etc/passwd' }, 'avatarUrl'],
      [{ avatarUrl: 'https://user:pw@example.com/a.png' }, 'avatarUrl'],
      [{ avatarUrl: `https://example.com/${'a'.repeat(2048)}` }, 'avatarUrl'],
      // A good field beside a bad one is not written either.
      [{ bio: 'new bio', locale: 'en_US' }, 'locale'],
    ];
    for (const [input, field] of cases) {
      const res = await update(user, input);
      expect(res.data?.updateMe ?? null, JSON.stringify(input)).toBeNull();
      expect(res.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(await me(user)).toEqual(before);
  });

  it('names the field for literals refused by a scalar too', async () => {
    const user = await signUp(t.url);
    const res = await gql(t.url, 'mutation { updateMe(input: { locale: "en_US" }) { id } }', undefined, user.token);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'locale' });
  });

  it('keeps 100 emoji, ZWJ sequences and RTL text intact', async () => {
    const user = await signUp(t.url);
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    const name = '😀'.repeat(100);
    expect((await update(user, { name })).data!.updateMe.name).toBe(name);
    const bio = `${family} שלום עולם مرحبا`;
    expect((await update(user, { name: family, bio })).data!.updateMe).toMatchObject({ name: family, bio });
    expect(await me(user)).toMatchObject({ name: family, bio });
  });

  it('keeps both of two concurrent updates to different fields', async () => {
    const user = await signUp(t.url);
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([update(user, { bio: `bio ${round}` }), update(user, { locale: round % 2 ? 'fr' : 'de' })]);
      expect(a.errors).toBeUndefined();
      expect(b.errors).toBeUndefined();
      expect(await me(user)).toMatchObject({ bio: `bio ${round}`, locale: round % 2 ? 'fr' : 'de' });
    }
  });

  it('never moves updatedAt back, even across rapid updates', async () => {
    const user = await signUp(t.url);
    let last = Date.parse((await me(user)).updatedAt);
    for (let i = 0; i < 10; i++) {
      const next = Date.parse((await update(user, { bio: `b${i}` })).data!.updateMe.updatedAt);
      expect(next).toBeGreaterThan(last);
      last = next;
    }
  });

  it('needs a token', async () => {
    const res = await gql(t.url, UPDATE, { input: { bio: 'x' } });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
