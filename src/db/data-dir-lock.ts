/**
 * One process per embedded data directory: PGlite is a single-process PostgreSQL, so two processes
 * on one DATA_DIR would each write its files as if alone, and one's writes would be lost.
 *
 * The lock is the kernel's (an open-file-description lock on Linux, flock on macOS) on
 * DATA_DIR/profile-gateway.lock. The kernel drops it when its process ends, however it ends, so a
 * lock left by a crashed or SIGKILLed process is simply taken over by the next start, and no stale
 * file ever needs cleaning up; a live holder makes every other start refuse.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { tryLock } from 'fs-native-extensions';

export const LOCK_FILE = 'profile-gateway.lock';

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    /** The holder's process id, as it wrote it in the lock file (when it could be read). */
    readonly holderPid: number | undefined,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by another profile-gateway process${holderPid ? ` (pid ${holderPid})` : ''}: ` +
        'one process per embedded database; stop that one, or set DATA_DIR to another directory',
    );
  }
}

export interface DataDirLock {
  /** Releases the lock (closing the file is what releases it). */
  release(): Promise<void>;
}

/** Takes the lock of `dataDir` (which must exist), or throws DataDirInUseError. */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const file = await open(path.join(dataDir, LOCK_FILE), 'a+');
  try {
    if (!tryLock(file.fd)) {
      const holder = Number.parseInt((await file.readFile('utf8')).trim(), 10);
      throw new DataDirInUseError(dataDir, Number.isSafeInteger(holder) && holder > 0 ? holder : undefined);
    }
    // For the message a second process prints; the lock itself is the kernel's, not this content.
    await file.truncate(0);
    await file.write(`${process.pid}\n`);
  } catch (error) {
    await file.close();
    throw error;
  }
  return {
    async release() {
      await file.close();
    },
  };
}
