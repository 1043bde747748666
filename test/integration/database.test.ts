import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/orm.js';
import { createTestDatabase, usingServer, type TestDatabase } from '../helpers.js';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

describe('database', () => {
  it('applies the migrations once and is ready', async () => {
    const db = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir, poolMax: 2 });
    try {
      const executed = await db.orm.getMigrator().getExecutedMigrations();
      expect(executed.map((m) => m.name)).toEqual(['Migration20261127000000_init']);
      expect(await db.orm.getMigrator().getPendingMigrations()).toEqual([]);
      const tables = await db.orm.em
        .fork()
        .execute<{ table_name: string }[]>("select table_name from information_schema.tables where table_schema = 'public' order by 1");
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining(['account_purges', 'sessions', 'user_emails', 'users']),
      );
    } finally {
      await db.close();
    }
  });

  it.runIf(usingServer)('lets several instances start together on one fresh database', async () => {
    const fresh = await createTestDatabase();
    try {
      const dbs = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: fresh.databaseUrl, dataDir: fresh.dataDir, poolMax: 2 })));
      for (const db of dbs) expect(await db.orm.getMigrator().getPendingMigrations()).toEqual([]);
      await Promise.all(dbs.map((db) => db.close()));
    } finally {
      await fresh.drop();
    }
  });
});

describe('named prepared statements', () => {
  it('survive the pool replacing a connection', async () => {
    const db = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir, poolMax: 2 });
    try {
      const { preparedQuery } = await import('../../src/db/raw.js');
      const run = () => preparedQuery<{ n: number }>(db.orm, 'pgw_test_statement', 'select $1::int + 1 as n', [41]);
      expect(await run()).toEqual([{ n: 42 }]);
      // What the pool does to an idle connection: close it; the next acquire opens a new one.
      const client = db.orm.em.getConnection().getKnex().client;
      const connection = await client.acquireConnection();
      await connection.end();
      await client.releaseConnection(connection);
      expect(await run()).toEqual([{ n: 42 }]);
    } finally {
      await db.close();
    }
  });
});
