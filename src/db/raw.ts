import type { MikroORM } from '@mikro-orm/postgresql';
import { isDatabaseUnavailable } from './errors.js';

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
  /** knex's mark of a dead connection: its pool destroys one so marked instead of lending it. */
  __knex__disposed?: unknown;
}

/**
 * Runs one named prepared statement on a connection of the ORM's own pool. PostgreSQL plans a
 * named statement once per connection; MikroORM/knex send unnamed ones, re-planned every call.
 * For hot, fixed queries only, and never while this request holds a transaction: with the
 * embedded database's single connection that would wait on itself.
 */
export async function preparedQuery<Row = Record<string, unknown>>(
  orm: MikroORM,
  name: string,
  text: string,
  values: unknown[],
): Promise<Row[]> {
  const client = orm.em.getConnection().getKnex().client;
  const connection = (await client.acquireConnection()) as PgClient;
  try {
    const result = await connection.query({ name, text, values });
    return result.rows as Row[];
  } catch (error) {
    // The connection broke (server restarted, connection killed): never hand it out again, even
    // if pg has not yet told knex it ended. The pool opens a fresh one, with no named statements.
    // A statement timeout (57014) leaves the connection usable.
    if (isDatabaseUnavailable(error) && (error as { code?: unknown }).code !== '57014') connection.__knex__disposed ??= error;
    throw error;
  } finally {
    await client.releaseConnection(connection);
  }
}
