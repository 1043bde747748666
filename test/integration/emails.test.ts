/**
 * A user's email addresses, on both transports, with the mail worker sending through a real SMTP
 * server in the test process: sign-up's verification message, verifyEmail (no Authorization),
 * the token rules, addEmail, sendEmailVerification's hourly limit, setDefaultEmail, removeEmail,
 * logIn by a verified address, privacy through _entities, and the REST routes (every response
 * checked against the OpenAPI document).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gql, PASSWORD, signUp, uniqueEmail, useTestApp, type SignedUp } from '../helpers.js';
import { useMailServer } from '../mail-server.js';
import { useRestClient } from './rest-client.js';

const PUBLIC_URL = 'https://profiles.example.test';
const mail = useMailServer();
// Read when the app starts (in its beforeAll), after the mail server's.
const env = {
  PUBLIC_URL,
  EMAILS_PER_USER: '4',
  get SMTP_URL() {
    return mail.url;
  },
} as unknown as Record<string, string>;
const t = useTestApp(env, { mailWorker: true });
const { api } = useRestClient(t);

const EMAIL_FIELDS = 'id address verified isDefault createdAt verifiedAt';
const ME = `{ me { status defaultEmail emails { ${EMAIL_FIELDS} } } }`;
const me = async (user: SignedUp) => (await gql(t.url, ME, undefined, user.token)).data!.me;
const verify = (token: unknown) => gql(t.url, `mutation ($t: String!) { verifyEmail(token: $t) { ${EMAIL_FIELDS} } }`, { t: token });
const addEmail = (user: SignedUp, address: string) =>
  gql(t.url, `mutation ($a: EmailAddress!) { addEmail(address: $a) { ${EMAIL_FIELDS} } }`, { a: address }, user.token);
const sendVerification = (user: SignedUp, id: string) => gql(t.url, 'mutation ($id: UUID!) { sendEmailVerification(id: $id) }', { id }, user.token);
const setDefault = (user: SignedUp, id: string) =>
  gql(t.url, 'mutation ($id: UUID!) { setDefaultEmail(id: $id) { id status defaultEmail } }', { id }, user.token);
const removeEmail = (user: SignedUp, id: string) => gql(t.url, 'mutation ($id: UUID!) { removeEmail(id: $id) }', { id }, user.token);
const logIn = (email: string, password = PASSWORD) =>
  gql(t.url, 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }', { e: email, p: password });
const codeOf = (res: { errors?: { extensions?: Record<string, any> }[] }) => res.errors?.[0]?.extensions?.code;
const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * A message as its recipient gets it, once the worker's transaction that sent it has committed
 * (the SMTP server has it a moment before: the token is stored in the same transaction).
 */
async function received(address: string, count = 1) {
  const message = await mail.waitFor(address, count);
  await t.mail!.sweep();
  return message;
}

/** A signed-up user whose sign-up message has arrived. */
async function newUser(): Promise<SignedUp & { token0: string }> {
  const user = await signUp(t.url);
  const message = await received(user.email);
  return { ...user, token0: message.token };
}

describe('sign-up', () => {
  it('sends the new address a verification message: subject, recipient, the link with PUBLIC_URL', async () => {
    const user = await signUp(t.url);
    const message = await received(user.email);
    expect(message.to).toBe(user.email);
    expect(message.from).toContain('no-reply@localhost');
    expect(message.subject).toBe('Confirm your email address');
    expect(message.link).toMatch(new RegExp(`^${PUBLIC_URL}/verify-email\\?token=pgv_[A-Za-z0-9_-]{43}$`));
    expect(message.text).toContain('Test User');
    expect(message.text).toContain('24 hours');
    // Only its SHA-256 is stored; nothing in the outbox or the tokens table holds the token.
    const rows = await t.sql('select token_hash, expires_at - created_at as ttl from email_tokens where user_id = $1', [user.id]);
    expect(rows).toHaveLength(1);
    expect(Buffer.compare(rows[0].token_hash, sha256(message.token))).toBe(0);
    const dump = JSON.stringify(await t.sql("select t.*, o.* from email_tokens t, mail_outbox o where t.user_id = $1 and o.user_id = $1", [user.id]));
    expect(dump).not.toContain(message.token.slice(4, 20));
    const [outbox] = await t.sql('select kind, recipient, sent_at, attempts from mail_outbox where user_id = $1', [user.id]);
    expect(outbox).toMatchObject({ kind: 'verify_email', recipient: user.email, attempts: 1 });
    expect(outbox.sent_at).not.toBeNull();
    const account = await me(user);
    expect(account).toMatchObject({ status: 'PENDING', defaultEmail: user.email });
    expect(account.emails).toEqual([{ id: expect.any(String), address: user.email, verified: false, isDefault: true, createdAt: expect.any(String), verifiedAt: null }]);
  });
});

