/**
 * `npm run bench`: the service against its physical ceiling, on a real PostgreSQL.
 *
 * Creates a fresh database, starts the service (production settings) and bench/ceiling.ts as child
 * processes, seeds users with sessions, checks both answer the same, then loads both with
 * autocannon, alternating ceiling and service runs, for each scenario and round. Prints a table of
 * medians and ratios and writes it to bench/results/. Then times the embedded (PGlite) start-up.
 * Traffic goes to 127.0.0.1 only; children are killed and the database dropped whatever happens.
 *
 * Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres, used only to
 * create and drop the bench database), BENCH_DURATION, BENCH_WARMUP, BENCH_ROUNDS,
 * BENCH_CONNECTIONS, BENCH_USERS, BENCH_SCENARIOS (comma-separated ids), BENCH_EMBEDDED=0 to skip
 * the PGlite start-up timing, BENCH_TIMEOUT (seconds, hard stop), BENCH_SERVICE_NODE_ARGS and
 * BENCH_CEILING_NODE_ARGS (extra node flags for either server, e.g. --cpu-prof).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { generateToken } from '../src/domain/tokens.js';
import { seedUsers } from './seed.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const HOST = '127.0.0.1';

function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`${name} must be a number from ${min} to ${max}; got "${raw}"`);
  return value;
}

const settings = {
  durationSec: envNumber('BENCH_DURATION', 7, 1, 600),
  warmupSec: envNumber('BENCH_WARMUP', 2, 0, 600),
  rounds: Math.round(envNumber('BENCH_ROUNDS', 3, 1, 50)),
  connections: Math.round(envNumber('BENCH_CONNECTIONS', 50, 1, 1000)),
  users: Math.round(envNumber('BENCH_USERS', 10_000, 10, 1_000_000)),
  embedded: process.env.BENCH_EMBEDDED?.trim() !== '0',
  timeoutSec: envNumber('BENCH_TIMEOUT', 900, 10, 86_400),
  dbPoolMax: Math.round(envNumber('DB_POOL_MAX', 10, 2, 1000)),
};
const ADMIN_URL = process.env.DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres';

// ---------------------------------------------------------------------------------------------
// Scenarios: the same URLs, methods, bodies and tokens for both servers.

interface Sent {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: string;
}

interface Scenario {
  id: string;
  title: string;
  /** Needs the REST routes. */
  rest: boolean;
  /** Target share of the ceiling's req/s, if the issue sets one. */
  minThroughputRatio: number | null;
  request(sequence: number): Sent;
}

const ME_SMALL = '{ me { id name status createdAt } }';
const ME_FULL = '{ me { id status name bio activeSessions createdAt updatedAt defaultEmail avatarUrl phoneNumber locale timezone } }';
const graphql = (query: string): Sent => ({ method: 'POST', path: '/graphql', body: JSON.stringify({ query }) });
const GRAPHQL_SMALL = graphql(ME_SMALL);
const GRAPHQL_FULL = graphql(ME_FULL);
const GET_ME: Sent = { method: 'GET', path: '/me' };
// A new bio every time, so every PATCH really writes on both servers.
const patchMe = (sequence: number): Sent => ({ method: 'PATCH', path: '/me', body: JSON.stringify({ bio: `Bench bio ${sequence}` }) });

const SCENARIOS: Scenario[] = [
  { id: 'graphql-me', title: 'GraphQL me { id name status createdAt }', rest: false, minThroughputRatio: 0.85, request: () => GRAPHQL_SMALL },
  { id: 'graphql-me-full', title: 'GraphQL me, every field', rest: false, minThroughputRatio: 0.85, request: () => GRAPHQL_FULL },
  { id: 'rest-get-me', title: 'REST GET /me', rest: true, minThroughputRatio: 0.95, request: () => GET_ME },
  { id: 'rest-patch-me', title: 'REST PATCH /me (bio)', rest: true, minThroughputRatio: 0.8, request: patchMe },
  {
    id: 'mix',
    title: 'mix: 80% GraphQL me, 10% GET /me, 10% PATCH /me',
    rest: true,
    minThroughputRatio: null,
    request: (sequence) => {
      const r = Math.random();
      return r < 0.8 ? GRAPHQL_SMALL : r < 0.9 ? GET_ME : patchMe(sequence);
    },
  },
];

