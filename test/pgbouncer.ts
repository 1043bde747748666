/**
 * A PgBouncer of a test's own, in front of the PostgreSQL server the tests use, with the settings
 * of the README's excerpt ("Many instances"), so the excerpt is what is tested: transaction
 * pooling and every other setting it names; the test's own addresses, authentication and a small
 * pool (default_pool_size 4, so clients queue) instead of the excerpt's. Tests create their databases directly on the server and
 * connect through it. As root it runs as the postgres user (PgBouncer refuses to run as root).
 *
 * PGBOUNCER names another binary. Without one, tests skip, except in CI (CI=1), where they fail.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { root } from './service-process.js';

const run = promisify(execFile);
export const PGBOUNCER = process.env.PGBOUNCER ?? ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'].find((p) => existsSync(p));
export const inCI = /^(1|true)$/i.test(process.env.CI ?? '');
/** Whether tests that need PgBouncer run: always in CI (where a missing binary fails them). */
export const pgbouncerTests = Boolean(PGBOUNCER) || inCI;

export function warnIfSkipped(file: string): void {
  if (!pgbouncerTests) console.warn(`SKIPPED ${file}: no pgbouncer binary (apt-get install pgbouncer, or set PGBOUNCER)`);
}

export interface PgBouncerOptions {
  /** The server it forwards to; default TEST_DATABASE_URL's, else 127.0.0.1:5432. */
  serverUrl?: string;
  poolSize?: number;
  /** Extra lines for the [pgbouncer] section. */
  settings?: Record<string, string | number>;
}

/** The [pgbouncer] settings of the README's excerpt (the ini block after its marker). */
export function readmeSettings(readme: string): Record<string, string> {
  const marker = readme.indexOf('<!-- pgbouncer.ini');
  const block = marker === -1 ? undefined : /```ini\n([\s\S]*?)```/.exec(readme.slice(marker))?.[1];
  if (!block) throw new Error('README.md has no pgbouncer.ini excerpt');
  const settings: Record<string, string> = {};
  let section = '';
  for (const raw of block.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) section = header[1]!;
    else if (section === 'pgbouncer') {
      const [key, ...value] = line.split('=');
      settings[key!.trim()] = value.join('=').trim();
    }
  }
  return settings;
}

export class PgBouncer {
  private child: ChildProcess | undefined;
  private log = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(options: PgBouncerOptions = {}): Promise<PgBouncer> {
    if (!PGBOUNCER) throw new Error('no pgbouncer binary: apt-get install pgbouncer (or set PGBOUNCER)');
    const server = new URL(options.serverUrl ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    const dir = await mkdtemp(path.join(tmpdir(), 'pgw-pgbouncer-'));
    const bouncer = new PgBouncer(dir, await freePort());
    const user = decodeURIComponent(server.username || 'postgres');
    await writeFile(path.join(dir, 'users.txt'), `"${user}" "${decodeURIComponent(server.password)}"\n`);
    const settings = {
      ...readmeSettings(await readFile(path.join(root, 'README.md'), 'utf8')),
      listen_addr: '127.0.0.1',
      listen_port: bouncer.port,
      unix_socket_dir: '',
      auth_type: server.password ? 'plain' : 'trust',
      auth_file: path.join(dir, 'users.txt'),
      default_pool_size: options.poolSize ?? 4,
      logfile: path.join(dir, 'pgbouncer.log'),
      ...options.settings,
    };
    await writeFile(
      path.join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        // Any database name a client asks for, on the one server.
        `* = host=${server.hostname} port=${server.port || 5432}`,
        '[pgbouncer]',
        ...Object.entries(settings).map(([key, value]) => `${key} = ${value}`),
        '',
      ].join('\n'),
    );
    if (process.getuid?.() === 0) {
      const { stdout: uid } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      for (const file of [dir, path.join(dir, 'users.txt'), path.join(dir, 'pgbouncer.ini')]) await chown(file, Number(uid.trim()), Number(gid.trim()));
    }
    await bouncer.resume();
    return bouncer;
  }

  /** A URL through this PgBouncer to `database` (a name, or a URL whose database name is taken). */
  url(database: string): string {
    const name = database.includes('://') ? new URL(database).pathname.slice(1) : database;
    const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    url.pathname = `/${name}`;
    return url.toString();
  }

  /** Starts it (again, after `stop`) on its port, and waits until it accepts connections. */
  async resume(): Promise<void> {
    const ini = path.join(this.dir, 'pgbouncer.ini');
    const [command, args] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', PGBOUNCER!, ini]] : [PGBOUNCER!, [ini]];
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk) => (this.log += chunk));
    child.stderr!.on('data', (chunk) => (this.log += chunk));
    this.child = child;
    const deadline = Date.now() + 15_000;
    while (!(await accepts(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`pgbouncer did not start:\n${this.log}\n${await this.logFile()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGTERM: PgBouncer 1.18's immediate shutdown, every client and server connection dropped. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // runuser passes signals on to PgBouncer.
    child.kill(signal);
    await exited;
    this.child = undefined;
  }

  logFile(): Promise<string> {
    return readFile(path.join(this.dir, 'pgbouncer.log'), 'utf8').catch(() => '');
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}