describe('verifyEmail', () => {
  it('needs no Authorization, verifies the address and makes a pending account active in the same transaction', async () => {
    const user = await newUser();
    const etagBefore = (await api.get('/me', { token: user.token })).headers.get('etag');
    const res = await verify(user.token0);
    expect(res.errors).toBeUndefined();
    expect(res.data!.verifyEmail).toMatchObject({ address: user.email, verified: true, isDefault: true, verifiedAt: expect.any(String) });
    const account = await me(user);
    expect(account.status).toBe('ACTIVE');
    expect(account.emails[0]).toMatchObject({ verified: true });
    // GET /me's representation changed, so did its ETag.
    const after = await api.get('/me', { token: user.token });
    expect(after.body.status).toBe('active');
    expect(after.headers.get('etag')).not.toBe(etagBefore);
  });

  it('refuses a used, unknown, voided, expired or malformed token, or a token of the other kind, with one generic message', async () => {
    const user = await newUser();
    expect((await verify(user.token0)).errors).toBeUndefined();
    const used = await verify(user.token0);

    const other = await newUser();
    // A new message voids the one before.
    expect((await sendVerification(other, (await me(other)).emails[0].id)).errors).toBeUndefined();
    const second = await received(other.email, 2);
    const voided = await verify(other.token0);
    // Expired: the newest token, its time run out.
    await t.sql("update email_tokens set expires_at = now() - interval '1 second' where token_hash = $1", [sha256(second.token)]);
    const expired = await verify(second.token);

    const unknown = await verify(`pgv_${'A'.repeat(43)}`);
    const resetShaped = await verify(`pgr_${second.token.slice(4)}`);
    const malformed = await verify('not a token');
    const empty = await verify('');
    const answers = [used, voided, expired, unknown, resetShaped, malformed, empty];
    for (const answer of answers) {
      expect(answer.data).toBeNull();
      expect(answer.errors?.[0]).toMatchObject({ message: 'token: This link is invalid or has expired; ask for a new one.', extensions: { code: 'BAD_USER_INPUT', field: 'token' } });
    }
    expect((await me(other)).emails[0].verified).toBe(false);
    expect((await me(other)).status).toBe('PENDING');
  });

  it('of a non-default address leaves a pending account pending', async () => {
    const user = await newUser();
    const address = uniqueEmail('second');
    const added = await addEmail(user, address);
    const message = await received(address);
    expect(message.link).toContain(`${PUBLIC_URL}/verify-email?token=pgv_`);
    const res = await verify(message.token);
    expect(res.data!.verifyEmail).toMatchObject({ id: added.data!.addEmail.id, verified: true, isDefault: false });
    expect((await me(user)).status).toBe('PENDING');
  });
});

