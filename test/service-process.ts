/**
 * The service as production runs it: `node --import tsx src/main.ts` in a child process. For the
 * tests of what only the whole program does: start-up and its failures, shutdown on SIGTERM,
 * riding out a database restart, one process per data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const root = path.resolve(import.meta.dirname, '..');
/** Absolute, so the program can run in any working directory (its `.env` and `.data` are there). */
export const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const MAIN = path.join(root, 'src/main.ts');

export interface ServiceProcess {
  child: ChildProcess;
  base: string;
  port: number;
  /** Everything it has written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (null if killed by a signal). */
  exited: Promise<number | null>;
  /** Sends `signal` and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnOptions {
  /**
   * Working directory. Default: the system's temporary directory, not the repository, so a
   * developer's own .env there never changes what a test runs (tests name DATA_DIR themselves).
   */
  cwd?: string;
  /** Another entry point than src/main.ts (relative to the repository), e.g. an operator command. */
  script?: string;
  /** Its command-line arguments. */
  args?: string[];
}

export interface Spawned {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/**
 * Starts the entry point with `env` on top of PATH and HOME only (so no variable of the test
 * runner's leaks in), PORT and METRICS_PORT 0 and HOST 127.0.0.1 unless `env` says otherwise.
 */
export function spawnService(env: Record<string, string>, options: SpawnOptions = {}): Spawned {
  const entry = options.script ? path.join(root, options.script) : MAIN;
  const child = spawn(process.execPath, ['--import', TSX, entry, ...(options.args ?? [])], {
    cwd: options.cwd ?? tmpdir(),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json'),
      PORT: '0',
      HOST: '127.0.0.1',
      // Never the default 9464: tests run side by side.
      METRICS_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (err += chunk));
  // 'close', not 'exit': the pipes have delivered everything by then.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/**
 * Generous: a start (tsx, PGlite, migrations) takes ~5 s alone, but far longer on a 2-core machine
 * shared with other test runs.
 */
export const START_TIMEOUT_MS = 150_000;
/** For a test that starts the program (or two) within it. */
export const PROCESS_TEST_TIMEOUT_MS = 2 * START_TIMEOUT_MS + 30_000;

/** Runs the entry point expecting it to fail at start-up; gives its exit code and output. */
export async function failedStart(
  env: Record<string, string>,
  options: SpawnOptions = {},
  timeoutMs = START_TIMEOUT_MS,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const spawned = spawnService(env, options);
  const timer = setTimeout(() => spawned.child.kill('SIGKILL'), timeoutMs);
  const code = await spawned.exited;
  clearTimeout(timer);
  return { code, stdout: spawned.stdout(), stderr: spawned.stderr() };
}

/** Starts the entry point with `env` and waits until it listens. */
export async function startService(env: Record<string, string>, timeoutMs = START_TIMEOUT_MS, options: SpawnOptions = {}): Promise<ServiceProcess> {
  const { child, stdout, stderr, exited } = spawnService(env, options);
  const output = () => stdout() + stderr();
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no start within ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    const check = () => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(stdout());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before listening:\n${output()}`));
    });
  });
  return {
    child,
    base,
    port: Number(new URL(base).port),
    output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
