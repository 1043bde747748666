/**
 * `npm run bench:inprocess`: what the service's own code costs per request, without a database or
 * a load to share the CPU with. The real app (buildApp, production config, every hook, Apollo)
 * listens in a server process with the session lookup and the profile write answered from memory;
 * a child process sends the requests over a few keep-alive connections, each with one of 10,000
 * tokens in turn (one token would keep the limiter's counters in cache), and the server's log goes
 * to a real file, as production's stdout would. Reports the server's CPU time per request (its
 * socket syscalls included) and the bytes it allocates per request. About 50 s, within ~10% from
 * run to run on a quiet machine: it shows what a change to the request path did before the full
 * `npm run bench` confirms it. Not a measure of throughput.
 *
 * A/B: `INPROCESS_BASE=<another checkout>` (e.g. a `git worktree add --detach ../base main` with
 * node_modules linked to this one's) builds that checkout's app too, in the same process, and
 * alternates the two, INPROCESS_ROUNDS times per scenario (the order reversed each round): each
 * round pairs them under the same machine load, so the ratio holds on a noisy machine where the
 * absolute figures do not.
 *
 * (Fastify's inject would be simpler, but light-my-request 6.6, the last for Node 20, keeps ~9 KB
 * per injected request alive: the heap grows without end and GC dominates every figure.)
 *
 * Environment: INPROCESS_METRICS=off (Prometheus metrics are on by default, as in production),
 * INPROCESS_REQUESTS (per measurement; default 20,000, 5,000 in A/B), INPROCESS_ROUNDS
 * (default 1, 6 in A/B), INPROCESS_TOKENS (default 10,000), INPROCESS_ONLY (a word the names of
 * the scenarios to run contain, e.g. GraphQL), INPROCESS_LOG (the log file; default a temporary
 * one, removed at the end), INPROCESS_HEAP_DIR (where to save each allocation profile, to open in
 * Chrome's DevTools); node flags such as --cpu-prof work as usual (for the server process).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Profile } from '../src/db/entities/User.js';
import type { AccountService } from '../src/domain/AccountService.js';
import type { EmailService } from '../src/domain/EmailService.js';
import type { PasswordService } from '../src/domain/PasswordService.js';
import type { ProfileService } from '../src/domain/ProfileService.js';
import type { SessionService, Viewer } from '../src/domain/SessionService.js';
import type { Services } from '../src/domain/services.js';

const BASE = process.env.INPROCESS_BASE?.trim() ? path.resolve(process.env.INPROCESS_BASE.trim()) : undefined;
const REQUESTS = Number(process.env.INPROCESS_REQUESTS ?? (BASE ? 5_000 : 20_000));
const ROUNDS = Number(process.env.INPROCESS_ROUNDS ?? (BASE ? 6 : 1));
const TOKENS = Number(process.env.INPROCESS_TOKENS ?? 10_000);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The parent only starts the server process with its stdout on the log file, and waits.
if (!process.env.INPROCESS_SERVER) {
  const logFile = process.env.INPROCESS_LOG?.trim() || path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pgw-inprocess-')), 'service.log');
  const log = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, INPROCESS_SERVER: '1' },
    stdio: ['ignore', log, 'inherit'],
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  fs.closeSync(log);
  const lines = fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"msg":"request"')).length;
  process.stderr.write(`Log: ${lines.toLocaleString('en')} request lines in ${logFile}\n`);
  if (!process.env.INPROCESS_LOG) fs.rmSync(path.dirname(logFile), { recursive: true, force: true });
  process.exit(code);
}

/** The table goes to stderr: stdout is the service's log. */
const print = (line: string) => process.stderr.write(`${line}\n`);

const user: Profile = {
  id: '5f1c7e0e-8d3a-4a55-9a43-6c7c0c1f1a11',
  status: 'active',
  name: 'Ada Lovelace',
  bio: 'Analyst',
  avatarUrl: null,
  phoneNumber: '+14155552671',
  locale: 'en-GB',
  timezone: 'Europe/London',
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-06-01T00:00:00Z'),
};
const account = { activeSessions: 2, defaultEmail: 'ada@example.com' };

