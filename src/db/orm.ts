/**
 * MikroORM's part: the schema (entities/) and its migrations. It is opened to migrate and closed
 * again; requests run their statements through database.ts.
 */
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { AccountPurge, AccountStatusChange, EmailToken, MailOutbox, Session, User, UserEmail } from './entities/index.js';
import { migrationsList } from './migrations/index.js';

export function ormOptions(clientUrl: string, overrides: Options = {}): Options {
  return {
    clientUrl,
    entities: [User, UserEmail, Session, AccountPurge, EmailToken, MailOutbox, AccountStatusChange],
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    // Two: one holds the migrations' transaction (and lock) while the migrator checks its table on the other.
    pool: { min: 0, max: 2 },
    driverOptions: { connection: { application_name: 'profile-gateway migrations' } },
    discovery: { warnWhenNoEntities: true },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    ...overrides,
  };
}

/** Any fixed number, the same in every instance: the key of the migration lock. */
const MIGRATION_LOCK_KEY = 0x70677731;

/**
 * Applies pending migrations and returns the names of every applied one. On a shared server,
 * instances starting together take turns under an advisory lock, so each migration runs once. The
 * lock is the transaction's (pg_advisory_xact_lock), not the session's: the migrations run in that
 * one transaction, which a transaction-pooling PgBouncer keeps on one server connection, and the
 * lock ends with it whatever happens (a session lock through such a pooler would stay behind on a
 * server connection another client gets next).
 */
export async function migrate(clientUrl: string, { shared }: { shared: boolean }): Promise<string[]> {
  const orm = await MikroORM.init(ormOptions(clientUrl));
  try {
    const migrator = orm.getMigrator();
    if (!shared) {
      await migrator.up();
    } else {
      const connection = orm.em.getConnection();
      await connection.transactional(async (trx) => {
        await connection.execute('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY], 'all', trx);
        // Its own table is checked (and created) on the other connection, under this lock.
        await migrator.up({ transaction: trx });
      });
    }
    return (await migrator.getExecutedMigrations()).map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}
