import { describe, expect, it } from 'vitest';
import { gql, PASSWORD, signUp, useTestApp, uniqueEmail } from '../helpers.js';

const SIGN_UP = 'mutation ($input: SignUpInput!) { signUp(input: $input) { token expiresAt user { id status name defaultEmail phoneNumber activeSessions } } }';
const LOG_IN = 'mutation ($email: EmailAddress!, $password: String!) { logIn(email: $email, password: $password) { token expiresAt user { id activeSessions } } }';

const t = useTestApp({ SESSION_TTL: '7d' });

const sql = (query: string, params: unknown[] = []) => t.sql(query, params);
const logIn = (email: string, password: string) => gql(t.url, LOG_IN, { email, password });
const meId = async (token: string) => (await gql(t.url, '{ me { id } }', undefined, token)).data?.me?.id ?? null;

describe('signUp', () => {
  it('creates a pending user with its email as default, normalised phone, and a session', async () => {
    const email = uniqueEmail('Ada');
    const started = Date.now();
    const res = await gql(t.url, SIGN_UP, { input: { email, password: PASSWORD, name: ' Ada ', phoneNumber: '+1 415 555 2671' } });
    expect(res.errors).toBeUndefined();
    const payload = res.data!.signUp;
    expect(payload.token).toMatch(/^pgw_[A-Za-z0-9_-]{43}$/);
    expect(payload.user).toMatchObject({ status: 'PENDING', name: 'Ada', defaultEmail: email, phoneNumber: '+14155552671', activeSessions: 1 });
    const ttl = Date.parse(payload.expiresAt) - started;
    expect(ttl).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(ttl).toBeLessThan(7 * 86_400_000 + 60_000);
  });

  it('stores only the SHA-256 of the token and a slow salted hash of the password', async () => {
    const user = await signUp(t.url);
    const sessions = await sql('select encode(token_hash, \'hex\') as h from sessions where user_id = $1', [user.id]);
    const { createHash } = await import('node:crypto');
    expect(sessions).toEqual([{ h: createHash('sha256').update(user.token).digest('hex') }]);
    const [row] = await sql('select password_hash from users where id = $1', [user.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row.password_hash).not.toContain(PASSWORD);
    const dump = JSON.stringify(await sql('select * from sessions s join users u on u.id = s.user_id where u.id = $1', [user.id]));
    expect(dump).not.toContain(user.token.slice(4));
  });

  it('refuses a taken email, whatever its case, with CONFLICT', async () => {
    const email = uniqueEmail('taken');
    await signUp(t.url, { email });
    for (const variant of [email, email.toUpperCase(), email.replace(/^t/, 'T')]) {
      const res = await gql(t.url, SIGN_UP, { input: { email: variant, password: PASSWORD, name: 'Dup' } });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
    }
    const [{ n }] = await sql('select count(*)::int as n from user_emails where lower(address) = lower($1)', [email]);
    expect(n).toBe(1);
  });

  it('lets only one of two racing sign-ups with the same email win', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.all(
      [0, 1, 2].map(() => gql(t.url, SIGN_UP, { input: { email, password: PASSWORD, name: 'Racer' } })),
    );
    expect(results.filter((r) => r.data?.signUp).length).toBe(1);
    for (const r of results.filter((r) => !r.data?.signUp)) expect(r.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('refuses bad input, naming the field, and creates nothing', async () => {
    const email = uniqueEmail('bad');
    const cases: [Record<string, unknown>, string][] = [
      [{ email, password: 'short77', name: 'X' }, 'password'],
      [{ email, password: 'p'.repeat(257), name: 'X' }, 'password'],
      [{ email, password: PASSWORD, name: '' }, 'name'],
      [{ email, password: PASSWORD, name: 'a\u202Eb' }, 'name'],
      [{ email, password: PASSWORD, name: 'X', phoneNumber: '415-555-2671' }, 'phoneNumber'],
      [{ email: 'not-an-email', password: PASSWORD, name: 'X' }, 'email'],
    ];
    for (const [input, field] of cases) {
      const res = await gql(t.url, SIGN_UP, { input });
      expect(res.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const [{ n }] = await sql('select count(*)::int as n from user_emails where address = $1', [email]);
    expect(n).toBe(0);
    const ok = await gql(t.url, SIGN_UP, { input: { email, password: 'p'.repeat(256), name: 'X' } });
    expect(ok.errors).toBeUndefined();
  });
});

describe('logIn', () => {
  it('opens a new session each time; activeSessions counts them', async () => {
    const user = await signUp(t.url);
    const a = await logIn(user.email.toUpperCase(), PASSWORD);
    expect(a.errors).toBeUndefined();
    const b = await logIn(user.email, PASSWORD);
    expect(b.data!.logIn.token).not.toBe(a.data!.logIn.token);
    expect(b.data!.logIn.user).toEqual({ id: user.id, activeSessions: 3 });
    for (const token of [user.token, a.data!.logIn.token, b.data!.logIn.token]) expect(await meId(token)).toBe(user.id);
  });

  it('gives one UNAUTHENTICATED error for a wrong email, a wrong password and a deleted account', async () => {
    const user = await signUp(t.url);
    const deleted = await signUp(t.url);
    await gql(t.url, 'mutation { deleteMe { id } }', undefined, deleted.token);
    const answers = await Promise.all([
      logIn(uniqueEmail('nobody'), PASSWORD),
      logIn(user.email, 'wrong password!'),
      logIn(deleted.email, PASSWORD),
    ]);
    const messages = new Set(answers.map((r) => r.errors?.[0]?.message));
    expect(messages.size).toBe(1);
    for (const r of answers) {
      expect(r.data).toBeNull();
      expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('logOut and session end', () => {
  it('ends only the calling session, on the very next request', async () => {
    const user = await signUp(t.url);
    const other = (await logIn(user.email, PASSWORD)).data!.logIn.token as string;
    const out = await gql(t.url, 'mutation { logOut }', undefined, user.token);
    expect(out.data).toEqual({ logOut: true });
    expect(await meId(user.token)).toBeNull();
    expect(await meId(other)).toBe(user.id);
    const me = await gql(t.url, '{ me { activeSessions } }', undefined, other);
    expect(me.data!.me.activeSessions).toBe(1);
    const again = await gql(t.url, 'mutation { logOut }', undefined, user.token);
    expect(again.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses an expired token, and does not count it as active', async () => {
    const user = await signUp(t.url);
    const other = (await logIn(user.email, PASSWORD)).data!.logIn.token as string;
    const { createHash } = await import('node:crypto');
    await sql("update sessions set expires_at = now() - interval '1 second' where token_hash = $1", [
      createHash('sha256').update(user.token).digest(),
    ]);
    const res = await gql(t.url, '{ me { id } }', undefined, user.token);
    expect(res.data).toEqual({ me: null });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gql(t.url, '{ me { activeSessions } }', undefined, other)).data!.me.activeSessions).toBe(1);
  });
});