describe('addEmail', () => {
  it('stores the address as given (trimmed), unverified, sends it a message, and lists it after the default', async () => {
    const user = await newUser();
    const local = `Mixed.Case.${Date.now()}`;
    const res = await addEmail(user, `${local}@Example.ORG`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.addEmail).toMatchObject({ address: `${local}@Example.ORG`, verified: false, isDefault: false, verifiedAt: null });
    await received(`${local}@example.org`);
    // Both transports trim the address (the domain checks it, not the scalar), and keep its case.
    const viaGraphql = await addEmail(user, ` ${local}.2@Example.org `);
    expect(viaGraphql.errors).toBeUndefined();
    expect(viaGraphql.data!.addEmail.address).toBe(`${local}.2@Example.org`);
    const trimmed = await api.post('/me/emails', { address: `\t ${local}.3@Example.org  ` }, { token: user.token });
    expect(trimmed.status).toBe(201);
    expect(trimmed.body.address).toBe(`${local}.3@Example.org`);
    const listed = (await me(user)).emails;
    expect(listed.map((e: { address: string }) => e.address)).toEqual([user.email, `${local}@Example.ORG`, `${local}.2@Example.org`, `${local}.3@Example.org`]);
  });

  it('is a CONFLICT for an address taken by any account, this one included, whatever its case', async () => {
    const user = await newUser();
    const other = await newUser();
    for (const address of [user.email.toUpperCase(), other.email, other.email.replace('user', 'USER')]) {
      const res = await addEmail(user, address);
      expect(codeOf(res), address).toBe('CONFLICT');
    }
    expect((await api.post('/me/emails', { address: ` ${other.email.toUpperCase()}\n` }, { token: user.token })).status).toBe(409);
    expect((await me(user)).emails).toHaveLength(1);
  });

  it('two racing addEmails of one address, by two accounts: one CONFLICT, one row, never a 500', async () => {
    const [a, b] = await Promise.all([newUser(), newUser()]);
    for (let round = 0; round < 3; round += 1) {
      const address = uniqueEmail('race');
      const results = await Promise.all([addEmail(a, address), addEmail(b, address.toUpperCase()), addEmail(a, address)]);
      for (const res of results) expect(res.status).toBe(200);
      expect(results.filter((r) => r.data?.addEmail), JSON.stringify(results)).toHaveLength(1);
      expect(results.filter((r) => codeOf(r) === 'CONFLICT'), JSON.stringify(results)).toHaveLength(2);
      expect(await t.sql('select id from user_emails where lower(address) = $1', [address.toLowerCase()])).toHaveLength(1);
      // Room for the next round (EMAILS_PER_USER is 4 here), once its message is out.
      await received(address);
      await t.sql('delete from user_emails where lower(address) = $1', [address.toLowerCase()]);
    }
  });

  it(`is a BAD_USER_INPUT over EMAILS_PER_USER (4 here), and adds nothing`, async () => {
    const user = await newUser();
    for (let i = 0; i < 3; i += 1) expect((await addEmail(user, uniqueEmail('many'))).errors).toBeUndefined();
    const over = await addEmail(user, uniqueEmail('many'));
    expect(over.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'address' } });
    expect(over.errors?.[0]?.message).toMatch(/at most 4/);
    expect((await me(user)).emails).toHaveLength(4);
  });

  it('refuses malformed addresses and needs a token', async () => {
    const user = await newUser();
    for (const address of ['not-an-email', 'a@b@c', '']) expect(codeOf(await addEmail(user, address)), address).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(t.url, 'mutation { addEmail(address: "x@example.com") { id } }'))).toBe('UNAUTHENTICATED');
  });
});

