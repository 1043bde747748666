/**
 * `npm run bench:inprocess`: what the service's own code costs per request, without a database or
 * a load to share the CPU with. The real app (buildApp, production config, every hook, Apollo)
 * listens in this process with the session lookup and the profile write answered from memory; a
 * child process sends the requests over a few keep-alive connections. Reports this process's CPU
 * time per request (its socket syscalls included) and the bytes it allocates per request. About
 * 50 s, within ~10% from run to run: it shows what a change to the request path did before the
 * full `npm run bench` confirms it. Not a measure of throughput.
 *
 * (Fastify's inject would be simpler, but light-my-request 6.6, the last for Node 20, keeps ~9 KB
 * per injected request alive: the heap grows without end and GC dominates every figure.)
 *
 * Environment: INPROCESS_REQUESTS (default 20,000 per scenario); INPROCESS_METRICS=off leaves the
 * Prometheus metrics out (they are on by default, as in production); INPROCESS_ONLY, a word the names
 * of the scenarios to run contain (e.g. GraphQL); node flags such as --cpu-prof work as usual.
 */
import { spawn } from 'node:child_process';
import inspector from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createMetrics } from '../src/http/metrics.js';
import type { Profile } from '../src/db/entities/User.js';
import type { EmailService } from '../src/domain/EmailService.js';
import type { PasswordService } from '../src/domain/PasswordService.js';
import type { ProfileService } from '../src/domain/ProfileService.js';
import type { SessionService, Viewer } from '../src/domain/SessionService.js';
import { generateToken } from '../src/domain/tokens.js';
import type { Services } from '../src/domain/services.js';

const REQUESTS = Number(process.env.INPROCESS_REQUESTS ?? 20_000);

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
} satisfies Services;

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}
const auth = { authorization: `Bearer ${generateToken()}` };
const json = { ...auth, 'content-type': 'application/json' };
const graphql = (query: string, headers: Record<string, string> = json): Sent => ({ method: 'POST', path: '/graphql', headers, body: JSON.stringify({ query }) });
const EVERY_FIELD = '{ me { id status name bio activeSessions createdAt updatedAt defaultEmail avatarUrl phoneNumber locale timezone } }';
const SCENARIOS: [string, Sent][] = [
  ['GET /healthz', { method: 'GET', path: '/healthz', headers: {} }],
  ['REST GET /me', { method: 'GET', path: '/me', headers: auth }],
  ['REST PATCH /me', { method: 'PATCH', path: '/me', headers: json, body: '{"bio":"Bench"}' }],
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
const [url, method, headers, body, count, connections] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
let left = Number(count);
let open = Number(connections);
const one = () => http.request(url, { method, headers: JSON.parse(headers), agent }, (res) => {
  res.resume();
  res.on('end', () => {
    if (res.statusCode !== 200) { console.error(method + ' ' + url + ': ' + res.statusCode); process.exit(1); }
    if (--left >= open) one(); else if (--open === 0) agent.destroy();
  });
}).end(body || undefined);
for (let i = 0; i < open; i++) one();
`;

function send(baseUrl: string, sent: Sent, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CLIENT, `${baseUrl}${sent.path}`, sent.method, JSON.stringify(sent.headers), sent.body ?? '', String(count), String(CONNECTIONS)], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`client exited with ${code}`))));
  });
}

// NODE_ENV=production in the environment too (package.json): graphql-js checks it when loaded.
const config = loadConfig({
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://bench@127.0.0.1/none',
  RATE_LIMIT_REQUESTS: '1000000000',
  // Production requires one; nothing here sends mail.
  SMTP_URL: 'smtp://127.0.0.1:2525',
});
const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
// Metrics on, as in production (METRICS_PORT defaults to 9464); INPROCESS_METRICS=off to compare.
const metrics = process.env.INPROCESS_METRICS === 'off' ? undefined : createMetrics();
const app = await buildApp({ config, services, ready: async () => true, logStream: discard, metrics });
await app.listen({ host: '127.0.0.1', port: 0 });
const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const session = new inspector.Session();
session.connect();

console.log(`profile-gateway in-process bench: ${REQUESTS.toLocaleString('en')} requests per scenario over ${CONNECTIONS} connections, Node ${process.version}`);
console.log('| request | server CPU µs/request | KB allocated/request |');
console.log('|---|--:|--:|');
try {
  const only = process.env.INPROCESS_ONLY?.trim().toLowerCase();
  for (const [name, sent] of SCENARIOS.filter(([name]) => !only || name.toLowerCase().includes(only))) {
    await send(baseUrl, sent, 3_000);

    const cpu = process.cpuUsage();
    await send(baseUrl, sent, REQUESTS);
    const used = process.cpuUsage(cpu);

    // V8's sampling heap profiler, counting what the GC has already freed too.
    const sampled = Math.min(REQUESTS, 5_000);
    await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    await send(baseUrl, sent, sampled);
    const { profile } = await session.post('HeapProfiler.stopSampling');
    let bytes = 0;
    const walk = (node: inspector.HeapProfiler.SamplingHeapProfileNode): void => {
      bytes += node.selfSize;
      node.children.forEach(walk);
    };
    walk(profile.head);
    console.log(`| ${name} | ${((used.user + used.system) / REQUESTS).toFixed(1)} | ${(bytes / sampled / 1024).toFixed(1)} |`);
  }
} finally {
  session.disconnect();
  await app.close();
}
