import type { MikroORM } from '@mikro-orm/postgresql';

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
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
  } finally {
    await client.releaseConnection(connection);
  }
}