describe('sendEmailVerification', () => {
  it('sends a new message (the previous link stops working), at most 3 an hour per address counting the first, then RATE_LIMITED', async () => {
    const user = await newUser();
    const id = (await me(user)).emails[0].id;
    expect((await sendVerification(user, id)).data).toEqual({ sendEmailVerification: true });
    expect((await sendVerification(user, id)).data).toEqual({ sendEmailVerification: true });
    const third = await received(user.email, 3);
    const limited = await sendVerification(user, id);
    expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const rest = await api.post(`/me/emails/${id}/verification`, undefined, { token: user.token });
    expect(rest.status).toBe(429);
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(await t.sql("select id from mail_outbox where user_id = $1 and kind = 'verify_email'", [user.id])).toHaveLength(3);
    // Only the latest link works.
    expect(codeOf(await verify(user.token0))).toBe('BAD_USER_INPUT');
    expect((await verify(third.token)).data?.verifyEmail.verified).toBe(true);
  });

  it('removing and re-adding an address does not reset its hourly budget', async () => {
    const user = await newUser();
    const address = uniqueEmail('readd');
    for (let i = 0; i < 3; i += 1) {
      const added = await addEmail(user, address);
      expect(added.errors, `round ${i}`).toBeUndefined();
      await received(address, i + 1);
      expect((await removeEmail(user, added.data!.addEmail.id)).data).toEqual({ removeEmail: true });
    }
    expect(codeOf(await addEmail(user, address))).toBe('RATE_LIMITED');
    expect((await me(user)).emails).toHaveLength(1);
  });

  it('of a verified address is a BAD_USER_INPUT; of an id not the caller’s, NOT_FOUND', async () => {
    const user = await newUser();
    await verify(user.token0);
    const own = (await me(user)).emails[0].id;
    expect(codeOf(await sendVerification(user, own))).toBe('BAD_USER_INPUT');
    const other = await newUser();
    expect(codeOf(await sendVerification(other, own))).toBe('NOT_FOUND');
    expect(codeOf(await sendVerification(other, '00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
  });
});

describe('setDefaultEmail and logIn', () => {
  it('takes only a verified address; then logIn and defaultEmail use it, and a pending account becomes active', async () => {
    const user = await newUser();
    const address = uniqueEmail('new-default');
    const added = (await addEmail(user, address)).data!.addEmail;
    const message = await received(address);
    // Unverified: refused, and logIn does not know the account by it.
    const refused = await setDefault(user, added.id);
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'id' } });
    expect(codeOf(await logIn(address))).toBe('UNAUTHENTICATED');
    await verify(message.token);
    // Verified: logIn accepts it (any case), and the default still.
    expect((await logIn(address.toUpperCase())).data?.logIn.token).toMatch(/^pgw_/);
    expect((await logIn(user.email)).data?.logIn.token).toMatch(/^pgw_/);
    expect((await me(user)).status).toBe('PENDING');
    const res = await setDefault(user, added.id);
    expect(res.errors).toBeUndefined();
    expect(res.data!.setDefaultEmail).toEqual({ id: user.id, status: 'ACTIVE', defaultEmail: address });
    const account = await me(user);
    expect(account.emails.map((e: { address: string; isDefault: boolean }) => [e.address, e.isDefault])).toEqual([
      [address, true],
      [user.email, false],
    ]);
    // The old default is unverified and no longer the default: logIn no longer knows it.
    expect(codeOf(await logIn(user.email))).toBe('UNAUTHENTICATED');
    expect((await logIn(address)).data?.logIn.token).toMatch(/^pgw_/);
  });

  it('of an id not the caller’s is NOT_FOUND, and changes nothing', async () => {
    const [a, b] = await Promise.all([newUser(), newUser()]);
    await verify(b.token0);
    const theirs = (await me(b)).emails[0].id;
    expect(codeOf(await setDefault(a, theirs))).toBe('NOT_FOUND');
    expect((await me(a)).defaultEmail).toBe(a.email);
  });
});

describe('removeEmail', () => {
  it('removes a non-default address; the default is a BAD_USER_INPUT; another user’s or an unknown id is NOT_FOUND', async () => {
    const [user, other] = await Promise.all([newUser(), newUser()]);
    const address = uniqueEmail('remove');
    const added = (await addEmail(user, address)).data!.addEmail;
    const defaultId = (await me(user)).emails[0].id;
    expect((await removeEmail(user, defaultId)).errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'id' } });
    expect(codeOf(await removeEmail(other, added.id))).toBe('NOT_FOUND');
    expect(codeOf(await removeEmail(other, defaultId))).toBe('NOT_FOUND');
    expect(codeOf(await removeEmail(user, '00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
    expect((await me(user)).emails).toHaveLength(2);
    expect((await removeEmail(user, added.id)).data).toEqual({ removeEmail: true });
    expect((await me(user)).emails).toHaveLength(1);
    expect(codeOf(await removeEmail(user, added.id))).toBe('NOT_FOUND');
  });
});

describe('privacy', () => {
  it('emails answer to their owner through _entities, and are FORBIDDEN to anyone else', async () => {
    const [owner, other] = await Promise.all([newUser(), newUser()]);
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name emails { address } } } }';
    const r = [{ __typename: 'User', id: owner.id }];
    const own = await gql(t.url, query, { r }, owner.token);
    expect(own.errors).toBeUndefined();
    expect(own.data!._entities[0].emails).toEqual([{ address: owner.email }]);
    for (const token of [other.token, undefined]) {
      const res = await gql(t.url, query, { r }, token);
      expect(res.data!._entities[0]).toMatchObject({ id: owner.id, name: 'Test User', emails: null });
      expect(res.errors).toEqual([expect.objectContaining({ path: ['_entities', 0, 'emails'], extensions: { code: 'FORBIDDEN' } })]);
    }
  });
});

