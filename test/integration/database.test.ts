import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statement } from '../../src/db/database.js';
import { migrationsList } from '../../src/db/migrations/index.js';
import type { OpenedDatabase } from '../../src/db/open.js';
import { createTestDatabase, openTestDatabase, usingServer, type TestDatabase } from '../helpers.js';

const ALL_MIGRATIONS = migrationsList.map((m) => m.name);

let testDb: TestDatabase;
let db: OpenedDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
  db = await openTestDatabase(testDb, undefined, 2);
});
afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

describe('database', () => {
  it('applies the migrations once and is ready', async () => {
    expect(db.migrations).toEqual(ALL_MIGRATIONS);
    const recorded = await db.database.query<{ name: string }>('select name from mikro_orm_migrations order by id');
    expect(recorded.map((m) => m.name)).toEqual(ALL_MIGRATIONS);
    const tables = await db.database.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' order by 1",
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['account_purges', 'sessions', 'user_emails', 'users']));
  });

  it.runIf(usingServer)('lets several instances start together on one fresh database', async () => {
    const fresh = await createTestDatabase();
    try {
      const dbs = await Promise.all([1, 2, 3].map(() => openTestDatabase(fresh, undefined, 2)));
      for (const opened of dbs) expect(opened.migrations).toEqual(ALL_MIGRATIONS);
      const recorded = await dbs[0]!.database.query('select name from mikro_orm_migrations');
      expect(recorded).toHaveLength(ALL_MIGRATIONS.length);
      await Promise.all(dbs.map((opened) => opened.close()));
    } finally {
      await fresh.drop();
    }
  });
});

describe('transactions', () => {
  const count = async () => (await db.database.one<{ n: number }>("select count(*)::int as n from account_purges where last_error = 'tx test'"))!.n;
  const insert = (tx: Parameters<Parameters<OpenedDatabase['database']['transaction']>[0]>[0]) =>
    tx.query("insert into account_purges (user_id, requested_at, due_at, last_error) values (gen_random_uuid(), now(), now() + interval '1 day', 'tx test')");

  it('commit when the function returns, and roll back everything when it throws', async () => {
    await db.database.transaction(async (tx) => {
      await insert(tx);
      // Inside the transaction its own writes are visible.
      expect((await tx.query<{ n: number }>("select count(*)::int as n from account_purges where last_error = 'tx test'"))[0]!.n).toBe(1);
    });
    expect(await count()).toBe(1);
    const failure = new Error('abort');
    await expect(
      db.database.transaction(async (tx) => {
        await insert(tx);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await count()).toBe(1);
  });

  it('undo only a failed savepoint', async () => {
    await db.database.transaction(async (tx) => {
      await insert(tx);
      await tx.savepoint(() => insert(tx));
      await expect(
        tx.savepoint(async () => {
          await insert(tx);
          await tx.query('select 1 / 0');
        }),
      ).rejects.toThrow(/division by zero/);
    });
    expect(await count()).toBe(3);
  });
});

describe('named prepared statements', () => {
  it('survive the pool replacing a connection', async () => {
    const sql = statement('test_statement', 'select $1::int + 1 as n');
    expect(await db.database.query(sql, [41])).toEqual([{ n: 42 }]);
    // What the pool does to a broken or idle connection: close it; the next query opens a new one.
    const client = await db.database.pool.connect();
    client.release(true);
    expect(await db.database.query(sql, [41])).toEqual([{ n: 42 }]);
  });
});
