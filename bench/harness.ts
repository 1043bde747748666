/**
 * The bench's machinery: settings, child processes (the service, the ceiling, the peers) and
 * their cleanup whatever happens, the bench database, autocannon runs, and what is measured
 * around each run (req/s, latency, peak RSS, CPU time of the server and of its PostgreSQL
 * backends). What is sent is in bench/scenarios.ts; how it is reported, bench/report.ts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import type { Peer, Scenario } from './scenarios.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';

function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`${name} must be a number from ${min} to ${max}; got "${raw}"`);
  return value;
}

export const settings = {
  durationSec: envNumber('BENCH_DURATION', 5, 1, 600),
  warmupSec: envNumber('BENCH_WARMUP', 2, 0, 600),
  rounds: Math.round(envNumber('BENCH_ROUNDS', 3, 1, 50)),
  connections: Math.round(envNumber('BENCH_CONNECTIONS', 50, 1, 1000)),
  users: Math.round(envNumber('BENCH_USERS', 10_000, 10, 1_000_000)),
  embedded: process.env.BENCH_EMBEDDED?.trim() !== '0',
  timeoutSec: envNumber('BENCH_TIMEOUT', 900, 10, 86_400),
  dbPoolMax: Math.round(envNumber('DB_POOL_MAX', 10, 2, 1000)),
  peers: process.env.BENCH_PEERS?.trim() !== '0',
};
export const ADMIN_URL = process.env.DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres';

// ---------------------------------------------------------------------------------------------
// Child processes, and cleanup whatever happens.

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  exit: Promise<number | null>;
  exited: boolean;
  tail: () => string;
}

const children = new Set<Child>();
const tempDirs = new Set<string>();
let benchDatabase: string | null = null;
let activeLoad: autocannon.Instance | null = null;
let interrupted = false;

/** Whether SIGINT or SIGTERM stopped the bench. */
export const wasInterrupted = (): boolean => interrupted;

function startChild(name: string, args: string[], env: NodeJS.ProcessEnv, stdout: number | 'pipe'): Child {
  const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', stdout, 'pipe'] });
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8_000);
  };
  proc.stderr?.on('data', keep);
  proc.stdout?.on('data', keep);
  const child: Child = {
    name,
    process: proc,
    pid: proc.pid,
    exited: false,
    tail: () => tail,
    exit: new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        child.exited = true;
        resolve(code ?? (signal ? -1 : null));
      });
    }),
  };
  children.add(child);
  return child;
}

/** SIGTERM, then SIGKILL if it has not exited within the grace period. Returns the exit code. */
export async function stopChild(child: Child, graceMs = 10_000): Promise<number | null> {
  if (!child.exited) child.process.kill('SIGTERM');
  const code = await Promise.race([child.exit, sleep(graceMs).then(() => 'timeout' as const)]);
  if (code === 'timeout') {
    child.process.kill('SIGKILL');
    await Promise.race([child.exit, sleep(5_000)]);
    children.delete(child);
    return null;
  }
  children.delete(child);
  return code;
}

function databaseUrlFor(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let cleaning: Promise<void> | null = null;
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    activeLoad?.stop();
    await Promise.all([...children].map((child) => stopChild(child, 5_000).catch(() => undefined)));
    await dropDatabase().catch((error: unknown) => console.error(`could not drop the bench database: ${String(error)}`));
    removeTempDirs();
  })();
  return cleaning;
}

