/**
 * The mail outbox and its worker, against a real SMTP server in the test process: a request never
 * waits on the mail server (SMTP down: the request succeeds, the message goes out once it is
 * back), retries with backoff, a refusal for good is not retried, no token is left by a failed
 * send, messages survive a restart, two workers on one database never send one message twice, and
 * account deletion and the purge take tokens and messages with them. Also: production refuses to
 * start without SMTP_URL, in one line.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories } from '../../src/db/repositories.js';
import { purgeDueAccounts } from '../../src/jobs/purge.js';
import { startMailWorker, type MailWorker } from '../../src/jobs/mail.js';
import { smtpTransport } from '../../src/mail/transports.js';
import { createTestDatabase, gql, openTestDatabase, signUp, startTestApp, usingServer, type TestApp, type TestDatabase } from '../helpers.js';
import { startMailServer, type MailServer } from '../mail-server.js';
import { startService } from '../service-process.js';

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let testDb: TestDatabase;
let mail: MailServer;
let t: TestApp;
const workers: MailWorker[] = [];
const workerFor = (repos: TestApp['repos'], smtpUrl = mail.url) => {
  const worker = startMailWorker(repos, {
    transport: smtpTransport(smtpUrl, 'Profiles <no-reply@example.test>'),
    publicUrl: t.url,
    emailVerificationTtlMs: 86_400_000,
    passwordResetTtlMs: 3_600_000,
    intervalMs: 100,
    retry: { baseMs: 100, maxMs: 500 },
  });
  workers.push(worker);
  return worker;
};

beforeAll(async () => {
  testDb = await createTestDatabase();
  mail = await startMailServer();
  // No mail worker of its own: each test starts the workers it needs.
  t = await startTestApp({}, testDb);
});
afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await t?.close();
  await mail?.close();
  await testDb?.drop();
});

const outboxOf = (userId: string) =>
  t.sql('select kind, attempts, last_error, sent_at, failed_at, next_attempt_at from mail_outbox where user_id = $1 order by created_at', [userId]);

describe('a request never waits on the mail server', () => {
  it('SMTP down: sign-up succeeds, the message is retried with backoff, leaves no token, and goes out once SMTP is back', async () => {
    const port = await freePort();
    const worker = workerFor(t.repos, `smtp://127.0.0.1:${port}`);
    const user = await signUp(t.url);
    const failures = await until('two failed attempts', async () => {
      const [row] = await outboxOf(user.id);
      return row && row.attempts >= 2 && row;
    });
    expect(failures).toMatchObject({ sent_at: null, failed_at: null, last_error: expect.stringMatching(/ECONNREFUSED/) });
    expect(new Date(failures.next_attempt_at).getTime()).toBeGreaterThan(Date.now() - 1_000);
    // A failed send mints nothing that could be used.
    expect(await t.sql('select id from email_tokens where user_id = $1', [user.id])).toEqual([]);

    const back = await startMailServer(port);
    try {
      const message = await back.waitFor(user.email);
      await worker.sweep(); // the transaction that sent it (and stored its token) has committed
      expect(message.link).toMatch(new RegExp(`^${t.url}/verify-email\\?token=pgv_`));
      const verified = await gql(t.url, 'mutation ($t: String!) { verifyEmail(token: $t) { verified } }', { t: message.token });
      expect(verified.data).toEqual({ verifyEmail: { verified: true } });
      const [row] = await outboxOf(user.id);
      expect(row.sent_at).not.toBeNull();
      expect(row.last_error).toBeNull();
      await worker.sweep();
      expect(back.to(user.email)).toHaveLength(1);
    } finally {
      await worker.stop();
      await back.close();
    }
  });

  it('a temporary refusal (4xx) is retried; a refusal for good (5xx) is not', async () => {
    const worker = workerFor(t.repos);
    try {
      mail.refuseWith = 451;
      const retried = await signUp(t.url);
      await until('a retry', async () => ((await outboxOf(retried.id))[0]?.attempts ?? 0) >= 2);
      mail.refuseWith = undefined;
      await mail.waitFor(retried.email);

      mail.refuseWith = 550;
      const refused = await signUp(t.url);
      const [row] = await until('the refusal', async () => {
        const rows = await outboxOf(refused.id);
        return rows[0]?.failed_at && rows;
      });
      expect(row).toMatchObject({ attempts: 1, sent_at: null, last_error: expect.stringMatching(/550/) });
      mail.refuseWith = undefined;
      await worker.sweep();
      await worker.sweep();
      expect((await outboxOf(refused.id))[0].attempts).toBe(1);
      expect(mail.to(refused.email)).toHaveLength(0);
      expect(await t.sql('select id from email_tokens where user_id = $1', [refused.id])).toEqual([]);
    } finally {
      mail.refuseWith = undefined;
      await worker.stop();
    }
  });
});

describe('durability and concurrency', () => {
  it('two workers on one database deliver every message exactly once', async () => {
    // On a server, two instances' worth: a pool each. Embedded, two workers share its one connection.
    const second = usingServer ? await openTestDatabase(testDb) : undefined;
    try {
      const users = await Promise.all(Array.from({ length: 24 }, () => signUp(t.url)));
      const a = workerFor(t.repos);
      const b = workerFor(second ? createRepositories(second.database) : t.repos);
      await until('every message', async () => users.every((u) => mail.to(u.email).length > 0));
      await Promise.all([a.sweep(), b.sweep(), a.sweep(), b.sweep()]);
      await a.stop();
      await b.stop();
      for (const user of users) expect(mail.to(user.email), user.email).toHaveLength(1);
      const rows = await t.sql('select attempts, sent_at from mail_outbox where user_id = any($1)', [users.map((u) => u.id)]);
      expect(rows).toHaveLength(24);
      for (const row of rows) expect(row).toMatchObject({ attempts: 1, sent_at: expect.anything() });
      expect(await t.sql('select id from email_tokens where user_id = any($1)', [users.map((u) => u.id)])).toHaveLength(24);
    } finally {
      await second?.close();
    }
  });

  it('messages queued before a restart go out after it', async () => {
    const user = await signUp(t.url);
    expect(mail.to(user.email)).toHaveLength(0);
    await t.close();
    t = await startTestApp({}, testDb);
    const worker = workerFor(t.repos);
    const message = await mail.waitFor(user.email);
    expect(message.subject).toBe('Confirm your email address');
    await worker.stop();
  });
});

describe('account deletion and the purge', () => {
  it('deletion voids outstanding tokens and drops unsent messages; the purge erases emails, tokens and messages', async () => {
    const user = await signUp(t.url);
    const worker = workerFor(t.repos);
    await mail.waitFor(user.email);
    await worker.stop();
    // A second message queued, not yet sent.
    const [{ id: emailId }] = await t.sql('select id from user_emails where user_id = $1', [user.id]);
    expect((await gql(t.url, 'mutation ($id: UUID!) { sendEmailVerification(id: $id) }', { id: emailId }, user.token)).data).toEqual({ sendEmailVerification: true });
    expect(await t.sql('select id from mail_outbox where user_id = $1 and sent_at is null', [user.id])).toHaveLength(1);

    expect((await gql(t.url, 'mutation { deleteMe { status } }', undefined, user.token)).data).toEqual({ deleteMe: { status: 'DELETED' } });
    expect(await t.sql('select id from mail_outbox where user_id = $1 and sent_at is null', [user.id])).toEqual([]);
    expect(await t.sql('select id from email_tokens where user_id = $1 and voided_at is null and used_at is null', [user.id])).toEqual([]);
    // The token that was sent no longer verifies anything.
    const sent = mail.to(user.email)[0]!;
    expect((await gql(t.url, 'mutation ($t: String!) { verifyEmail(token: $t) { id } }', { t: sent.token })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    expect(await purgeDueAccounts(t.repos)).toBeGreaterThanOrEqual(1);
    for (const table of ['users where id', 'user_emails where user_id', 'email_tokens where user_id', 'mail_outbox where user_id']) {
      expect(await t.sql(`select 1 from ${table} = $1`, [user.id]), table).toEqual([]);
    }
  });
});

describe('production', () => {
  it('refuses to start without SMTP_URL, in one line', async () => {
    const failure = await startService({ NODE_ENV: 'production', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', LOG_LEVEL: 'warn' }).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failure).toBeDefined();
    const output = failure!.replace(/^exited 1 before listening:\n/, '');
    expect(failure).toMatch(/^exited 1 before listening:/);
    expect(output.trim().split('\n')).toEqual([expect.stringMatching(/^SMTP_URL must be set when NODE_ENV=production/)]);
  });
});
