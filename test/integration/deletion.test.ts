import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories } from '../../src/db/repositories.js';
import { purgeDueAccounts, startPurgeWorker } from '../../src/jobs/purge.js';
import { createTestDatabase, gql, openTestDatabase, PASSWORD, signUp, startTestApp, usingServer, type TestApp, type TestDatabase } from '../helpers.js';

const DELETE = 'mutation { deleteMe { id status } }';
const LOG_IN = 'mutation ($email: EmailAddress!, $password: String!) { logIn(email: $email, password: $password) { token } }';

let testDb: TestDatabase;
let t: TestApp;
beforeAll(async () => {
  testDb = await createTestDatabase();
  // A purge delay, so the state between deletion and erasure can be looked at.
  t = await startTestApp({ ACCOUNT_PURGE_AFTER: '1h' }, testDb);
});
afterAll(async () => {
  await t?.close();
  await testDb?.drop();
});

const sql = (query: string, params: unknown[] = []) => t.sql(query, params);
const rowsOf = async (userId: string) => {
  const [{ users, emails, sessions, purges }] = await sql(
    `select (select count(*)::int from users where id = $1) as users,
            (select count(*)::int from user_emails where user_id = $1) as emails,
            (select count(*)::int from sessions where user_id = $1) as sessions,
            (select count(*)::int from account_purges where user_id = $1) as purges`,
    [userId],
  );
  return { users, emails, sessions, purges };
};
const dueNow = (userId: string) => sql("update account_purges set due_at = now() - interval '1 second' where user_id = $1", [userId]);

