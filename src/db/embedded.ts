import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { lockDataDir } from './data-dir-lock.js';

export interface EmbeddedDatabase {
  /** A postgres:// URL that the ordinary driver connects to. */
  clientUrl: string;
  close(): Promise<void>;
}

/**
 * Starts an in-process PostgreSQL (PGlite) persisted under `dataDir` and serves it on a loopback
 * port, so MikroORM's ordinary PostgreSQL driver talks to it like to a server. It serves one
 * session behind every connection: the pool must be `max: 1`. Only one process may use `dataDir` at a time
 * (data-dir-lock.ts): a second one gets DataDirInUseError.
 */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  await mkdir(dataDir, { recursive: true });
  const lock = await lockDataDir(dataDir);
  let db: PGlite | undefined;
  try {
    db = await PGlite.create(dataDir);
    // Two connections: the migrator's may still be closing when the pool opens its own. PGlite
    // queues their statements, and keeps an open transaction's connection first in line.
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 2 });
    await server.start();
    return {
      clientUrl: `postgres://postgres@${server.getServerConn()}/postgres`,
      async close() {
        try {
          await server.stop();
          await db!.close();
        } finally {
          await lock.release();
        }
      },
    };
  } catch (error) {
    await db?.close().catch(() => undefined);
    await lock.release();
    throw error;
  }
}