const P99_MAX_RATIO = 2;
const RSS_MAX_MB = 150;

// ---------------------------------------------------------------------------------------------
// Child processes, and cleanup whatever happens.

interface Child {
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
async function stopChild(child: Child, graceMs = 10_000): Promise<number | null> {
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
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    activeLoad?.stop();
    await Promise.all([...children].map((child) => stopChild(child, 5_000).catch(() => undefined)));
    await dropDatabase().catch((error: unknown) => console.error(`could not drop the bench database: ${String(error)}`));
    removeTempDirs();
  })();
  return cleaning;
}

async function dropDatabase(): Promise<void> {
  if (!benchDatabase) return;
  const name = benchDatabase;
  benchDatabase = null;
  await adminQuery(`drop database if exists "${name}" with (force)`);
}

function removeTempDirs(): void {
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

function freePort(): Promise<number> {
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

function rssKb(pid: number): number {
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

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** JSON with keys sorted, so two answers compare regardless of key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Servers.

interface Server {
  kind: 'ceiling' | 'service';
  child: Child;
  baseUrl: string;
  /** VmRSS once ready, before any load. */
  idleRssMb: number;
  /** The service's log (stdout), truncated after each clean run; shown when a run fails. */
  logFd?: number;
  logPath?: string;
}

function benchEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Production defaults, not whatever the caller's shell has: the log level is the real one.
  for (const name of ['LOG_LEVEL', 'NODE_OPTIONS', 'GRAPHQL_INTROSPECTION', 'DATA_DIR']) delete env[name];
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

async function startService(databaseUrl: string, logDir: string): Promise<Server> {
  const port = await freePort();
  const logPath = path.join(logDir, 'service.log');
  const logFd = fs.openSync(logPath, 'a');
  const env = benchEnv({ NODE_ENV: 'production', HOST, PORT: String(port), DATABASE_URL: databaseUrl, DB_POOL_MAX: String(settings.dbPoolMax) });
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

async function startCeiling(databaseUrl: string): Promise<Server> {
  const port = await freePort();
  const env = benchEnv({ NODE_ENV: 'production', PORT: String(port), DATABASE_URL: databaseUrl, DB_POOL_MAX: String(settings.dbPoolMax) });
  const started = performance.now();
  const nodeArgs = process.env.BENCH_CEILING_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const child = startChild('ceiling', [...nodeArgs, '--import', 'tsx', 'bench/ceiling.ts'], env, 'pipe');
  const baseUrl = `http://${HOST}:${port}`;
  const ms = await waitReady(child, baseUrl, started, 30_000);
  console.log(`  ceiling ready in ${(ms / 1000).toFixed(1)} s on ${baseUrl}, pid ${child.pid}`);
  return { kind: 'ceiling', child, baseUrl, idleRssMb: rssKb(child.pid) / 1024 };
}

function logTail(logPath: string | undefined, bytes = 4_000): string {
  if (!logPath) return '';
  try {
    const text = fs.readFileSync(logPath, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Correctness before any timing: both servers answer the same for the same token.

async function call(server: Server, sent: Sent, token: string): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (sent.body) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.baseUrl}${sent.path}`, {
    method: sent.method,
    headers,
    body: sent.body ?? null,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // left as text
  }
  return { status: response.status, json };
}

function mustEqual(what: string, service: unknown, ceiling: unknown): void {
  if (!isDeepStrictEqual(canonical(service), canonical(ceiling))) {
    throw new Error(`${what}: the service and the ceiling answer differently\n  service: ${JSON.stringify(service)}\n  ceiling: ${JSON.stringify(ceiling)}`);
  }
}

function mustBeOk(what: string, result: { status: number; json: unknown }): void {
  const errors = (result.json as { errors?: unknown } | null)?.errors;
  if (result.status !== 200 || errors) throw new Error(`${what}: expected 200 without errors, got ${result.status} ${JSON.stringify(result.json)}`);
}

/** Returns whether the service has the REST routes. */
async function validate(service: Server, ceiling: Server, tokens: string[]): Promise<boolean> {
  const probe = await call(service, GET_ME, tokens[0]!);
  const rest = probe.status !== 404;
  if (!rest) console.log('  ! the service has no GET /me yet (404): REST scenarios are skipped');

  const sample = [tokens[0]!, tokens[1]!, tokens[2]!, tokens[tokens.length - 1]!];
  for (const [i, token] of sample.entries()) {
    for (const [label, sent] of [
      ['GraphQL me', GRAPHQL_SMALL],
      ['GraphQL me (every field)', GRAPHQL_FULL],
      ...(rest ? [['GET /me', GET_ME] as const] : []),
    ] as const) {
      const [s, c] = [await call(service, sent, token), await call(ceiling, sent, token)];
      mustBeOk(`${label} on the service`, s);
      mustBeOk(`${label} on the ceiling`, c);
      mustEqual(`${label} for user #${i}`, s.json, c.json);
    }
    if (rest) {
      const [c, s] = [await call(ceiling, patchMe(-1 - i), token), await call(service, patchMe(-100 - i), token)];
      mustBeOk('PATCH /me on the ceiling', c);
      mustBeOk('PATCH /me on the service', s);
      const bio = (x: unknown) => (x as { bio?: unknown }).bio;
      if (bio(c.json) !== `Bench bio ${-1 - i}` || bio(s.json) !== `Bench bio ${-100 - i}`) {
        throw new Error(`PATCH /me did not change the bio: ceiling ${JSON.stringify(c.json)}, service ${JSON.stringify(s.json)}`);
      }
      const without = (x: unknown) => ({ ...(x as Record<string, unknown>), bio: null, updatedAt: null });
      mustEqual(`PATCH /me for user #${i} (bio and updatedAt aside)`, without(s.json), without(c.json));
      mustEqual(`GET /me after PATCH for user #${i}`, (await call(service, GET_ME, token)).json, (await call(ceiling, GET_ME, token)).json);
    }
  }
  // Both really check the token.
  const stranger = generateToken();
  for (const server of [service, ceiling]) {
    const answer = await call(server, GRAPHQL_SMALL, stranger);
    if ((answer.json as { data?: { me?: unknown } } | null)?.data?.me !== null) {
      throw new Error(`${server.kind} answered an unknown token with ${JSON.stringify(answer.json)}`);
    }
    if (rest && (await call(server, GET_ME, stranger)).status !== 401) throw new Error(`${server.kind} did not refuse an unknown token on GET /me`);
  }
  console.log(`  both servers give the same answers for ${sample.length} users${rest ? ' (GraphQL, GET and PATCH /me)' : ' (GraphQL)'}`);
  return rest;
}

// ---------------------------------------------------------------------------------------------
// Load.

interface Measurement {
  round: number;
  server: 'ceiling' | 'service';
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

class LoadFailure extends Error {}

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

async function measure(
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

interface EmbeddedStartup {
  firstMs: number;
  repeatMs: number;
  settings: string;
}

async function embeddedStartup(): Promise<EmbeddedStartup> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgw-bench-pglite-'));
  tempDirs.add(dataDir);
  const once = async (label: string) => {
    const port = await freePort();
    // What `npm start` on a fresh clone does: no DATABASE_URL, development defaults.
    const env = benchEnv({ NODE_ENV: undefined, DATABASE_URL: undefined, HOST, PORT: String(port), DATA_DIR: dataDir });
    const started = performance.now();
    const child = startChild(`embedded service (${label})`, ['--import', 'tsx', 'src/main.ts'], env, 'pipe');
    const ms = await waitReady(child, `http://${HOST}:${port}`, started, 120_000);
    const code = await stopChild(child, 15_000);
    if (code !== 0) console.log(`  ! the embedded service (${label}) exited with ${code} on SIGTERM`);
    return ms;
  };
  const firstMs = await once('first');
  const repeatMs = await once('repeat');
  return { firstMs, repeatMs, settings: 'NODE_ENV unset (as npm start), fresh DATA_DIR then the same again' };
}

// ---------------------------------------------------------------------------------------------
// Report.

type Side = Pick<Measurement, 'reqPerSec' | 'p50Ms' | 'p99Ms' | 'maxRssMb' | 'cpuUsPerRequest' | 'pgCpuUsPerRequest'>;

interface ScenarioSummary {
  id: string;
  title: string;
  service: Side;
  ceiling: Side;
  ratio: Side;
  targets: {
    throughput: { min: number | null; pass: boolean | null };
    p99: { max: number; pass: boolean };
    rss: { maxMb: number; pass: boolean };
  };
  runs: Measurement[];
}

function summarise(scenario: Scenario, runs: Measurement[]): ScenarioSummary {
  const of = (kind: Measurement['server']) => runs.filter((r) => r.server === kind).sort((a, b) => a.round - b.round);
  const service = of('service');
  const ceiling = of('ceiling');
  const side = (list: Measurement[]): Side => ({
    reqPerSec: median(list.map((r) => r.reqPerSec)),
    p50Ms: median(list.map((r) => r.p50Ms)),
    p99Ms: median(list.map((r) => r.p99Ms)),
    maxRssMb: Math.max(...list.map((r) => r.maxRssMb)),
    cpuUsPerRequest: median(list.map((r) => r.cpuUsPerRequest)),
    pgCpuUsPerRequest: list.every((r) => r.pgCpuUsPerRequest !== null) ? median(list.map((r) => r.pgCpuUsPerRequest!)) : null,
  });
  // Ratios are taken per round (each service run beside its ceiling run), then the median.
  const pairedRatio = (key: 'reqPerSec' | 'p50Ms' | 'p99Ms' | 'cpuUsPerRequest') => median(service.map((s, i) => s[key] / ceiling[i]![key]));
  const serviceSide = side(service);
  const ratio: Side = {
    reqPerSec: pairedRatio('reqPerSec'),
    p50Ms: pairedRatio('p50Ms'),
    p99Ms: pairedRatio('p99Ms'),
    maxRssMb: serviceSide.maxRssMb / side(ceiling).maxRssMb,
    cpuUsPerRequest: pairedRatio('cpuUsPerRequest'),
    pgCpuUsPerRequest: serviceSide.pgCpuUsPerRequest && side(ceiling).pgCpuUsPerRequest ? serviceSide.pgCpuUsPerRequest / side(ceiling).pgCpuUsPerRequest! : null,
  };
  return {
    id: scenario.id,
    title: scenario.title,
    service: serviceSide,
    ceiling: side(ceiling),
    ratio,
    targets: {
      throughput: {
        min: scenario.minThroughputRatio,
        pass: scenario.minThroughputRatio === null ? null : ratio.reqPerSec >= scenario.minThroughputRatio,
      },
      p99: { max: P99_MAX_RATIO, pass: ratio.p99Ms <= P99_MAX_RATIO },
      rss: { maxMb: RSS_MAX_MB, pass: serviceSide.maxRssMb <= RSS_MAX_MB },
    },
    runs,
  };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const verdict = (pass: boolean | null) => (pass === null ? '—' : pass ? 'pass' : 'FAIL');

function table(summaries: ScenarioSummary[]): string {
  const header = [
    'scenario',
    'req/s service (ceiling)',
    'ratio',
    'target',
    'p50 ms (ceiling)',
    'p99 ms (ceiling)',
    'p99 ratio ≤ 2',
    'max RSS MB (ceiling)',
    'RSS ≤ 150 MB',
    'node CPU µs/req (ceiling)',
    'PG CPU µs/req (ceiling)',
  ];
  const rows = summaries.map((s) => [
    s.id,
    `${fmt(s.service.reqPerSec)} (${fmt(s.ceiling.reqPerSec)})`,
    fmt(s.ratio.reqPerSec, 2),
    s.targets.throughput.min === null ? '—' : `≥ ${fmt(s.targets.throughput.min, 2)} ${verdict(s.targets.throughput.pass)}`,
    `${fmt(s.service.p50Ms)} (${fmt(s.ceiling.p50Ms)})`,
    `${fmt(s.service.p99Ms)} (${fmt(s.ceiling.p99Ms)})`,
    `${fmt(s.ratio.p99Ms, 2)} ${verdict(s.targets.p99.pass)}`,
    `${fmt(s.service.maxRssMb)} (${fmt(s.ceiling.maxRssMb)})`,
    verdict(s.targets.rss.pass),
    `${fmt(s.service.cpuUsPerRequest)} (${fmt(s.ceiling.cpuUsPerRequest)})`,
    s.service.pgCpuUsPerRequest === null || s.ceiling.pgCpuUsPerRequest === null
      ? '—'
      : `${fmt(s.service.pgCpuUsPerRequest)} (${fmt(s.ceiling.pgCpuUsPerRequest)})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function machine(): { nproc: number; cpu: string; memoryGb: number; node: string; postgres: string } {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  return { nproc: os.availableParallelism(), cpu, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, postgres: '' };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const began = performance.now();
  const loadAtStart = os.loadavg();
  const host = machine();
  const adminHost = new URL(ADMIN_URL).hostname;
  console.log(
    `profile-gateway bench: ${settings.rounds} rounds × ${settings.durationSec} s per run (warm-up ${settings.warmupSec} s before each ` +
      `scenario's first run on each server), ${settings.connections} connections, ${fmt(settings.users)} users; ` +
      `${host.nproc} CPUs (${host.cpu}), Node ${host.node}, load average ${loadAtStart[0]!.toFixed(1)}`,
  );
  const watchdog = setTimeout(() => {
    console.error(`\nBENCH_TIMEOUT (${settings.timeoutSec} s) reached: giving up`);
    void cleanup().finally(() => process.exit(1));
  }, settings.timeoutSec * 1000);
  watchdog.unref();

  const selected = process.env.BENCH_SCENARIOS?.split(',').map((s) => s.trim()).filter(Boolean);
  let scenarios = selected?.length ? SCENARIOS.filter((s) => selected.includes(s.id)) : SCENARIOS;
  if (scenarios.length === 0) throw new Error(`BENCH_SCENARIOS names none of ${SCENARIOS.map((s) => s.id).join(', ')}`);

  console.log('  building the service (npm run build)');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });

  // A fresh database on the server DATABASE_URL points to.
  const dbName = `pgw_bench_${Date.now().toString(36)}_${process.pid}`;
  await adminQuery(`create database "${dbName}"`);
  benchDatabase = dbName;
  const databaseUrl = databaseUrlFor(dbName);
  const postgres = await (async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? '';
    } finally {
      await client.end();
    }
  })();
  host.postgres = postgres;
  console.log(`  database ${dbName} created on ${adminHost} (PostgreSQL ${postgres})`);

  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgw-bench-'));
  tempDirs.add(logDir);
  const service = await startService(databaseUrl, logDir);
  const seedStart = performance.now();
  const tokens = await seedUsers(databaseUrl, settings.users);
  console.log(`  seeded ${fmt(tokens.length)} users with sessions in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  const ceiling = await startCeiling(databaseUrl);

  const rest = await validate(service, ceiling, tokens);
  scenarios = scenarios.filter((s) => rest || !s.rest);

  const runs = new Map<string, Measurement[]>(scenarios.map((s) => [s.id, []]));
  const loadStart = performance.now();
  for (let round = 1; round <= settings.rounds; round++) {
    for (const scenario of scenarios) {
      // Alternate which goes first, so a drift in the machine's load favours neither.
      const order = round % 2 === 1 ? [ceiling, service] : [service, ceiling];
      const line: string[] = [];
      for (const server of order) {
        if (round === 1) await measure(server, scenario, tokens, round, true, databaseUrl);
        const m = (await measure(server, scenario, tokens, round, false, databaseUrl))!;
        runs.get(scenario.id)!.push(m);
        line.push(`${server.kind} ${fmt(m.reqPerSec)} req/s p99 ${fmt(m.p99Ms)} ms ${fmt(m.maxRssMb)} MB`);
      }
      console.log(`  round ${round} ${scenario.id.padEnd(16)} ${line.join(' | ')}`);
    }
  }
  const loadSec = (performance.now() - loadStart) / 1000;

  const serviceExit = await stopChild(service.child);
  if (serviceExit !== 0) console.log(`  ! the service exited with ${serviceExit} on SIGTERM (expected 0)`);
  if (service.logFd !== undefined) fs.closeSync(service.logFd);
  await stopChild(ceiling.child);
  await dropDatabase();
  removeTempDirs();
  console.log(`  database ${dbName} dropped`);

  let embedded: EmbeddedStartup | null = null;
  if (settings.embedded) {
    embedded = await embeddedStartup();
    removeTempDirs();
  }

  const summaries = scenarios.map((s) => summarise(s, runs.get(s.id)!));
  const wallSec = (performance.now() - began) / 1000;
  const skipped = SCENARIOS.filter((s) => !scenarios.includes(s)).map((s) => s.id);

  console.log(`\n${table(summaries)}\n`);
  console.log(
    'Medians over the rounds; ratios are the median of each round\'s service/ceiling pair; RSS is the peak VmRSS of the server ' +
      'process over all rounds; node CPU is that process\'s own CPU time per request, PG CPU that of the PostgreSQL backends serving it.',
  );
  if (skipped.length) console.log(`Skipped: ${skipped.join(', ')}${rest ? '' : ' (no REST routes in the service yet)'}`);
  if (embedded) {
    console.log(
      `Embedded (PGlite) start-up, spawn to /readyz 200: first ${(embedded.firstMs / 1000).toFixed(1)} s (fresh DATA_DIR), ` +
        `repeat ${(embedded.repeatMs / 1000).toFixed(1)} s (same DATA_DIR).`,
    );
  }
  console.log(`RSS once ready, before any load: service ${fmt(service.idleRssMb)} MB, ceiling ${fmt(ceiling.idleRssMb)} MB.`);
  console.log(`Wall time ${fmt(wallSec)} s (load ${fmt(loadSec)} s).`);

  const report = {
    date: new Date().toISOString(),
    commit: (() => {
      try {
        const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
        // What was measured is the work tree: say so when src/ differs from the commit.
        return git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--', 'src') ? ' + uncommitted changes in src/' : '');
      } catch {
        return null;
      }
    })(),
    machine: { ...host, loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg() },
    settings: { ...settings, scenarios: scenarios.map((s) => s.id), skipped },
    idleRssMb: { service: service.idleRssMb, ceiling: ceiling.idleRssMb },
    wallSeconds: wallSec,
    loadSeconds: loadSec,
    scenarios: summaries,
    embeddedStartup: embedded,
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const stamp = report.date.replace(/[:.]/g, '-');
  fs.writeFileSync(path.join(RESULTS_DIR, `${stamp}.json`), json);
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), json);
  console.log(`Written: bench/results/latest.json and bench/results/${stamp}.json`);
  return 0;
}

main()
  .catch(async (error: unknown) => {
    if (interrupted) return 130;
    console.error(`\nBENCH FAILED: ${error instanceof Error ? error.message : String(error)}`);
    if (!(error instanceof LoadFailure) && error instanceof Error && error.stack) console.error(error.stack);
    return 1;
  })
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  });