/** A fresh database on the server DATABASE_URL points to; dropped by dropDatabase or cleanup. */
export async function createDatabase(): Promise<{ name: string; url: string; postgres: string }> {
  const name = `pgw_bench_${Date.now().toString(36)}_${process.pid}`;
  await adminQuery(`create database "${name}"`);
  benchDatabase = name;
  const url = databaseUrlFor(name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const postgres = (await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? '';
    return { name, url, postgres };
  } finally {
    await client.end();
  }
}

export async function dropDatabase(): Promise<void> {
  if (!benchDatabase) return;
  const name = benchDatabase;
  benchDatabase = null;
  await adminQuery(`drop database if exists "${name}" with (force)`);
}

export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping children and dropping the bench database`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls GET /readyz until it answers 200; returns the milliseconds since `since`. */
async function waitReady(child: Child, baseUrl: string, since: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited) throw new Error(`${child.name} exited before it was ready:\n${child.tail()}`);
    try {
      const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
  throw new Error(`${child.name} was not ready within ${timeoutMs / 1000} s:\n${child.tail()}`);
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export function rssKb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Samples VmRSS every 100 ms (keeping the max) and the CPU time used, over one run. */
function sampleProcess(pid: number): () => { maxRssMb: number; cpuSeconds: number } {
  let max = rssKb(pid);
  const cpuStart = cpuSeconds(pid);
  const timer = setInterval(() => {
    max = Math.max(max, rssKb(pid));
  }, 100);
  return () => {
    clearInterval(timer);
    max = Math.max(max, rssKb(pid));
    return { maxRssMb: max / 1024, cpuSeconds: cpuSeconds(pid) - cpuStart };
  };
}

/**
 * CPU time of the PostgreSQL backends serving the bench database, when the server runs on this
 * machine (their pids are then ours to read in /proc). Null otherwise.
 */
async function backendCpu(databaseUrl: string): Promise<Map<number, number> | null> {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(databaseUrl).hostname)) return null;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    return new Map(rows.map(({ pid }) => [pid, cpuSeconds(pid)]));
  } finally {
    await client.end();
  }
}

function backendCpuSpent(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}

// ---------------------------------------------------------------------------------------------
// Servers.

export interface Server {
  /** `ceiling`, `service`, or a peer's id (`peer-apollo`, …). */
  kind: string;
  child: Child;
  baseUrl: string;
  /** VmRSS once ready, before any load. */
  idleRssMb: number;
  /** The service's log (stdout), truncated after each clean run; shown when a run fails. */
  logFd?: number;
  logPath?: string;
}

export function benchEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Production defaults, not whatever the caller's shell has: the log level is the real one.
  for (const name of ['LOG_LEVEL', 'NODE_OPTIONS', 'GRAPHQL_INTROSPECTION', 'DATA_DIR']) delete env[name];
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export async function startService(databaseUrl: string, logDir: string): Promise<Server> {
  const port = await freePort();
  const logPath = path.join(logDir, 'service.log');
  const logFd = fs.openSync(logPath, 'a');
  // Production requires an SMTP_URL; the bench sends no mail (its users are seeded, not signed up).
  const env = benchEnv({ NODE_ENV: 'production', HOST, PORT: String(port), DATABASE_URL: databaseUrl, DB_POOL_MAX: String(settings.dbPoolMax), SMTP_URL: 'smtp://127.0.0.1:25' });
  const started = performance.now();
  // BENCH_SERVICE_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to look inside the service.
  const nodeArgs = process.env.BENCH_SERVICE_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  // As production runs it: compiled JavaScript (npm run build), no TypeScript loader, its V8 flags
  // and environment settings.
  const production = productionCommand();
  const child = startChild('service', [...nodeArgs, ...production.args], { ...env, ...production.env }, logFd);
  const baseUrl = `http://${HOST}:${port}`;
  try {
    const ms = await waitReady(child, baseUrl, started, 60_000);
    console.log(`  service ready in ${(ms / 1000).toFixed(1)} s (migrations applied) on ${baseUrl}, pid ${child.pid}`);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- service log ---\n${logTail(logPath)}`, { cause: error });
  }
  return { kind: 'service', child, baseUrl, idleRssMb: rssKb(child.pid) / 1024, logFd, logPath };
}

/** What `npm run start:prod` runs: its `NAME=value` settings, and node's flags and entry point. */
function productionCommand(): { env: Record<string, string>; args: string[] } {
  const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const words = (scripts['start:prod'] ?? '').trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_][A-Z0-9_]*=/.test(words[0] ?? '')) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=');
  }
  const [program, ...args] = words;
  if (program !== 'node' || args.at(-1) !== 'dist/src/main.js') {
    throw new Error(`package.json's start:prod should be "[NAME=value ...] node [flags] dist/src/main.js"; it is "${scripts['start:prod']}"`);
  }
  return { env, args };
}

/** A TypeScript server of the bench's own (the ceiling, a peer), run through tsx in production mode. */
async function startScript(kind: string, script: string, databaseUrl: string, nodeArgsVariable: string): Promise<Server> {
  const port = await freePort();
  const env = benchEnv({ NODE_ENV: 'production', PORT: String(port), DATABASE_URL: databaseUrl, DB_POOL_MAX: String(settings.dbPoolMax) });
  const started = performance.now();
  const nodeArgs = process.env[nodeArgsVariable]?.split(/\s+/).filter(Boolean) ?? [];
  const child = startChild(kind, [...nodeArgs, '--import', 'tsx', script], env, 'pipe');
  const baseUrl = `http://${HOST}:${port}`;
  const ms = await waitReady(child, baseUrl, started, 30_000);
  console.log(`  ${kind} ready in ${(ms / 1000).toFixed(1)} s on ${baseUrl}, pid ${child.pid}`);
  return { kind, child, baseUrl, idleRssMb: rssKb(child.pid) / 1024 };
}

export function startCeiling(databaseUrl: string): Promise<Server> {
  return startScript('ceiling', 'bench/ceiling.ts', databaseUrl, 'BENCH_CEILING_NODE_ARGS');
}

export function startPeer(peer: Peer, databaseUrl: string): Promise<Server> {
  return startScript(peer.id, peer.script, databaseUrl, 'BENCH_PEER_NODE_ARGS');
}