describe('REST', () => {
  it('GET and POST /me/emails, GET and DELETE /me/emails/{id}, PUT …/default, POST …/verification, POST /verify-email', async () => {
    const user = await api.signUp();
    const first = await received(user.email);
    const list = await api.get('/me/emails', { token: user.token });
    expect(list.status).toBe(200);
    expect(list.body.emails).toEqual([{ id: expect.any(String), address: user.email, verified: false, isDefault: true, createdAt: expect.any(String) }]);

    const address = uniqueEmail('rest');
    const created = await api.post('/me/emails', { address: ` ${address} ` }, { token: user.token });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/me/emails/${created.body.id}`);
    expect(created.body).toMatchObject({ address, verified: false, isDefault: false });
    expect((await api.get(created.headers.get('location')!, { token: user.token })).body).toEqual(created.body);
    expect((await api.post('/me/emails', { address: address.toUpperCase() }, { token: user.token })).status).toBe(409);
    expect((await api.post('/me/emails', { address: 'nope' }, { token: user.token })).status).toBe(422);
    expect((await api.post('/me/emails', { address, extra: 1 }, { token: user.token })).status).toBe(422);
    expect((await api.post('/me/emails', { address })).status).toBe(401);

    expect((await api.put(`/me/emails/${created.body.id}/default`, { token: user.token })).status).toBe(422);
    const second = await received(address);
    const resent = await api.post(`/me/emails/${created.body.id}/verification`, undefined, { token: user.token });
    expect(resent.status).toBe(202);
    const third = await received(address, 2);
    expect((await api.post('/verify-email', { token: second.token })).status).toBe(422);
    const verified = await api.post('/verify-email', { token: third.token });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ id: created.body.id, verified: true, verifiedAt: expect.any(String) });

    const madeDefault = await api.put(`/me/emails/${created.body.id}/default`, { token: user.token });
    expect(madeDefault.status).toBe(200);
    expect(madeDefault.body).toMatchObject({ id: user.user.id, status: 'active', defaultEmail: address });
    expect(madeDefault.headers.get('etag')).toBe((await api.get('/me', { token: user.token })).headers.get('etag'));

    const oldDefault = list.body.emails[0].id;
    expect((await api.delete(`/me/emails/${created.body.id}`, { token: user.token })).status).toBe(422);
    expect((await api.delete(`/me/emails/${oldDefault}`, { token: user.token })).status).toBe(204);
    expect((await api.delete(`/me/emails/${oldDefault}`, { token: user.token })).status).toBe(404);
    expect((await api.post('/verify-email', { token: first.token })).status).toBe(422);
    expect((await api.get('/me/emails', { token: user.token })).body.emails.map((e: { id: string }) => e.id)).toEqual([created.body.id]);
  });

  it('an id that is not the caller’s is a 404 on every route, malformed or not; other methods are a 405', async () => {
    const user = await api.signUp();
    const other = await api.signUp();
    const theirs = (await api.get('/me/emails', { token: other.token })).body.emails[0].id;
    for (const id of [theirs, '00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' or '1'='1"]) {
      const path = `/me/emails/${encodeURIComponent(id)}`;
      expect((await api.get(path, { token: user.token })).status, id).toBe(404);
      expect((await api.delete(path, { token: user.token })).status, id).toBe(404);
      expect((await api.put(`${path}/default`, { token: user.token })).status, id).toBe(404);
      expect((await api.post(`${path}/verification`, undefined, { token: user.token })).status, id).toBe(404);
    }
    const path = `/me/emails/${theirs}`;
    const patch = await api.request('PATCH', path, { token: user.token, json: {} });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toBe('GET, HEAD, DELETE');
    expect((await api.request('GET', `${path}/default`)).headers.get('allow')).toBe('PUT');
    expect((await api.request('DELETE', `${path}/verification`)).headers.get('allow')).toBe('POST');
    expect((await api.request('DELETE', '/verify-email')).headers.get('allow')).toBe('GET, HEAD, POST');
  });
});