describe('deleteMe', () => {
  it('revokes every session, marks the user deleted and records a purge, before it answers', async () => {
    const user = await signUp(t.url);
    const second = (await gql(t.url, LOG_IN, { email: user.email, password: PASSWORD })).data!.logIn.token as string;
    const res = await gql(t.url, DELETE, undefined, user.token);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ deleteMe: { id: user.id, status: 'DELETED' } });

    const [row] = await sql('select status from users where id = $1', [user.id]);
    expect(row.status).toBe('deleted');
    const live = await sql('select id from sessions where user_id = $1 and revoked_at is null', [user.id]);
    expect(live).toEqual([]);
    const [purge] = await sql('select due_at - requested_at as delay from account_purges where user_id = $1', [user.id]);
    expect(purge).toBeDefined();

    for (const token of [user.token, second]) {
      const me = await gql(t.url, '{ me { id } }', undefined, token);
      expect(me.data).toEqual({ me: null });
      expect(me.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    const again = await gql(t.url, DELETE, undefined, second);
    expect(again.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const login = await gql(t.url, LOG_IN, { email: user.email, password: PASSWORD });
    expect(login.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('leaves no live session when a login races the deletion', async () => {
    for (let round = 0; round < 5; round++) {
      const user = await signUp(t.url);
      await Promise.all([
        gql(t.url, DELETE, undefined, user.token),
        gql(t.url, LOG_IN, { email: user.email, password: PASSWORD }),
        gql(t.url, LOG_IN, { email: user.email, password: PASSWORD }),
      ]);
      const live = await sql('select id from sessions where user_id = $1 and revoked_at is null', [user.id]);
      expect(live).toEqual([]);
    }
  });

  it('lets an update racing the deletion never bring the account back', async () => {
    for (let round = 0; round < 5; round++) {
      const user = await signUp(t.url);
      await Promise.all([
        gql(t.url, 'mutation { updateMe(input: { bio: "still here" }) { id } }', undefined, user.token),
        gql(t.url, DELETE, undefined, user.token),
      ]);
      const [row] = await sql('select status from users where id = $1', [user.id]);
      expect(row.status).toBe('deleted');
    }
  });
});

describe('purge worker', () => {
  it('waits for ACCOUNT_PURGE_AFTER, then erases the row, emails and sessions', async () => {
    const user = await signUp(t.url);
    await gql(t.url, DELETE, undefined, user.token);
    await purgeDueAccounts(t.repos);
    expect(await rowsOf(user.id)).toEqual({ users: 1, emails: 1, sessions: 1, purges: 1 });
    await dueNow(user.id);
    expect(await purgeDueAccounts(t.repos)).toBeGreaterThanOrEqual(1);
    expect(await rowsOf(user.id)).toEqual({ users: 0, emails: 0, sessions: 0, purges: 0 });
  });

  it('is safe with several sweeps at once: each account is erased once', async () => {
    const users = await Promise.all([1, 2, 3, 4].map(() => signUp(t.url)));
    for (const user of users) {
      await gql(t.url, DELETE, undefined, user.token);
      await dueNow(user.id);
    }
    const counts = await Promise.all([purgeDueAccounts(t.repos), purgeDueAccounts(t.repos), purgeDueAccounts(t.repos)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(users.length);
    for (const user of users) expect(await rowsOf(user.id)).toEqual({ users: 0, emails: 0, sessions: 0, purges: 0 });
  });

  it('records a failure and retries until done', async () => {
    const user = await signUp(t.url);
    await gql(t.url, DELETE, undefined, user.token);
    await dueNow(user.id);
    await sql(`create function pgw_test_block_delete() returns trigger language plpgsql as $$
      begin raise exception 'simulated fault'; end $$`);
    await sql(`create trigger pgw_test_block before delete on users for each row execute function pgw_test_block_delete()`);
    try {
      expect(await purgeDueAccounts(t.repos)).toBe(0);
      const [purge] = await sql(
        'select attempts, last_error, extract(epoch from due_at - now())::float as wait from account_purges where user_id = $1',
        [user.id],
      );
      // The first retry comes 2 s later (then 4, 8, … up to an hour).
      expect(purge).toMatchObject({ attempts: 1 });
      expect(purge.wait).toBeGreaterThan(1);
      expect(purge.wait).toBeLessThanOrEqual(2);
      expect(purge.last_error).toContain('simulated fault');
      expect(await rowsOf(user.id)).toMatchObject({ users: 1, purges: 1 });
    } finally {
      await sql('drop trigger pgw_test_block on users');
      await sql('drop function pgw_test_block_delete()');
    }
    await dueNow(user.id);
    expect(await purgeDueAccounts(t.repos)).toBe(1);
    expect(await rowsOf(user.id)).toEqual({ users: 0, emails: 0, sessions: 0, purges: 0 });
  });

  it('survives a restart: a purge recorded before it is done after', async () => {
    const user = await signUp(t.url);
    await gql(t.url, DELETE, undefined, user.token);
    await dueNow(user.id);
    // Stop the whole app before any sweep, then start a fresh one on the same database.
    await t.close();
    const reopened = await openTestDatabase(testDb);
    try {
      expect(await purgeDueAccounts(createRepositories(reopened.database))).toBe(1);
      const [{ n }] = await reopened.database.query<any>('select count(*)::int as n from users where id = $1', [user.id]);
      expect(n).toBe(0);
    } finally {
      await reopened.close();
    }
    t = await startTestApp({ ACCOUNT_PURGE_AFTER: '1h' }, testDb);
  });

  it('runs as a worker: a sweep at start, then one every interval, until stopped', async () => {
    const deletedDue = async () => {
      const user = await signUp(t.url);
      await gql(t.url, DELETE, undefined, user.token);
      await dueNow(user.id);
      return user.id;
    };
    const gone = async (userId: string) => (await rowsOf(userId)).users === 0;
    const until = async (check: () => Promise<boolean>, ms: number) => {
      for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) if (await check()) return true;
      return check();
    };
    const purged: string[] = [];
    const log = { info: (obj: object) => purged.push((obj as { userId: string }).userId), error: () => undefined };

    const first = await deletedDue();
    const worker = startPurgeWorker(t.repos, 300, log);
    try {
      expect(await until(() => gone(first), 5_000)).toBe(true);
      // Due after the first sweep: only the timer can erase it.
      const second = await deletedDue();
      expect(await until(() => gone(second), 5_000)).toBe(true);
      expect(purged).toEqual(expect.arrayContaining([first, second]));
    } finally {
      await worker.stop();
    }
    const afterStop = await deletedDue();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await gone(afterStop)).toBe(false);
    expect(await purgeDueAccounts(t.repos)).toBe(1);
  });

  it.runIf(usingServer)('is safe with two instances sweeping the same database', async () => {
    const users = await Promise.all([1, 2, 3, 4, 5, 6].map(() => signUp(t.url)));
    for (const user of users) {
      await gql(t.url, DELETE, undefined, user.token);
      await dueNow(user.id);
    }
    const other = await openTestDatabase(testDb);
    try {
      const counts = await Promise.all([purgeDueAccounts(t.repos), purgeDueAccounts(createRepositories(other.database))]);
      expect(counts[0] + counts[1]).toBe(users.length);
    } finally {
      await other.close();
    }
  });
});