export function logTail(logPath: string | undefined, bytes = 4_000): string {
  if (!logPath) return '';
  try {
    const text = fs.readFileSync(logPath, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Load.

export interface Measurement {
  round: number;
  /** Server.kind. */
  server: string;
  requests: number;
  durationSec: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxRssMb: number;
  /** The server process's own CPU time per request. */
  cpuUsPerRequest: number;
  /** The PostgreSQL backends' CPU time per request (null when the server is not local). */
  pgCpuUsPerRequest: number | null;
  /** The load generator's (this process's) CPU time per request. */
  loadgenCpuUsPerRequest: number;
}

export class LoadFailure extends Error {}

/** Numbers the requests of the whole bench, so no PATCH ever sends a user's current bio again. */
let sequence = 0;

function load(server: Server, scenario: Scenario, tokens: string[], durationSec: number): Promise<autocannon.Result & { bad: string[] }> {
  const bad: string[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: server.baseUrl,
        connections: settings.connections,
        duration: durationSec,
        timeout: 10,
        requests: [
          {
            setupRequest(request) {
              const token = tokens[Math.floor(Math.random() * tokens.length)]!;
              const sent = scenario.request(++sequence);
              request.method = sent.method;
              request.path = sent.path;
              request.headers = { ...request.headers, authorization: `Bearer ${token}` };
              if (sent.body) request.headers['content-type'] = 'application/json';
              request.body = sent.body ?? '';
              return request;
            },
            onResponse(status, body) {
              if ((status < 200 || status > 299 || body.includes('"errors"')) && bad.length < 5) bad.push(`${status} ${body.slice(0, 400)}`);
            },
          },
        ],
        // A GraphQL error comes with a 200: count it as a mismatch.
        verifyBody: (body) => typeof body !== 'string' || !body.includes('"errors"'),
      },
      (error: unknown, result: autocannon.Result) => {
        activeLoad = null;
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(Object.assign(result, { bad }));
      },
    );
    activeLoad = instance;
  });
}

export async function measure(
  server: Server,
  scenario: Scenario,
  tokens: string[],
  round: number,
  warmup: boolean,
  databaseUrl: string,
): Promise<Measurement | null> {
  const durationSec = warmup ? settings.warmupSec : settings.durationSec;
  if (durationSec <= 0) return null;
  const pgBefore = warmup ? null : await backendCpu(databaseUrl);
  const loadgenBefore = process.cpuUsage();
  const stop = sampleProcess(server.child.pid);
  const result = await load(server, scenario, tokens, durationSec);
  const { maxRssMb, cpuSeconds: cpu } = stop();
  const loadgen = process.cpuUsage(loadgenBefore);
  const pgCpu = warmup ? null : backendCpuSpent(pgBefore, await backendCpu(databaseUrl));
  const what = `${scenario.id} on the ${server.kind}${warmup ? ' (warm-up)' : ''}, round ${round}`;
  if (server.child.exited) throw new LoadFailure(`${what}: the ${server.kind} died\n${server.child.tail()}\n${logTail(server.logPath)}`);
  if (result.non2xx || result.errors || result.timeouts || result.mismatches || result.bad.length) {
    const codes = JSON.stringify(result.statusCodeStats ?? {});
    throw new LoadFailure(
      `${what}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts, ${result.mismatches} GraphQL errors; statuses ${codes}\n` +
        `first bad responses:\n  ${result.bad.join('\n  ')}\n` +
        (server.logPath ? `--- ${server.kind} log (tail) ---\n${logTail(server.logPath)}` : server.child.tail()),
    );
  }
  if (server.logFd !== undefined) fs.ftruncateSync(server.logFd, 0);
  const requests = result['2xx'];
  if (warmup) return null;
  return {
    round,
    server: server.kind,
    requests,
    durationSec: result.duration,
    reqPerSec: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxRssMb,
    cpuUsPerRequest: (cpu * 1e6) / requests,
    pgCpuUsPerRequest: pgCpu === null ? null : (pgCpu * 1e6) / requests,
    loadgenCpuUsPerRequest: (loadgen.user + loadgen.system) / requests,
  };
}

// ---------------------------------------------------------------------------------------------
// Embedded start-up.

export interface EmbeddedStartup {
  firstMs: number;
  repeatMs: number;
  settings: string;
}

export async function embeddedStartup(): Promise<EmbeddedStartup> {
  const dataDir = makeTempDir('pgw-bench-pglite-');
  const once = async (label: string) => {
    const port = await freePort();
    // What `npm start` on a fresh clone does: no DATABASE_URL, development defaults.
    const env = benchEnv({ NODE_ENV: undefined, DATABASE_URL: undefined, HOST, PORT: String(port), DATA_DIR: dataDir });
    const started = performance.now();
    const child = startChild(`embedded service (${label})`, ['--import', 'tsx', 'src/main.ts'], env, 'pipe');
    const ms = await waitReady(child, `http://${HOST}:${port}`, started, 120_000);
    const code = await stopChild(child, 15_000);
    if (code !== 0) console.log(`  ! the embedded service (${label}) exited with ${code} on SIGTERM; its output ended:\n${child.tail()}`);
    return ms;
  };
  const firstMs = await once('first');
  const repeatMs = await once('repeat');
  return { firstMs, repeatMs, settings: 'NODE_ENV unset (as npm start), fresh DATA_DIR then the same again' };
}