/** The two calls the hot paths make to the database, answered from memory. */
const services = {
  sessions: {
    async authenticate(tokenHash: Buffer | null, { withAccount = false } = {}): Promise<Viewer | null> {
      return tokenHash ? { user, sessionId: 'bench', ...(withAccount ? { account } : {}) } : null;
    },
  } as unknown as SessionService,
  profiles: {
    async updateProfile(_userId: string, input: Record<string, unknown>) {
      return { user: { ...user, ...input, updatedAt: new Date() }, account };
    },
  } as unknown as ProfileService,
  // Not on the paths measured here.
  emails: {} as EmailService,
  passwords: {} as PasswordService,
  accounts: {} as AccountService,
} satisfies Services;

interface Sent {
  method: string;
  path: string;
  /** Whether each request carries the next token in an Authorization header. */
  token: boolean;
  headers: Record<string, string>;
  body?: string;
}
const json = { 'content-type': 'application/json' };
const graphql = (query: string, headers: Record<string, string> = json): Sent => ({ method: 'POST', path: '/graphql', token: true, headers, body: JSON.stringify({ query }) });
const EVERY_FIELD = '{ me { id status name bio activeSessions createdAt updatedAt defaultEmail avatarUrl phoneNumber locale timezone } }';
const SCENARIOS: [string, Sent][] = [
  ['GET /healthz', { method: 'GET', path: '/healthz', token: false, headers: {} }],
  ['REST GET /me', { method: 'GET', path: '/me', token: true, headers: {} }],
  ['REST PATCH /me', { method: 'PATCH', path: '/me', token: true, headers: json, body: '{"bio":"Bench"}' }],
  ['GraphQL me (small)', graphql('{ me { id name status createdAt } }')],
  ['GraphQL me (every field)', graphql(EVERY_FIELD)],
  // Last: a first traced request makes Apollo wrap every resolver for good (see README Performance).
  ['GraphQL me (every field), ftv1 trace', graphql(EVERY_FIELD, { ...json, 'apollo-federation-include-trace': 'ftv1' })],
];

/**
 * Runs in a child process: `count` requests over CONNECTIONS keep-alive connections, each sending
 * its next request when its answer is in. Enough to keep the server from sleeping between
 * requests (waking it costs more CPU than some requests do), few enough not to queue.
 */
const CONNECTIONS = 4;
const CLIENT = `
const http = require('node:http');
const { randomBytes } = require('node:crypto');
const [url, method, headers, body, count, connections, tokenCount] = process.argv.slice(1);
const base = JSON.parse(headers);
const tokens = Array.from({ length: Number(tokenCount) }, (_, i) => 'pgw_' + randomBytes(32).toString('base64url'));
let next = 0;
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
let left = Number(count);
let open = Number(connections);
const one = () => http.request(url, { method, headers: tokens.length ? { ...base, authorization: 'Bearer ' + tokens[next++ % tokens.length] } : base, agent }, (res) => {
  res.resume();
  res.on('end', () => {
    if (res.statusCode !== 200) { console.error(method + ' ' + url + ': ' + res.statusCode); process.exit(1); }
    if (--left >= open) one(); else if (--open === 0) agent.destroy();
  });
}).end(body || undefined);
for (let i = 0; i < open; i++) one();
`;

function send(baseUrl: string, sent: Sent, count: number): Promise<void> {
  const args = [`${baseUrl}${sent.path}`, sent.method, JSON.stringify(sent.headers), sent.body ?? '', String(count), String(CONNECTIONS), String(sent.token ? TOKENS : 0)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CLIENT, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`client exited with ${code}`))));
  });
}

interface Target {
  name: string;
  app: FastifyInstance;
  url: string;
}

