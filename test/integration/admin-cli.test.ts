/**
 * `npm run admin`, spawned as an operator runs it (node + tsx, src/cli/admin.ts) against a test
 * database: usage and exit statuses, one line per change on stdout, the JSON log line with the
 * reason, the refusals, and the data-dir lock of the embedded database. What suspension does to
 * the account is suspension.test.ts's; here, that the command did it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, gql, PASSWORD, signUp, startTestApp, usingServer, type SignedUp, type TestApp, type TestDatabase } from '../helpers.js';
import { spawnService, START_TIMEOUT_MS } from '../service-process.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command with `args`, with only `env` (and PATH, HOME) in its environment, in `cwd` (default: a temporary directory). */
async function admin(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Run> {
  const spawned = spawnService({ LOG_LEVEL: 'info', ...env }, { script: 'src/cli/admin.ts', args, ...(cwd ? { cwd } : {}) });
  const timer = setTimeout(() => spawned.child.kill('SIGKILL'), START_TIMEOUT_MS);
  const code = await spawned.exited;
  clearTimeout(timer);
  return { code, stdout: spawned.stdout(), stderr: spawned.stderr() };
}

const lines = (text: string) => text.split('\n').filter(Boolean);

describe('usage', () => {
  it('--help prints the usage and exits 0; a usage error is one line on stderr and exit 2', async () => {
    const [help, none, unknown, option, noReason, extra, empty] = await Promise.all([
      admin(['--help']),
      admin([]),
      admin(['frobnicate', 'ada@example.com']),
      admin(['suspend', 'ada@example.com', '--force']),
      admin(['suspend', 'ada@example.com', '--reason']),
      admin(['suspend', 'ada@example.com', 'bob@example.com']),
      admin(['unsuspend', ' ']),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run admin -- <command> <user id or email> \[--reason TEXT\]/);
    expect(help.stdout).toContain('unsuspend');
    expect(help.stderr).toBe('');
    const expected: [Run, RegExp][] = [
      [none, /^admin: give a command: suspend or unsuspend/],
      [unknown, /^admin: unknown command "frobnicate": use suspend or unsuspend/],
      [option, /^admin: Unknown option '--force'/],
      [noReason, /^admin: Option '--reason <value>' argument missing/],
      [extra, /^admin: unexpected argument "bob@example.com": one user at a time/],
      [empty, /^admin: unsuspend needs a user id or email/],
    ];
    for (const [run, line] of expected) {
      expect(run.code, run.stderr).toBe(2);
      expect(lines(run.stderr)).toEqual([expect.stringMatching(line)]);
      expect(run.stderr).toContain('(npm run admin -- --help)');
      expect(run.stdout).toBe('');
    }
  }, START_TIMEOUT_MS);

  it('a setting it cannot use (from .env, as the server reads it), or a database it cannot reach, is one line on stderr and exit 1', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pgw-admin-'));
    await writeFile(path.join(dir, '.env'), 'SESSION_TTL=banana\n');
    const [badSetting, unreachable] = await Promise.all([
      admin(['suspend', 'ada@example.com'], {}, dir),
      admin(['suspend', 'ada@example.com'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', DB_CONNECT_TIMEOUT: '2s' }),
    ]);
    expect(badSetting.code).toBe(1);
    expect(lines(badSetting.stderr)).toEqual([expect.stringMatching(/^admin: SESSION_TTL/)]);
    expect(unreachable.code).toBe(1);
    expect(lines(unreachable.stderr)).toEqual(['admin: DATABASE_URL: PostgreSQL at 127.0.0.1:1 cannot be reached (ECONNREFUSED); start it, or fix the host and port']);
    expect(unreachable.stdout + badSetting.stdout).toBe('');
    await rm(dir, { recursive: true, force: true });
  }, START_TIMEOUT_MS);
});

describe('on a database', () => {
  let database: TestDatabase;
  let app: TestApp | undefined;
  /** What the command needs to find the database the app uses. */
  let env: Record<string, string>;
  beforeAll(async () => {
    database = await createTestDatabase();
    app = await startTestApp({}, database);
    env = database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : { DATA_DIR: database.dataDir };
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  /**
   * Runs the command with the app's database free for it: the embedded one serves one process,
   * so the app stops for it and starts again after; a server's is shared, and the app stays up.
   */
  async function adminOnDatabase(args: string[]): Promise<Run> {
    if (database.databaseUrl) return admin(args, env);
    await app?.close();
    app = undefined;
    try {
      return await admin(args, env);
    } finally {
      app = await startTestApp({}, database);
    }
  }
  const url = () => app!.url;
  const sql = (query: string, params: unknown[] = []) => app!.sql(query, params);

  it('suspend: one line on stdout, a JSON log line with the reason, the account suspended; refusals exit 1 and change nothing; unsuspend restores', async () => {
    const user: SignedUp = await signUp(url());
    const bystander = await signUp(url());
    await gql(url(), 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }', { e: user.email, p: PASSWORD });

    const suspended = await adminOnDatabase(['suspend', user.email.toUpperCase(), '--reason', 'spam reports']);
    expect(suspended.code, suspended.stderr).toBe(0);
    expect(suspended.stdout).toBe(`suspended ${user.id} (${user.email}): pending → suspended; 2 sessions revoked; reason: spam reports\n`);
    const logged = lines(suspended.stderr).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toEqual([
      expect.objectContaining({ level: 30, msg: 'account suspended', userId: user.id, from: 'pending', to: 'suspended', reason: 'spam reports', revokedSessions: 2, actor: expect.stringMatching(/^admin-cli/) }),
    ]);
    const [row] = await sql('select status, status_before_suspension from users where id = $1', [user.id]);
    expect(row).toEqual({ status: 'suspended', status_before_suspension: 'pending' });
    expect(await sql('select id from sessions where user_id = $1 and revoked_at is null', [user.id])).toEqual([]);
    expect(await sql('select from_status, to_status, reason, actor from account_status_changes where user_id = $1', [user.id])).toEqual([
      { from_status: 'pending', to_status: 'suspended', reason: 'spam reports', actor: expect.stringMatching(/^admin-cli/) },
    ]);
    expect((await gql(url(), '{ me { id } }', undefined, user.token)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const login = await gql(url(), 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }', { e: user.email, p: PASSWORD });
    expect(login.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', reason: 'ACCOUNT_SUSPENDED' });

    // Refusals: one line on stderr, exit 1, nothing on stdout, nothing changed.
    const again = await adminOnDatabase(['suspend', user.id, '--reason', 'twice']);
    const unknown = await adminOnDatabase(['suspend', 'nobody@example.com']);
    const notSuspended = await adminOnDatabase(['unsuspend', bystander.id]);
    for (const [run, line] of [
      [again, `admin: User ${user.id} (${user.email}) is suspended; nothing changed.`],
      [unknown, 'admin: No user has the id or email "nobody@example.com".'],
      [notSuspended, `admin: User ${bystander.id} (${bystander.email}) is pending, not suspended; nothing changed.`],
    ] as const) {
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toBe(`${line}\n`);
      expect(run.stdout).toBe('');
    }
    expect(await sql('select count(*)::int as n from account_status_changes', [])).toEqual([{ n: 1 }]);
    expect((await gql(url(), '{ me { status } }', undefined, bystander.token)).data!.me.status).toBe('PENDING');

    const restored = await adminOnDatabase(['unsuspend', user.id, '--reason', 'cleared']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toBe(`unsuspended ${user.id} (${user.email}): suspended → pending; reason: cleared\n`);
    expect(JSON.parse(lines(restored.stderr)[0]!)).toMatchObject({ msg: 'account unsuspended', reason: 'cleared', from: 'suspended', to: 'pending' });
    const back = await gql(url(), 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }', { e: user.email, p: PASSWORD });
    expect(back.data?.logIn.token).toMatch(/^pgw_/);
  }, 12 * START_TIMEOUT_MS);

  it.skipIf(usingServer)('on the embedded database, says in one line that a running server holds DATA_DIR, and changes nothing', async () => {
    const user = await signUp(url());
    const run = await admin(['suspend', user.id], env);
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^admin: DATA_DIR ${database.dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by a running profile-gateway \\(pid \\d+\\): .*stop the server`)),
    ]);
    expect(run.stdout).toBe('');
    expect((await gql(url(), '{ me { status } }', undefined, user.token)).data!.me.status).toBe('PENDING');
  }, START_TIMEOUT_MS);
});
