/**
 * Suspension, as the operator command drives it (through the service here; admin-cli.test.ts
 * spawns the command itself): one transaction that suspends, keeps the earlier status, ends every
 * session and records the change; what a suspended account can and cannot do on both transports;
 * unsuspend; the refusals; and the purge erasing the record of it.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deliverDueMessages, type MailWorkerOptions } from '../../src/jobs/mail.js';
import { purgeDueAccounts } from '../../src/jobs/purge.js';
import { generateEmailToken, hashToken } from '../../src/domain/tokens.js';
import { gql, PASSWORD, signUp, useTestApp, uniqueEmail, type SignedUp } from '../helpers.js';
import { useRestClient } from './rest-client.js';

const t = useTestApp();
const { api } = useRestClient(t);

const ACTOR = 'test:operator';
const LOG_IN = 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }';
const logIn = (email: string, password = PASSWORD) => gql(t.url, LOG_IN, { e: email, p: password });
const works = async (token: string) => (await gql(t.url, '{ me { id } }', undefined, token)).data?.me != null;
const statusOf = async (id: string) => (await t.sql('select status, status_before_suspension as before from users where id = $1', [id]))[0];
const suspend = (ref: string, reason?: string) => t.services.accounts.suspend(ref, { reason, actor: ACTOR });
const unsuspend = (ref: string, reason?: string) => t.services.accounts.unsuspend(ref, { reason, actor: ACTOR });
const liveSessions = async (id: string) =>
  (await t.sql('select count(*)::int as n from sessions where user_id = $1 and revoked_at is null and expires_at > now()', [id]))[0].n as number;

/** A token of `kind` for the user's default address, as the mail worker would mint it. */
async function emailToken(user: SignedUp, kind: 'verify_email' | 'reset_password'): Promise<string> {
  const token = generateEmailToken(kind);
  const [{ id: emailId }] = await t.sql('select id from user_emails where user_id = $1 and is_default', [user.id]);
  await t.repos.tokens.insert({ id: randomUUID(), kind, hash: hashToken(token), userId: user.id, emailId, ttlMs: 3_600_000 });
  return token;
}

/** Delivers what is due into an array (the mail worker's own code, with a transport that keeps messages). */
async function deliver(): Promise<{ to: string; subject: string }[]> {
  const sent: { to: string; subject: string }[] = [];
  const options: MailWorkerOptions = {
    transport: { name: 'array', send: async (message) => void sent.push({ to: message.to, subject: message.subject }), close() {} },
    publicUrl: t.url,
    emailVerificationTtlMs: 60_000,
    passwordResetTtlMs: 60_000,
  };
  await deliverDueMessages(t.repos, options);
  return sent;
}