/** The app of the checkout at `root`, listening, in production settings, logging to stdout. */
async function start(name: string, root: string): Promise<Target> {
  const { buildApp } = (await import(path.join(root, 'src/app.ts'))) as typeof import('../src/app.js');
  const { loadConfig } = (await import(path.join(root, 'src/config.ts'))) as typeof import('../src/config.js');
  // NODE_ENV=production in the environment too (package.json): graphql-js checks it when loaded.
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://bench@127.0.0.1/none',
    RATE_LIMIT_REQUESTS: '1000000000',
    // Production requires one; nothing here sends mail.
    SMTP_URL: 'smtp://127.0.0.1:2525',
  });
  // Prometheus metrics on, as in production (METRICS_PORT defaults to 9464), where the checkout
  // has them; INPROCESS_METRICS=off leaves them out.
  const metricsModule = path.join(root, 'src/http/metrics.ts');
  const metrics =
    process.env.INPROCESS_METRICS !== 'off' && fs.existsSync(metricsModule)
      ? ((await import(metricsModule)) as typeof import('../src/http/metrics.js')).createMetrics()
      : undefined;
  const app = await buildApp({ config, services, ready: async () => true, metrics });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { name, app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

const targets = [...(BASE ? [await start('base', BASE)] : []), await start(BASE ? 'this' : 'service', ROOT)];
const session = new inspector.Session();
session.connect();

/** Server CPU µs per request over `count` requests. */
async function cpuPerRequest(target: Target, sent: Sent, count: number): Promise<number> {
  const cpu = process.cpuUsage();
  await send(target.url, sent, count);
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / count;
}

/** KB allocated per request, from V8's sampling heap profiler (what the GC has freed included). */
async function kbPerRequest(target: Target, sent: Sent): Promise<number> {
  const sampled = Math.min(REQUESTS, 5_000);
  await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  await send(target.url, sent, sampled);
  const { profile } = await session.post('HeapProfiler.stopSampling');
  if (process.env.INPROCESS_HEAP_DIR) {
    const file = path.join(process.env.INPROCESS_HEAP_DIR, `${target.name}-${sent.method}-${sent.path.replace(/\W/g, '')}-${Date.now()}.heapprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
  }
  let bytes = 0;
  const walk = (node: inspector.HeapProfiler.SamplingHeapProfileNode): void => {
    bytes += node.selfSize;
    node.children.forEach(walk);
  };
  walk(profile.head);
  return bytes / sampled / 1024;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

print(
  `profile-gateway in-process bench: ${REQUESTS.toLocaleString('en')} requests per measurement × ${ROUNDS} round(s) over ${CONNECTIONS} connections, ` +
    `${TOKENS.toLocaleString('en')} tokens, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}` +
    (BASE ? `\nA/B: base = ${BASE}, this = ${ROOT}; medians over the rounds, the ratio is the median of each round's this/base` : ''),
);
print(
  BASE
    ? '| request | base CPU µs/request | this CPU µs/request | this/base | base KB/request | this KB/request |\n|---|--:|--:|--:|--:|--:|'
    : '| request | server CPU µs/request | KB allocated/request |\n|---|--:|--:|',
);
try {
  const only = process.env.INPROCESS_ONLY?.trim().toLowerCase();
  for (const [name, sent] of SCENARIOS.filter(([name]) => !only || name.toLowerCase().includes(only))) {
    for (const target of targets) await send(target.url, sent, 3_000);
    const cpu = new Map<Target, number[]>(targets.map((t) => [t, []]));
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) cpu.get(target)!.push(await cpuPerRequest(target, sent, REQUESTS));
      if (BASE) ratios.push(cpu.get(targets[1]!)!.at(-1)! / cpu.get(targets[0]!)!.at(-1)!);
    }
    const kb = [];
    for (const target of targets) kb.push(await kbPerRequest(target, sent));
    const µs = targets.map((t) => median(cpu.get(t)!).toFixed(1));
    print(
      BASE
        ? `| ${name} | ${µs[0]} | ${µs[1]} | ${median(ratios).toFixed(2)} | ${kb[0]!.toFixed(1)} | ${kb[1]!.toFixed(1)} |`
        : `| ${name} | ${µs[0]} | ${kb[0]!.toFixed(1)} |`,
    );
  }
} finally {
  session.disconnect();
  for (const target of targets) await target.app.close();
}
// Whatever the logger still buffers is flushed on exit.
process.exit(0);
