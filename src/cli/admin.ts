/**
 * `npm run admin -- suspend|unsuspend <user id or email> [--reason TEXT]`: the operator's command
 * for the account lifecycle. Reads .env and the environment as the server does, changes one
 * account in one transaction (domain/AccountService.ts), prints one line per change on stdout,
 * and logs the change (a JSON line, with the reason and the operator) on stderr.
 *
 * Exit status: 0 changed; 1 refused or failed (unknown user, wrong status, database unreachable
 * or in use); 2 a usage error. Every failure is one line on stderr, never a stack trace for
 * anything the operator can fix.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError, loadConfig, readDotEnv, type Config } from '../config.js';
import { DataDirInUseError } from '../db/data-dir-lock.js';
import { openDatabase, SchemaBehindError, type OpenedDatabase } from '../db/open.js';
import { createRepositories } from '../db/repositories.js';
import { AccountService, type StatusChange } from '../domain/AccountService.js';
import { DomainError } from '../domain/errors.js';
import { databaseError, startupErrorLine } from '../startup-errors.js';

const USAGE = `Usage: npm run admin -- <command> <user id or email> [--reason TEXT]

Commands:
  suspend     Suspend the account: every session ends at once, its tokens get 401, and
              logIn with the right password is refused (FORBIDDEN, reason ACCOUNT_SUSPENDED).
  unsuspend   Give a suspended account back the status it had before (pending or active).
              Its sessions stay ended: the user logs in again.

Arguments:
  <user id or email>   The user's id, or any of its email addresses (any case).

Options:
  --reason TEXT   Why (up to 1000 characters): kept with the change and logged.
  -h, --help      Show this help.

Reads .env and the environment as the server does: DATABASE_URL, or else the embedded
database in DATA_DIR (default .data/). The embedded database serves one process at a time:
stop the server, run the command, start the server again.

Prints one line per change on stdout, and logs it as a JSON line on stderr (LOG_LEVEL).
Exit status: 0 changed; 1 refused or failed (unknown user, an account already in that
state or deleted, the database unreachable or in use); 2 a usage error.
`;

const COMMANDS = ['suspend', 'unsuspend'] as const;
type Command = (typeof COMMANDS)[number];

/** Exit statuses. */
const CHANGED = 0;
const REFUSED = 1;
const USAGE_ERROR = 2;

function fail(line: string, status: number): number {
  process.stderr.write(`admin: ${line}\n`);
  return status;
}

const usageError = (line: string) => fail(`${line} (npm run admin -- --help)`, USAGE_ERROR);

/** Who is making the change, as the record and the log name them. */
function actor(): string {
  try {
    return `admin-cli:${userInfo().username}`;
  } catch {
    return 'admin-cli';
  }
}

function describeChange(command: Command, change: StatusChange): string {
  const who = change.defaultEmail ? `${change.userId} (${change.defaultEmail})` : change.userId;
  const parts = [`${command}ed ${who}: ${change.from} → ${change.to}`];
  if (command === 'suspend') parts.push(`${change.revokedSessions} session${change.revokedSessions === 1 ? '' : 's'} revoked`);
  if (change.reason) parts.push(`reason: ${change.reason}`);
  return parts.join('; ');
}

async function open(config: Config): Promise<OpenedDatabase> {
  try {
    // As main.ts opens it (without its retries): through a pooler, migrations only by DATABASE_MIGRATION_URL.
    return await openDatabase({
      databaseUrl: config.databaseUrl,
      migrationUrl: config.databaseMigrationUrl,
      dataDir: config.dataDir,
      poolMax: 1,
      timeouts: { connectTimeoutMs: config.dbConnectTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs },
      preparedStatements: config.dbPreparedStatements,
    });
  } catch (error) {
    throw await databaseError(error, config);
  }
}

async function main(argv: string[]): Promise<number> {
  let values: { reason?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { reason: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    return usageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return CHANGED;
  }
  const [command, user, ...rest] = positionals;
  if (!command) return usageError('give a command: suspend or unsuspend');
  if (!(COMMANDS as readonly string[]).includes(command)) return usageError(`unknown command ${JSON.stringify(command)}: use suspend or unsuspend`);
  if (!user || user.trim() === '') return usageError(`${command} needs a user id or email`);
  if (rest.length > 0) return usageError(`unexpected argument ${JSON.stringify(rest[0])}: one user at a time`);

  let config: Config;
  try {
    readDotEnv();
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message, REFUSED);
    throw error;
  }
  const log = pino({ level: config.logLevel, base: { pid: process.pid, job: 'admin' } }, pino.destination({ dest: 2, sync: true }));

  let db: OpenedDatabase;
  try {
    db = await open(config);
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      return fail(
        `DATA_DIR ${error.dataDir} is in use by a running profile-gateway${error.holderPid ? ` (pid ${error.holderPid})` : ''}: ` +
          'the embedded database serves one process; stop the server, run this command, then start the server again',
        REFUSED,
      );
    }
    if (error instanceof SchemaBehindError) return fail(error.message, REFUSED);
    const line = startupErrorLine(error);
    if (line) return fail(line, REFUSED);
    throw error;
  }
  try {
    const accounts = new AccountService(createRepositories(db.database));
    const change = await accounts[command as Command](user, { reason: values.reason, actor: actor() });
    log.info(
      { userId: change.userId, from: change.from, to: change.to, reason: change.reason, actor: change.actor, revokedSessions: change.revokedSessions },
      command === 'suspend' ? 'account suspended' : 'account unsuspended',
    );
    process.stdout.write(`${describeChange(command as Command, change)}\n`);
    return CHANGED;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'BAD_USER_INPUT') return usageError(error.message);
    if (error instanceof DomainError && error.code !== 'INTERNAL_SERVER_ERROR' && error.code !== 'SERVICE_UNAVAILABLE') return fail(error.message, REFUSED);
    const { isDatabaseUnavailable } = await import('../db/errors.js');
    if (isDatabaseUnavailable(error)) return fail(`the database is unreachable (${(error as { code?: string }).code ?? 'no answer'}); nothing changed`, REFUSED);
    throw error;
  } finally {
    await db.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