describe('suspend', () => {
  it('in one transaction: status suspended, the earlier one kept, every session ended, reset links voided, the change recorded', async () => {
    const user = await signUp(t.url);
    const other = (await logIn(user.email)).data!.logIn.token as string;
    const resetToken = await emailToken(user, 'reset_password');
    const change = await suspend(user.email.toUpperCase(), '  spam reports  ');
    expect(change).toMatchObject({ userId: user.id, defaultEmail: user.email, from: 'pending', to: 'suspended', reason: 'spam reports', actor: ACTOR, revokedSessions: 2 });
    expect(await statusOf(user.id)).toEqual({ status: 'suspended', before: 'pending' });
    expect(await liveSessions(user.id)).toBe(0);
    // Its tokens get 401 on both transports.
    expect(await works(user.token)).toBe(false);
    expect(await works(other)).toBe(false);
    const rest = await api.get('/me', { token: other });
    expect(rest.status).toBe(401);
    const records = await t.repos.statusChanges.ofUser(user.id);
    expect(records).toEqual([expect.objectContaining({ fromStatus: 'pending', toStatus: 'suspended', reason: 'spam reports', actor: ACTOR })]);
    expect(records[0]!.changedAt.getTime()).toBe(change.changedAt.getTime());
    const reset = await gql(t.url, 'mutation ($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }', { t: resetToken, p: 'a brand new passphrase' });
    expect(reset.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token' });
  });

  it('finds the user by id (any case) or by any of its addresses (any case, trimmed)', async () => {
    const [a, b] = await Promise.all([signUp(t.url), signUp(t.url)]);
    expect((await suspend(` ${a.id.toUpperCase()} `)).userId).toBe(a.id);
    await api.post('/me/emails', { address: uniqueEmail('second') }, { token: b.token });
    const [{ address }] = await t.sql('select address from user_emails where user_id = $1 and not is_default', [b.id]);
    expect((await suspend(`\t${address.toUpperCase()}`)).userId).toBe(b.id);
  });

  it('refuses an unknown user, an account already suspended and a deleted one: a clear message, nothing changed', async () => {
    const [user, deleted] = await Promise.all([signUp(t.url), signUp(t.url)]);
    await expect(suspend(randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/^No user has the id or email "/) });
    await expect(suspend('nobody@example.com')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(suspend('')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await suspend(user.id, 'first');
    await expect(suspend(user.id, 'second')).rejects.toMatchObject({ code: 'CONFLICT', message: `User ${user.id} (${user.email}) is suspended; nothing changed.` });
    expect(await statusOf(user.id)).toEqual({ status: 'suspended', before: 'pending' });
    expect(await t.repos.statusChanges.ofUser(user.id)).toHaveLength(1);
    await gql(t.url, 'mutation { deleteMe { id } }', undefined, deleted.token);
    await expect(suspend(deleted.email)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('is deleted') });
    await expect(unsuspend(deleted.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await statusOf(deleted.id)).toEqual({ status: 'deleted', before: null });
    expect(await t.repos.statusChanges.ofUser(deleted.id)).toEqual([]);
    await expect(suspend(user.id, 'x'.repeat(1001))).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('a suspended account', () => {
  it('logIn with the right password is FORBIDDEN with reason ACCOUNT_SUSPENDED (REST 403); a wrong one the generic UNAUTHENTICATED', async () => {
    const user = await signUp(t.url);
    await suspend(user.id);
    const right = await logIn(user.email);
    expect(right.data).toBeNull();
    expect(right.errors).toEqual([expect.objectContaining({ message: 'This account is suspended; contact support.', extensions: { code: 'FORBIDDEN', reason: 'ACCOUNT_SUSPENDED' } })]);
    const wrong = await logIn(user.email, 'not the password');
    const unknown = await logIn(uniqueEmail('nobody'));
    expect(wrong.errors?.[0]).toEqual(unknown.errors?.[0]);
    expect(wrong.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    const rest = await api.post('/login', { email: user.email, password: PASSWORD });
    expect(rest.status).toBe(403);
    expect(rest.body).toMatchObject({ status: 403, code: 'FORBIDDEN', reason: 'ACCOUNT_SUSPENDED' });
    const restWrong = await api.post('/login', { email: user.email, password: 'not the password' });
    expect(restWrong.status).toBe(401);
    expect(restWrong.body).not.toHaveProperty('reason');
    expect(await liveSessions(user.id)).toBe(0);
  });

  it('still resolves its public fields through _entities (its private ones stay FORBIDDEN to others)', async () => {
    const [user, viewer] = await Promise.all([signUp(t.url, { name: 'Suspended Sam' }), signUp(t.url)]);
    await suspend(user.id);
    const res = await gql(
      t.url,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name createdAt status } } }',
      { r: [{ __typename: 'User', id: user.id }] },
      viewer.token,
    );
    expect(res.data!._entities[0]).toMatchObject({ id: user.id, name: 'Suspended Sam', status: null });
    expect(res.errors).toEqual([expect.objectContaining({ path: ['_entities', 0, 'status'], extensions: { code: 'FORBIDDEN' } })]);
  });

  it('gets no reset message: requestPasswordReset answers the same, and one queued before the suspension is dropped', async () => {
    const [user, active] = await Promise.all([signUp(t.url), signUp(t.url)]);
    await deliver();
    // Queued before the suspension, not yet sent.
    expect((await gql(t.url, 'mutation ($e: EmailAddress!) { requestPasswordReset(email: $e) }', { e: user.email })).data).toEqual({ requestPasswordReset: true });
    await suspend(user.id);
    const after = await gql(t.url, 'mutation ($e: EmailAddress!) { requestPasswordReset(email: $e) }', { e: user.email });
    expect(after.data).toEqual({ requestPasswordReset: true });
    expect((await api.post('/password-reset', { email: user.email })).status).toBe(202);
    expect(await t.sql("select id from mail_outbox where user_id = $1 and kind = 'reset_password'", [user.id])).toHaveLength(1);
    // A live account's request goes out in the same sweep; the suspended one's is dropped.
    await api.post('/password-reset', { email: active.email });
    const sent = await deliver();
    expect(sent.filter((m) => m.to === active.email)).toHaveLength(1);
    expect(sent.filter((m) => m.to === user.email)).toEqual([]);
    expect(await t.sql("select id from mail_outbox where user_id = $1 and kind = 'reset_password'", [user.id])).toEqual([]);
  });

  it('gets no verification message either: one queued before the suspension (for an address it added) is dropped', async () => {
    const [user, active] = await Promise.all([signUp(t.url), signUp(t.url)]);
    await deliver();
    const ADD = 'mutation ($a: EmailAddress!) { addEmail(address: $a) { id } }';
    // An abuser's account adding a stranger's address, say: the operator suspends it before the message goes.
    const [stranger, own] = [uniqueEmail('stranger'), uniqueEmail('own')];
    expect((await gql(t.url, ADD, { a: stranger }, user.token)).errors).toBeUndefined();
    await suspend(user.id);
    expect((await gql(t.url, ADD, { a: own }, active.token)).errors).toBeUndefined();
    const sent = await deliver();
    expect(sent.filter((m) => m.to === own)).toHaveLength(1);
    expect(sent.filter((m) => m.to === stranger)).toEqual([]);
    expect(await t.sql("select id from mail_outbox where user_id = $1 and kind = 'verify_email' and sent_at is null", [user.id])).toEqual([]);
  });

  it('a session the suspension somehow missed still does not authenticate', async () => {
    const user = await signUp(t.url);
    await suspend(user.id);
    await t.sql('update sessions set revoked_at = null where user_id = $1', [user.id]);
    expect(await works(user.token)).toBe(false);
    expect((await api.get('/me', { token: user.token })).status).toBe(401);
  });

  it('logins racing the suspension leave no live session', async () => {
    for (let round = 0; round < 4; round += 1) {
      const user = await signUp(t.url);
      const answers = await Promise.all([logIn(user.email), suspend(user.id), logIn(user.email), api.post('/login', { email: user.email, password: PASSWORD })]);
      for (const answer of [answers[0], answers[2]]) {
        const code = answer.errors?.[0]?.extensions?.code;
        if (code) expect(code).toBe('FORBIDDEN');
        else expect(await works(answer.data!.logIn.token)).toBe(false);
      }
      expect([200, 403]).toContain(answers[3].status);
      expect(await liveSessions(user.id)).toBe(0);
    }
  });
});

describe('unsuspend', () => {
  it('restores the status the account had (pending or active); it can log in again, its old sessions stay ended', async () => {
    const [pending, active] = await Promise.all([signUp(t.url), signUp(t.url)]);
    await gql(t.url, 'mutation ($t: String!) { verifyEmail(token: $t) { id } }', { t: await emailToken(active, 'verify_email') });
    expect((await statusOf(active.id)).status).toBe('active');
    for (const [user, status] of [[pending, 'pending'], [active, 'active']] as const) {
      await suspend(user.id, 'looking into it');
      const change = await unsuspend(user.email, 'cleared');
      expect(change).toMatchObject({ userId: user.id, from: 'suspended', to: status, reason: 'cleared', revokedSessions: 0 });
      expect(await statusOf(user.id)).toEqual({ status, before: null });
      expect(await works(user.token)).toBe(false);
      const again = (await logIn(user.email)).data!.logIn.token as string;
      expect((await gql(t.url, '{ me { status } }', undefined, again)).data!.me.status).toBe(status.toUpperCase());
      expect((await t.repos.statusChanges.ofUser(user.id)).map((c) => [c.fromStatus, c.toStatus, c.reason])).toEqual([
        [status, 'suspended', 'looking into it'],
        ['suspended', status, 'cleared'],
      ]);
    }
  });

  it('a pending account whose default address was verified while suspended comes back active', async () => {
    const user = await signUp(t.url);
    await suspend(user.id);
    const verified = await gql(t.url, 'mutation ($t: String!) { verifyEmail(token: $t) { verified } }', { t: await emailToken(user, 'verify_email') });
    expect(verified.data).toEqual({ verifyEmail: { verified: true } });
    expect(await statusOf(user.id)).toEqual({ status: 'suspended', before: 'active' });
    expect((await unsuspend(user.id)).to).toBe('active');
  });

  it('an account suspended by hand in the database, with no earlier status kept, comes back as its default address says', async () => {
    const [unverified, verified] = await Promise.all([signUp(t.url), signUp(t.url)]);
    await t.sql('update user_emails set verified_at = now() where user_id = $1', [verified.id]);
    for (const user of [unverified, verified]) await t.sql("update users set status = 'suspended' where id = $1", [user.id]);
    expect((await unsuspend(unverified.id)).to).toBe('pending');
    expect((await unsuspend(verified.id)).to).toBe('active');
  });

  it('refuses an account that is not suspended, and an unknown one; nothing changes', async () => {
    const user = await signUp(t.url);
    await expect(unsuspend(user.id)).rejects.toMatchObject({ code: 'CONFLICT', message: `User ${user.id} (${user.email}) is pending, not suspended; nothing changed.` });
    await expect(unsuspend(randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await statusOf(user.id)).toEqual({ status: 'pending', before: null });
    expect(await works(user.token)).toBe(true);
    expect(await t.repos.statusChanges.ofUser(user.id)).toEqual([]);
  });
});

describe('deletion and the purge', () => {
  it('a suspended account can be deleted only by… nobody (its tokens are dead); once unsuspended and deleted, the purge erases its status changes', async () => {
    const user = await signUp(t.url);
    await suspend(user.id, 'a');
    expect((await gql(t.url, 'mutation { deleteMe { id } }', undefined, user.token)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await unsuspend(user.id, 'b');
    const token = (await logIn(user.email)).data!.logIn.token as string;
    expect((await gql(t.url, 'mutation { deleteMe { id } }', undefined, token)).data).toEqual({ deleteMe: { id: user.id } });
    expect(await t.repos.statusChanges.ofUser(user.id)).toHaveLength(2);
    await t.sql("update account_purges set due_at = now() - interval '1 second' where user_id = $1", [user.id]);
    await purgeDueAccounts(t.repos);
    expect(await t.sql('select id from users where id = $1', [user.id])).toEqual([]);
    expect(await t.sql('select id from sessions where user_id = $1', [user.id])).toEqual([]);
    expect(await t.repos.statusChanges.ofUser(user.id)).toEqual([]);
  });
});
