/**
 * Hostile input over real HTTP, the cases no other file covers (docs/SECURITY.md lists every case
 * with the test that checks it). None may answer 500 or change data.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailWorker, type MailWorker } from '../../src/jobs/mail.js';
import { gql, PASSWORD, signUp, useTestApp, uniqueEmail, type SignedUp } from '../helpers.js';
import { useRestClient } from './rest-client.js';

const t = useTestApp();
const { api } = useRestClient(t);
const rest: typeof api.request = (...args) => api.request(...args);

const ME = '{ me { id name bio avatarUrl locale timezone updatedAt } }';
const meOf = async (user: SignedUp) => (await gql(t.url, ME, undefined, user.token)).data!.me;
const sql = (query: string, params: unknown[] = []) => t.sql(query, params);


/** A request written byte for byte on a socket: what fetch and node:http refuse to send. */
function rawRequest(head: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(t.url).port), '127.0.0.1', () => socket.write(Buffer.from(head, 'latin1')));
    let out = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => (out += chunk));
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1] ?? 0), text: out }));
    socket.on('error', reject);
  });
}

describe('Authorization headers', () => {
  it('malformed ones are a 401 (REST) or UNAUTHENTICATED (GraphQL), never a 500, and authenticate no one', async () => {
    const user = await signUp(t.url);
    const malformed = [
      '',
      ' ',
      'Bearer',
      'Bearer ',
      'Bearer  ',
      `Bearer ${user.token} extra`,
      `Bearer ${user.token}x`,
      `Bearer ${user.token.slice(0, -1)}`,
      `Bearer ${user.token.toUpperCase()}`,
      `Token ${user.token}`,
      `Bearer "${user.token}"`,
      `Bearer ${user.token},Bearer ${user.token}`,
      'Bearer pgw_',
      `Bearer pgw_${'+/='.repeat(15)}`,
      `Bearer ${'A'.repeat(8_000)}`,
      `pgw_${'A'.repeat(12_000)}`,
      'Bearer null',
      'Bearer undefined',
      'Bearer [object Object]',
      "Bearer ' OR '1'='1",
      `Bearer ${encodeURIComponent(user.token)}%00`,
    ];
    for (const authorization of malformed) {
      const restMe = await rest('GET', '/me', { headers: { authorization } });
      expect(restMe.status, JSON.stringify(authorization.slice(0, 40))).toBe(401);
      const graphql = await gql(t.url, '{ me { id } }', undefined, undefined, { authorization });
      expect(graphql.status).toBe(200);
      expect(graphql.data).toEqual({ me: null });
      expect(graphql.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('bytes no client should send: non-ASCII is a 401, NUL and oversized headers are refused by the HTTP parser (400, 431)', async () => {
    const user = await signUp(t.url);
    const head = (authorization: string) => `GET /me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\nConnection: close\r\n\r\n`;
    expect((await rawRequest(head(`Bearer pgw_\xff\xfe${'A'.repeat(41)}`))).status).toBe(401);
    expect((await rawRequest(head(`Bearer\t${user.token}`))).status).toBe(200); // a tab is whitespace
    expect((await rawRequest(head(`Bearer ${user.token}\x00`))).status).toBe(400);
    expect((await rawRequest(head(`Bearer ${user.token}\x7f`))).status).toBe(400);
    expect((await rawRequest(head(`Bearer ${'A'.repeat(20_000)}`))).status).toBe(431);
    // The server is still fine.
    expect((await rest('GET', '/me', { token: user.token })).status).toBe(200);
  });

  it('a token in the query string is ignored on writes too: nothing is written', async () => {
    const user = await signUp(t.url);
    for (const query of [`access_token=${user.token}`, `token=${user.token}`, `authorization=Bearer%20${user.token}`]) {
      expect((await rest('PATCH', `/me?${query}`, { json: { bio: 'via the URL' } })).status).toBe(401);
      expect((await rest('DELETE', `/me?${query}`)).status).toBe(401);
      const graphql = await fetch(`${t.url}/graphql?${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { updateMe(input: { bio: "via the URL" }) { id } }' }),
      });
      expect(((await graphql.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    expect(await meOf(user)).toMatchObject({ bio: null });
  });
});

describe('bodies and methods', () => {
  it('a 10 MB body is a 413 on /graphql and on REST, and writes nothing', async () => {
    const user = await signUp(t.url);
    const tenMegabytes = 'x'.repeat(10 * 1024 * 1024);
    const graphql = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: 'mutation ($b: String) { updateMe(input: { bio: $b }) { id } }', variables: { b: tenMegabytes } }),
    });
    expect(graphql.status).toBe(413);
    expect(((await graphql.json()) as any).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    for (const [method, path] of [
      ['PATCH', '/me'],
      ['POST', '/signup'],
      ['POST', '/login'],
    ]) {
      const res = await rest(method!, path!, { token: user.token, json: { bio: tenMegabytes, email: uniqueEmail(), password: PASSWORD, name: 'Big' } });
      expect(res.status, `${method} ${path}`).toBe(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    }
    expect(await meOf(user)).toMatchObject({ bio: null });
  });

  it('a mutation over GET is refused (400 without a preflight header, 405 with one) and runs nothing', async () => {
    const user = await signUp(t.url);
    const url = `${t.url}/graphql?query=${encodeURIComponent('mutation { updateMe(input: { bio: "via GET" }) { id } }')}`;
    const plain = await fetch(url, { headers: { authorization: `Bearer ${user.token}` } });
    expect(plain.status).toBe(400);
    const preflighted = await fetch(url, { headers: { authorization: `Bearer ${user.token}`, 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(405);
    expect(preflighted.headers.get('allow')).toBe('POST');
    expect(((await preflighted.json()) as any).errors[0].message).toMatch(/GET requests only support query operations/);
    expect(await meOf(user)).toMatchObject({ bio: null });
  });

  it('__proto__ and constructor keys: 400 from the JSON parser or 422/BAD_USER_INPUT, nothing written, no prototype polluted', async () => {
    const user = await signUp(t.url);
    const polluting = [
      '{"query":"mutation ($i: UpdateMeInput!) { updateMe(input: $i) { id } }","variables":{"i":{"bio":"x","__proto__":{"polluted":true}}}}',
      '{"query":"mutation ($i: UpdateMeInput!) { updateMe(input: $i) { id } }","variables":{"i":{"bio":"x","constructor":{"prototype":{"polluted":true}}}}}',
      '{"__proto__":{"polluted":true},"query":"{ me { id } }"}',
    ];
    for (const body of polluting) {
      const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` }, body });
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
    }
    // A plain `constructor` key (no prototype inside) reaches GraphQL's coercion, which refuses it.
    const constructorKey = await gql(t.url, 'mutation ($i: UpdateMeInput!) { updateMe(input: $i) { id } }', { i: { bio: 'x', constructor: 'x' } }, user.token);
    expect(constructorKey.status).toBe(400);
    expect(constructorKey.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    for (const [path, raw] of [
      ['/signup', `{"email":"${uniqueEmail()}","password":"${PASSWORD}","name":"P","__proto__":{"status":"active"}}`],
      ['/login', `{"email":"${user.email}","password":"${PASSWORD}","constructor":{"prototype":{"polluted":true}}}`],
    ]) {
      const res = await rest('POST', path!, { raw });
      expect(res.status, path).toBe(400);
      expect(res.body.code).toBe('BAD_REQUEST');
    }
    expect((await rest('PATCH', '/me', { token: user.token, json: { bio: 'x', constructor: 'x' } })).status).toBe(422);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).status).toBeUndefined();
    expect(await meOf(user)).toMatchObject({ bio: null });
  });

  it('wrong JSON types in GraphQL variables are BAD_USER_INPUT (400), never a 500', async () => {
    const user = await signUp(t.url);
    const UPDATE = 'mutation ($i: UpdateMeInput!) { updateMe(input: $i) { id } }';
    const SIGN_UP = 'mutation ($i: SignUpInput!) { signUp(input: $i) { token } }';
    const LOG_IN = 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }';
    const cases: [string, Record<string, unknown>][] = [
      [UPDATE, { i: 'bio' }],
      [UPDATE, { i: [{ bio: 'x' }] }],
      [UPDATE, { i: { bio: 42 } }],
      [UPDATE, { i: { name: { first: 'A' } } }],
      [UPDATE, { i: { avatarUrl: ['https://example.com/a.png'] } }],
      [UPDATE, { i: { avatarUrl: { href: 'https://example.com/a.png' } } }],
      [UPDATE, { i: { timezone: ['UTC'] } }],
      [UPDATE, { i: { locale: ['en'] } }],
      [UPDATE, { i: { locale: true } }],
      [UPDATE, { i: null }],
      [SIGN_UP, { i: { email: 42, password: PASSWORD, name: 'X' } }],
      [SIGN_UP, { i: { email: uniqueEmail(), password: ['x'], name: 'X' } }],
      [LOG_IN, { e: { address: user.email }, p: PASSWORD }],
      [LOG_IN, { e: user.email, p: 12345678 }],
    ];
    for (const [query, variables] of cases) {
      const res = await gql(t.url, query, variables, user.token);
      expect(res.status, JSON.stringify(variables)).toBe(400);
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT');
    }
    // Variables that are not an object at all.
    for (const variables of ['"x"', '[1]', '42']) {
      const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"query":"{ __typename }","variables":${variables}}` });
      expect(res.status, variables).toBe(400);
    }
    expect(await meOf(user)).toMatchObject({ bio: null, name: 'Test User', avatarUrl: null, timezone: null, locale: null });
  });
});

describe('text in name and bio', () => {
  const refused: [string, string][] = [
    ['bio', 'nul\u0000byte'],
    ['bio', 'lone \uDC00 low surrogate'],
    ['bio', 'lone \uD83D high surrogate'],
    ['bio', 'override \u202Dx'],
    ['bio', 'isolate \u2066x\u2069'],
    ['bio', 'escape \u001b[31m'],
    ['name', 'next line \u0085'],
    ['name', 'isolate \u2067x'],
    ['name', 'tab\tname'],
  ];

  it('control, lone surrogate and bidi override/isolate characters are refused on REST, naming the field, nothing written', async () => {
    const user = await signUp(t.url);
    for (const [field, value] of refused) {
      const res = await rest('PATCH', '/me', { token: user.token, json: { [field]: value } });
      expect(res.status, JSON.stringify(value)).toBe(422);
      expect(res.body.errors).toEqual([{ field, message: expect.any(String) }]);
    }
    expect(await meOf(user)).toMatchObject({ name: 'Test User', bio: null });
  });

  it('the same in GraphQL, through variables and through literals', async () => {
    const user = await signUp(t.url);
    for (const [field, value] of refused) {
      const viaVariables = await gql(t.url, 'mutation ($i: UpdateMeInput!) { updateMe(input: $i) { id } }', { i: { [field]: value } }, user.token);
      expect(viaVariables.errors?.[0]?.extensions, JSON.stringify(value)).toMatchObject({ code: 'BAD_USER_INPUT', field });
      // A GraphQL string literal with the character escaped (a raw one is not even lexed).
      const literal = JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      const viaLiteral = await gql(t.url, `mutation { updateMe(input: { ${field}: ${literal} }) { id } }`, undefined, user.token);
      expect(viaLiteral.status, literal).not.toBe(500);
      expect(viaLiteral.data?.updateMe ?? null, literal).toBeNull();
    }
    // GraphQL (since 2021) lets a raw NUL stand in a string literal: the domain refuses it.
    const rawNul = await gql(t.url, 'mutation { updateMe(input: { bio: "a\u0000b" }) { id } }', undefined, user.token);
    expect(rawNul.data).toBeNull();
    expect(rawNul.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'bio' });
    expect(await meOf(user)).toMatchObject({ name: 'Test User', bio: null });
  });

  it('zero-width characters are kept as sent (API.md: zero-width joiners stay allowed), on both transports', async () => {
    const user = await signUp(t.url);
    const name = 'Zoë\u200B\u200C\u200DZ';
    // Inside the text; at either end U+FEFF is whitespace to trim(), like spaces.
    const bio = 'word\u200Bjoiner\u2060bom\uFEFFend';
    const patched = await rest('PATCH', '/me', { token: user.token, json: { name, bio } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name, bio });
    expect(await meOf(user)).toMatchObject({ name, bio });
    const viaGraphql = await gql(t.url, 'mutation ($i: UpdateMeInput!) { updateMe(input: $i) { name bio } }', { i: { name: `${name}!`, bio } }, user.token);
    expect(viaGraphql.data!.updateMe).toEqual({ name: `${name}!`, bio });
  });

  it('emoji, ZWJ sequences and RTL text round-trip intact through REST, and read back the same in GraphQL', async () => {
    const user = await signUp(t.url);
    const name = '👩🏽‍💻 نور';
    const bio = 'שלום 👋🏿 مرحبا\n🏳️‍🌈 family: 👨‍👩‍👧‍👦 flag: 🇫🇷';
    const patched = await rest('PATCH', '/me', { token: user.token, json: { name, bio } });
    expect(patched.body).toMatchObject({ name, bio });
    expect((await rest('GET', '/me', { token: user.token })).body).toMatchObject({ name, bio });
    expect(await meOf(user)).toMatchObject({ name, bio });
    const [row] = await sql('select name, bio from users where id = $1', [user.id]);
    expect(row).toEqual({ name, bio });
  });
});

describe('locales, time zones and avatar URLs over REST', () => {
  it('are refused with 422 naming the field, and nothing is written', async () => {
    const user = await signUp(t.url);
    const cases: [string, string][] = [
      ['locale', 'en_US'],
      ['locale', 'xx-INVALID'],
      ['locale', 'english'],
      ['timezone', 'Mars/Base'],
      ['timezone', '+02:00'],
      ['timezone', '../../etc/passwd'],
      ['avatarUrl', 'javascript:alert(1)'],
      ['avatarUrl', 'JaVaScRiPt:alert(1)'],
      ['avatarUrl', 'data:text/html,<script>alert(1)</script>'],
      ['avatarUrl', 'file:///etc/passwd'],
      ['avatarUrl', 'https://user:secret@example.com/a.png'],
      ['avatarUrl', 'https://user@example.com/a.png'],
      ['avatarUrl', '//example.com/a.png'],
    ];
    for (const [field, value] of cases) {
      const res = await rest('PATCH', '/me', { token: user.token, json: { [field]: value } });
      expect(res.status, value).toBe(422);
      expect(res.body.errors, value).toEqual([{ field, message: expect.any(String) }]);
    }
    expect(await meOf(user)).toMatchObject({ locale: null, timezone: null, avatarUrl: null });
  });
});

describe('races', () => {
  it('concurrent PATCHes of one field: every one succeeds, the last to commit wins, updatedAt strictly increases', async () => {
    const user = await signUp(t.url);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => rest('PATCH', '/me', { token: user.token, json: { bio: `writer ${i}` } })));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    const byCommit = answers.map((a) => a.body).sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt));
    expect(new Set(byCommit.map((b) => b.updatedAt)).size).toBe(12);
    const final = (await rest('GET', '/me', { token: user.token })).body;
    expect(final.bio).toBe(byCommit.at(-1).bio);
    expect(final.updatedAt).toBe(byCommit.at(-1).updatedAt);
    // And through GraphQL alike.
    const viaGraphql = await Promise.all(
      Array.from({ length: 8 }, (_, i) => gql(t.url, 'mutation ($b: String) { updateMe(input: { bio: $b }) { bio updatedAt } }', { b: `g${i}` }, user.token)),
    );
    const last = viaGraphql.map((r) => r.data!.updateMe).sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt)).at(-1);
    expect(await meOf(user)).toMatchObject({ bio: last.bio, updatedAt: last.updatedAt });
  });

  it('three deletions at once (REST, REST, GraphQL): one succeeds, the others are 401, one purge recorded', async () => {
    for (let round = 0; round < 5; round++) {
      const user = await signUp(t.url);
      const answers = await Promise.all([rest('DELETE', '/me', { token: user.token }), rest('DELETE', '/me', { token: user.token }), gql(t.url, 'mutation { deleteMe { id } }', undefined, user.token)]);
      const statuses = answers.slice(0, 2).map((a) => a.status);
      const graphqlDeleted = Boolean(answers[2].data?.deleteMe);
      expect(statuses.filter((s) => s === 202).length + (graphqlDeleted ? 1 : 0)).toBe(1);
      for (const s of statuses) expect([202, 401]).toContain(s);
      if (!graphqlDeleted) expect((answers[2] as Awaited<ReturnType<typeof gql>>).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const [{ n }] = await sql('select count(*)::int as n from account_purges where user_id = $1', [user.id]);
      expect(n).toBe(1);
    }
  });

  it('REST logins racing a DELETE leave no live session', async () => {
    for (let round = 0; round < 5; round++) {
      const user = await signUp(t.url);
      const login = () => rest('POST', '/login', { json: { email: user.email, password: PASSWORD } });
      const [deleted, ...logins] = await Promise.all([rest('DELETE', '/me', { token: user.token }), login(), login(), login()]);
      expect(deleted.status).toBe(202);
      for (const l of logins) {
        expect([200, 401]).toContain(l.status);
        if (l.status === 200) expect((await rest('GET', '/me', { token: l.body.token })).status).toBe(401);
      }
      const live = await sql('select id from sessions where user_id = $1 and revoked_at is null', [user.id]);
      expect(live).toEqual([]);
    }
  });
});

describe('emails and their tokens', () => {
  // A mail worker delivering into an array: the tokens, as the recipients would get them.
  const inbox: { to: string; token: string }[] = [];
  let worker: MailWorker | undefined;
  beforeAll(() => {
    worker = startMailWorker(t.repos, {
      transport: {
        name: 'inbox',
        async send(message) {
          inbox.push({ to: message.to, token: /token=([^\s&]+)/.exec(message.text)![1]! });
        },
        close() {},
      },
      publicUrl: t.url,
      emailVerificationTtlMs: 60_000,
      passwordResetTtlMs: 60_000,
      intervalMs: 100,
    });
  });
  afterAll(async () => {
    await worker?.stop();
  });
  /** The latest token sent to `address`, once its transaction has committed. */
  async function tokenFor(address: string, count = 1): Promise<string> {
    for (let i = 0; i < 300; i += 1) {
      const sent = inbox.filter((m) => m.to.toLowerCase() === address.toLowerCase());
      if (sent.length >= count) {
        await worker!.sweep();
        return sent[count - 1]!.token;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`no message to ${address}`);
  }
  const emailsOf = async (user: SignedUp) =>
    (await gql(t.url, '{ me { status defaultEmail emails { id address verified isDefault } } }', undefined, user.token)).data!.me;
  const mutate = (user: SignedUp | undefined, field: string, args: string, variables: Record<string, unknown>, selection = '') =>
    gql(t.url, `mutation (${args}) { ${field}${selection} }`, variables, user?.token);
  const codeOf = (res: { errors?: { extensions?: Record<string, any> }[] }) => res.errors?.[0]?.extensions?.code;

  it('another user’s, unknown and malformed ids: NOT_FOUND / 404 on every mutation and route, nothing changed', async () => {
    const [user, other] = await Promise.all([signUp(t.url), signUp(t.url)]);
    const theirs = (await emailsOf(other)).emails[0].id;
    const ids = [theirs, '00000000-0000-4000-8000-000000000000', theirs.toUpperCase()];
    for (const id of ids) {
      for (const field of ['removeEmail(id: $id)', 'setDefaultEmail(id: $id)', 'sendEmailVerification(id: $id)']) {
        const res = await mutate(user, field, '$id: UUID!', { id }, field.startsWith('setDefault') ? ' { id }' : '');
        expect(codeOf(res), `${field} ${id}`).toBe('NOT_FOUND');
      }
    }
    for (const id of ['not-a-uuid', "' or 1=1 --", '%00', 'x'.repeat(90), '..%2F..%2Fme', '😀']) {
      for (const [method, suffix] of [['GET', ''], ['DELETE', ''], ['PUT', '/default'], ['POST', '/verification']] as const) {
        const res = await rest(method, `/me/emails/${encodeURIComponent(id)}${suffix}`, { token: user.token });
        expect(res.status, `${method} ${id}`).toBe(404);
      }
    }
    expect(await emailsOf(other)).toMatchObject({ defaultEmail: other.email, emails: [{ id: theirs, address: other.email, isDefault: true }] });
  });

  it('tokens of odd shapes and types are one generic BAD_USER_INPUT / 422, never a 500', async () => {
    const odd: unknown[] = ['', ' ', 'pgv_', `pgv_${'A'.repeat(43)}\u0000`, `pgv_${'A'.repeat(10_000)}`, `PGV_${'A'.repeat(43)}`, `pgw_${'A'.repeat(43)}`, 'pgv_😀'.padEnd(47, 'x'), "pgv_' or '1'='1"];
    for (const token of odd) {
      expect(codeOf(await mutate(undefined, 'verifyEmail(token: $t)', '$t: String!', { t: token }, ' { id }')), String(token).slice(0, 20)).toBe('BAD_USER_INPUT');
      expect((await rest('POST', '/verify-email', { json: { token } })).status).toBe(422);
      expect((await rest('POST', '/password-reset/confirm', { json: { token, newPassword: PASSWORD } })).status).toBe(422);
    }
    for (const token of [null, 12, true, ['pgv_x'], { $ne: null }]) {
      expect((await rest('POST', '/verify-email', { json: { token } })).status).toBe(422);
      expect((await rest('POST', '/password-reset/confirm', { json: { token, newPassword: PASSWORD } })).status).toBe(422);
    }
    const wrongType = await gql(t.url, 'mutation ($t: String!) { verifyEmail(token: $t) { id } }', { t: 12 });
    expect(wrongType.status).toBe(400);
    expect(codeOf(wrongType)).toBe('BAD_USER_INPUT');
    // A form post of garbage goes back to the page as "invalid".
    const form = await rest('POST', '/verify-email', { raw: 'token=%00%ff&extra=1', contentType: 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe('/verify-email?outcome=invalid');
  });

  it('addresses in odd case and whitespace: one account per address whatever the case; REST trims; inner whitespace and non-ASCII are refused', async () => {
    const [user, other] = await Promise.all([signUp(t.url), signUp(t.url)]);
    const odd = ` \t${other.email.toUpperCase()}\n`;
    expect((await rest('POST', '/me/emails', { token: user.token, json: { address: odd } })).status).toBe(409);
    for (const address of ['ada lovelace@example.com', 'ada@exa mple.com', 'ädä@example.com', 'ada@example.com\u0000', '@example.com', `${'x'.repeat(250)}@example.com`]) {
      expect((await rest('POST', '/me/emails', { token: user.token, json: { address } })).status, JSON.stringify(address)).toBe(422);
    }
    const mixed = `MiXeD.${Date.now()}@Example.Com`;
    const added = await rest('POST', '/me/emails', { token: user.token, json: { address: `  ${mixed}\t` } });
    expect(added.status).toBe(201);
    expect(added.body.address).toBe(mixed);
    await rest('POST', '/verify-email', { json: { token: await tokenFor(mixed) } });
    // logIn takes any case of a verified address; requestPasswordReset too.
    expect((await gql(t.url, 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }', { e: mixed.toLowerCase(), p: PASSWORD })).data?.logIn.token).toMatch(/^pgw_/);
    expect((await rest('POST', '/password-reset', { json: { email: ` ${mixed.toUpperCase()} ` } })).status).toBe(202);
    expect(await tokenFor(mixed, 2)).toMatch(/^pgr_/);
    expect((await emailsOf(user)).emails).toHaveLength(2);
  });

  it('the same token used twice at once: one verification, one BAD_USER_INPUT', async () => {
    for (let round = 0; round < 3; round += 1) {
      const user = await signUp(t.url);
      const token = await tokenFor(user.email);
      const answers = await Promise.all([
        rest('POST', '/verify-email', { json: { token } }),
        mutate(undefined, 'verifyEmail(token: $t)', '$t: String!', { t: token }, ' { id }'),
        rest('POST', '/verify-email', { json: { token } }),
      ]);
      const ok = [answers[0]!.status === 200, Boolean((answers[1] as { data?: unknown }).data), answers[2]!.status === 200];
      expect(ok.filter(Boolean)).toHaveLength(1);
      expect(await sql('select id from email_tokens where user_id = $1 and used_at is not null', [user.id])).toHaveLength(1);
    }
  });

  it('verify, setDefault and remove racing on one address: never a 500, always exactly one verified default', async () => {
    for (let round = 0; round < 4; round += 1) {
      const user = await signUp(t.url);
      await rest('POST', '/verify-email', { json: { token: await tokenFor(user.email) } });
      const address = uniqueEmail('race');
      const added = await rest('POST', '/me/emails', { token: user.token, json: { address } });
      const token = await tokenFor(address);
      const id = added.body.id as string;
      // Verify and remove at once; then setDefault and remove at once.
      const first = await Promise.all([
        rest('POST', '/verify-email', { json: { token } }),
        round % 2 ? rest('DELETE', `/me/emails/${id}`, { token: user.token }) : rest('PUT', `/me/emails/${id}/default`, { token: user.token }),
      ]);
      for (const res of first) expect([200, 204, 404, 422]).toContain(res.status);
      const second = await Promise.all([
        rest('PUT', `/me/emails/${id}/default`, { token: user.token }),
        rest('DELETE', `/me/emails/${id}`, { token: user.token }),
      ]);
      for (const res of second) expect([200, 204, 404, 422]).toContain(res.status);
      const { emails, defaultEmail, status } = await emailsOf(user);
      const defaults = emails.filter((e: { isDefault: boolean }) => e.isDefault);
      expect(defaults).toHaveLength(1);
      expect(defaults[0]).toMatchObject({ verified: true, address: defaultEmail });
      expect(status).toBe('ACTIVE');
    }
  });
});

describe('sessions, password change and suspension', () => {
  const codeOf = (res: { errors?: { extensions?: Record<string, any> }[] }) => res.errors?.[0]?.extensions?.code;
  const sessionIds = async (user: SignedUp) =>
    (await sql('select id from sessions where user_id = $1 and revoked_at is null order by created_at', [user.id])).map((r: { id: string }) => r.id);
  const logIn = async (user: SignedUp) =>
    (await gql(t.url, 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }', { e: user.email, p: PASSWORD })).data!.logIn.token as string;
  const passwordHash = async (user: SignedUp) => (await sql('select password_hash from users where id = $1', [user.id]))[0].password_hash as string;

  it('session ids of another user, unknown, ended or malformed: NOT_FOUND / 404 (GraphQL’s UUID scalar: BAD_USER_INPUT), nothing ended', async () => {
    const [user, other] = await Promise.all([signUp(t.url), signUp(t.url)]);
    const [theirs] = await sessionIds(other);
    for (const id of [theirs!, theirs!.toUpperCase(), '00000000-0000-4000-8000-000000000000']) {
      expect(codeOf(await gql(t.url, 'mutation ($id: UUID!) { revokeSession(id: $id) }', { id }, user.token)), id).toBe('NOT_FOUND');
    }
    for (const id of ['not-a-uuid', "' or 1=1 --", '', `${theirs} `, 'x'.repeat(90), '😀']) {
      const res = await gql(t.url, 'mutation ($id: UUID!) { revokeSession(id: $id) }', { id }, user.token);
      expect(res.status, JSON.stringify(id)).toBe(400);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
    }
    for (const id of ['not-a-uuid', "' or 1=1 --", '%00', 'x'.repeat(90), '..%2F..%2Fme', '😀', `${theirs}%20`]) {
      const res = await rest('DELETE', `/me/sessions/${encodeURIComponent(id)}`, { token: user.token });
      expect(res.status, id).toBe(404);
    }
    expect(await sessionIds(other)).toEqual([theirs]);
    expect(await sessionIds(user)).toHaveLength(1);
  });

  it('changePassword with wrong JSON types and odd values: 422 / BAD_USER_INPUT naming the field, never a 500, nothing changed', async () => {
    const user = await signUp(t.url);
    const second = await logIn(user);
    const hash = await passwordHash(user);
    for (const body of [
      { currentPassword: null, newPassword: 'a fine new passphrase' },
      { currentPassword: 12345678, newPassword: 'a fine new passphrase' },
      { currentPassword: [PASSWORD], newPassword: 'a fine new passphrase' },
      { currentPassword: { $ne: null }, newPassword: 'a fine new passphrase' },
      { currentPassword: PASSWORD, newPassword: null },
      { currentPassword: PASSWORD, newPassword: ['a fine new passphrase'] },
      { currentPassword: PASSWORD, newPassword: 'x'.repeat(60_000) },
      { currentPassword: PASSWORD, newPassword: 'seven77' },
      { currentPassword: `${PASSWORD}\u0000`, newPassword: 'a fine new passphrase' },
      { currentPassword: 'x'.repeat(60_000), newPassword: 'a fine new passphrase' },
    ]) {
      const res = await rest('POST', '/me/password', { token: user.token, json: body });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(422);
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    const wrongType = await gql(t.url, 'mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }', { c: 12, n: ['x'] }, user.token);
    expect(wrongType.status).toBe(400);
    expect(codeOf(wrongType)).toBe('BAD_USER_INPUT');
    expect(await passwordHash(user)).toBe(hash);
    expect((await rest('GET', '/me', { token: second })).status).toBe(200);
  });

  it('revocations racing each other and a password change from several sessions: never a 500, and what the answers say is what happened', async () => {
    for (let round = 0; round < 12; round += 1) {
      const user = await signUp(t.url);
      const tokens = [user.token, await logIn(user), await logIn(user), await logIn(user)];
      const ids = await sessionIds(user);
      const answers = await Promise.all([
        gql(t.url, 'mutation { revokeOtherSessions }', undefined, tokens[0]),
        rest('DELETE', `/me/sessions/${ids[0]}`, { token: tokens[1] }),
        gql(t.url, 'mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }', { c: PASSWORD, n: 'the racing new one' }, tokens[2]),
        rest('POST', '/me/sessions/revoke-others', { token: tokens[3] }),
      ]);
      for (const answer of answers) expect(answer.status).not.toBe(500);
      const live = await sessionIds(user);
      // Every answer that succeeded kept its own session or ended what it said; at most one session is left.
      expect(live.length).toBeLessThanOrEqual(1);
      const changed = Boolean((answers[2] as { data?: { changePassword?: boolean } }).data?.changePassword);
      const canLogIn = async (password: string) =>
        Boolean((await gql(t.url, 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }', { e: user.email, p: password })).data?.logIn);
      expect(await canLogIn(changed ? 'the racing new one' : PASSWORD)).toBe(true);
      for (const [i, token] of tokens.entries()) expect((await rest('GET', '/me', { token })).status === 200, `token ${i}`).toBe(live.includes(ids[i]!));
    }
  });

  it('POST /me/sessions/revoke-others and /me/password: a 10 MB body is a 413, malformed JSON a 400; nothing ended', async () => {
    const user = await signUp(t.url);
    const second = await logIn(user);
    const big = 'x'.repeat(10 * 1024 * 1024);
    for (const path of ['/me/sessions/revoke-others', '/me/password']) {
      expect((await rest('POST', path, { token: user.token, json: { currentPassword: big, newPassword: big } })).status, path).toBe(413);
      expect((await rest('POST', path, { token: user.token, raw: '{"currentPassword":', contentType: 'application/json' })).status, path).toBe(400);
      expect((await rest('POST', path, { token: user.token, raw: 'currentPassword=x', contentType: 'application/x-www-form-urlencoded' })).status, path).toBe(415);
    }
    expect((await rest('GET', '/me', { token: second })).status).toBe(200);
  });

  it('a suspended account: no way back in through any route, and suspending it again changes nothing', async () => {
    const user = await signUp(t.url);
    await t.services.accounts.suspend(user.id, { reason: 'hostile test', actor: 'test' });
    const hash = await passwordHash(user);
    expect((await rest('POST', '/login', { json: { email: user.email.toUpperCase(), password: PASSWORD } })).status).toBe(403);
    for (const [method, path, json] of [
      ['GET', '/me/sessions', undefined],
      ['POST', '/me/sessions/revoke-others', undefined],
      ['POST', '/me/password', { currentPassword: PASSWORD, newPassword: 'taking it back' }],
      ['PATCH', '/me', { bio: 'still here' }],
      ['DELETE', '/me', undefined],
    ] as const) {
      expect((await rest(method, path, { token: user.token, json })).status, `${method} ${path}`).toBe(401);
    }
    expect((await rest('POST', '/password-reset', { json: { email: user.email } })).status).toBe(202);
    expect(await sql("select id from mail_outbox where user_id = $1 and kind = 'reset_password'", [user.id])).toEqual([]);
    await expect(t.services.accounts.suspend(user.email, { reason: 'again', actor: 'test' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(t.services.accounts.suspend(user.id, { reason: 'bell\u0007', actor: 'test' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await passwordHash(user)).toBe(hash);
    expect(await sql('select to_status from account_status_changes where user_id = $1', [user.id])).toEqual([{ to_status: 'suspended' }]);
  });
});
