/**
 * What main.ts prints when it cannot start. Every failure a user can cause (a bad value in a
 * variable, a taken port, a DATA_DIR in use or not writable, a DATABASE_URL that leads nowhere)
 * is one line naming the setting to change, and no stack trace. Anything else is the service's
 * own failure, and keeps its stack.
 */
import { ConfigError, type Config } from './config.js';
import { DataDirInUseError } from './db/data-dir-lock.js';

/** A failure the user can fix; its message is the whole line to print. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** The one line for a user's mistake, or undefined for the service's own failure. */
export function startupErrorLine(error: unknown): string | undefined {
  if (error instanceof StartupError || error instanceof ConfigError || error instanceof DataDirInUseError) return error.message;
  return undefined;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A failed listen, said in terms of PORT and HOST (or METRICS_PORT and METRICS_HOST); other errors
 * come back unchanged.
 */
export function listenError(error: unknown, config: Pick<Config, 'port' | 'host'>, setting: 'PORT' | 'METRICS_PORT' = 'PORT'): unknown {
  const off = setting === 'METRICS_PORT' ? ', or METRICS_PORT=off' : '';
  const hostSetting = setting === 'METRICS_PORT' ? 'METRICS_HOST' : 'HOST';
  const line = {
    EADDRINUSE: `port ${config.port} is in use; set ${setting} to a free port (or stop the process using it${off})`,
    EACCES: `port ${config.port} needs privileges this process does not have; set ${setting} to 1024 or above${off}`,
    EADDRNOTAVAIL: `${hostSetting} ${config.host} is not an address of this machine; set ${hostSetting} (e.g. 127.0.0.1 or 0.0.0.0)`,
    ENOTFOUND: `${hostSetting} ${config.host} cannot be resolved; set ${hostSetting} (e.g. 127.0.0.1 or 0.0.0.0)`,
    EAI_AGAIN: `${hostSetting} ${config.host} cannot be resolved; set ${hostSetting} (e.g. 127.0.0.1 or 0.0.0.0)`,
  }[codeOf(error) ?? ''];
  return line ? new StartupError(line, { cause: error }) : error;
}

/** What the file system says about a DATA_DIR it will not let us use. */
const DATA_DIR_ERRNOS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a path in it is a file, not a directory',
  EEXIST: 'a file of that name exists',
  ENOSPC: 'no space left on the device',
};

/**
 * A database that could not be opened, said in terms of DATA_DIR or DATABASE_URL (never echoing
 * the URL: it may hold a password); other errors come back unchanged.
 */
export async function databaseError(error: unknown, config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<unknown> {
  if (error instanceof DataDirInUseError) return error;
  if (!config.databaseUrl) {
    const reason = DATA_DIR_ERRNOS[codeOf(error) ?? ''];
    return reason ? new StartupError(`DATA_DIR ${config.dataDir} cannot be used: ${reason}; set DATA_DIR to a writable directory`, { cause: error }) : error;
  }
  const url = new URL(config.databaseUrl);
  const where = `${url.hostname || url.searchParams.get('host')}:${url.port || '5432'}`;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    const code = codeOf(e);
    // PostgreSQL's own words for these name the user or the database, never the password.
    if (code === '28P01' || code === '28000') return new StartupError(`DATABASE_URL: ${e.message} (at ${where}); check its user and password`, { cause: error });
    if (code === '08P01' && /startup parameter/i.test(e.message)) {
      return new StartupError(`DATABASE_URL: ${e.message} (at ${where}, a pooler such as PgBouncer); remove that parameter from DATABASE_URL, or list it in the pooler's ignore_startup_parameters`, { cause: error });
    }
    if (code === '3D000') return new StartupError(`DATABASE_URL: ${e.message} (at ${where}); create it, or fix the database name`, { cause: error });
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new StartupError(`DATABASE_URL: host ${url.hostname} cannot be resolved; check the host name`, { cause: error });
  }
  // Imported here: it loads MikroORM, which main.ts loads only once the settings are checked.
  const { isDatabaseUnavailable } = await import('./db/errors.js');
  if (isDatabaseUnavailable(error)) {
    const reason = codeOf(error) ?? codeOf((error as Error).cause) ?? 'no answer';
    return new StartupError(`DATABASE_URL: PostgreSQL at ${where} cannot be reached (${reason}); start it, or fix the host and port`, { cause: error });
  }
  return error;
}
