/**
 * Test helpers: a fresh database per test file (embedded PGlite by default, or a new database on
 * the server at TEST_DATABASE_URL), the app on a real loopback port, and small HTTP clients.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import type { DestinationStream } from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { Database, type DatabaseTimeouts } from '../src/db/database.js';
import { databaseReady } from '../src/db/health.js';
import { openDatabase, type OpenedDatabase } from '../src/db/open.js';
import { createRepositories, type Repositories } from '../src/db/repositories.js';
import { createServices, type Services } from '../src/domain/services.js';
import type { Metrics } from '../src/http/metrics.js';
import { startMailWorker, type MailWorker, type MailWorkerOptions } from '../src/jobs/mail.js';
import { createMailTransport } from '../src/mail/transports.js';
import { startService as startServiceProcess, type ServiceProcess } from './service-process.js';

export const serverUrl = process.env.TEST_DATABASE_URL?.trim() || undefined;
/**
 * A pooler (PgBouncer) in front of TEST_DATABASE_URL's server: test databases are created on the
 * server, and the apps connect through this (its host and port; the database name is the test's),
 * migrating through the direct URL as DATABASE_MIGRATION_URL.
 */
export const poolerUrl = (serverUrl && process.env.TEST_DATABASE_POOLER_URL?.trim()) || undefined;

/** An SMTP_URL for production apps that send no mail in their test (production requires one): nothing listens there. */
export const NO_SMTP = 'smtp://127.0.0.1:9';
export const usingServer = Boolean(serverUrl);

export interface TestDatabase {
  /** Unset for the embedded database. */
  databaseUrl: string | undefined;
  /** The direct URL, when databaseUrl leads through the pooler of TEST_DATABASE_POOLER_URL. */
  migrationUrl?: string | undefined;
  dataDir: string;
  drop(): Promise<void>;
}

/** A database of its own for one test file: a fresh one on the server, or a fresh PGlite dir. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pgw-test-'));
  if (!serverUrl) {
    return { databaseUrl: undefined, dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const name = `pgw_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pooled = poolerUrl ? new URL(poolerUrl) : undefined;
  if (pooled) pooled.pathname = `/${name}`;
  return {
    databaseUrl: pooled ? pooled.toString() : url.toString(),
    migrationUrl: pooled ? url.toString() : undefined,
    dataDir,
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestApp {
  url: string;
  app: FastifyInstance;
  services: Services;
  repos: Repositories;
  db: OpenedDatabase;
  config: Config;
  testDb: TestDatabase;
  /** The mail worker, when the options asked for one. */
  mail: MailWorker | undefined;
  /** Runs SQL (`$1` placeholders) on the app's database, for what a test must see or set itself. */
  sql<R = any>(query: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/** Opens a test database as the app does (migrations applied), with the app's timeouts. */
export function openTestDatabase(database: TestDatabase, config: Config = loadConfig({ NODE_ENV: 'test' }), poolMax = 5): Promise<OpenedDatabase> {
  return openDatabase({
    databaseUrl: database.databaseUrl,
    migrationUrl: database.migrationUrl,
    dataDir: database.dataDir,
    poolMax,
    timeouts: { connectTimeoutMs: config.dbConnectTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs },
    preparedStatements: config.dbPreparedStatements,
  });
}

/**
 * Rate limits for tests: every test file signs many users up from 127.0.0.1, so by default they
 * are out of reach. Rate-limit tests pass small ones in `env`.
 */
export const GENEROUS_RATE_LIMITS = {
  RATE_LIMIT_AUTH_PER_EMAIL: '1000000',
  RATE_LIMIT_AUTH_PER_IP: '1000000',
  RATE_LIMIT_REQUESTS: '1000000',
};

export interface TestAppOptions {
  /** Where the app logs (with LOG_LEVEL in `env`); the app's own logger config is kept. */
  logStream?: DestinationStream;
  /** Replaces or wraps services, e.g. with a deliberately broken one. */
  services?: (services: Services, repos: Repositories) => Services;
  /**
   * Runs the mail worker, as main.ts does, with the transport the configuration names (set
   * SMTP_URL in `env` to a test mail server); links point at the app unless PUBLIC_URL is set.
   */
  mailWorker?: boolean | Partial<MailWorkerOptions>;
  /** Counts requests into the Metrics this returns, as main.ts does (it serves them on METRICS_PORT). */
  metrics?: (database: Database, repos: Repositories) => Metrics;
}

/** The whole app on a real port over a fresh database. `env` overrides configuration. */
export async function startTestApp(env: Record<string, string> = {}, testDb?: TestDatabase, options: TestAppOptions = {}): Promise<TestApp> {
  const database = testDb ?? (await createTestDatabase());
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...GENEROUS_RATE_LIMITS, ...env });
  const db = await openTestDatabase(database, config);
  const repos = createRepositories(db.database);
  const created = createServices(repos, config);
  const services = options.services ? options.services(created, repos) : created;
  const metrics = options.metrics?.(db.database, repos);
  const app = await buildApp({ config, services, ready: () => databaseReady(db.database), logStream: options.logStream, metrics });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const mail = options.mailWorker
    ? startMailWorker(repos, {
        transport: createMailTransport(config.mail),
        publicUrl: env.PUBLIC_URL ? config.mail.publicUrl : url,
        emailVerificationTtlMs: config.emailVerificationTtlMs,
        passwordResetTtlMs: config.passwordResetTtlMs,
        intervalMs: 200,
        retry: { baseMs: 200, maxMs: 1_000 },
        log: app.log.child({ job: 'mail' }),
        ...(options.mailWorker === true ? {} : options.mailWorker),
      })
    : undefined;
  return {
    url,
    mail,
    app,
    services,
    repos,
    db,
    config,
    testDb: database,
    sql: (query, params = []) => db.database.query(query, params),
    async close() {
      await app.close();
      await mail?.stop();
      await db.close();
      if (!testDb) await database.drop();
    },
  };
}

/**
 * The app over a database URL it has never connected to (nothing is migrated or checked at start):
 * for what clients see while the database is unreachable or hung.
 */
export async function startAppOver(
  clientUrl: string,
  timeouts: DatabaseTimeouts = { connectTimeoutMs: 3_000, statementTimeoutMs: 10_000 },
): Promise<{ url: string; close(): Promise<void> }> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const database = new Database({ clientUrl, max: 2, timeouts, embedded: false });
  const services = createServices(createRepositories(database), config);
  const app = await buildApp({ config, services, ready: () => databaseReady(database), logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/**
 * An object that stands for one made in a `beforeAll`: every property read goes to it. Lets a test
 * file write `const t = useTestApp()` instead of a `let`, a `beforeAll` and an `afterAll`.
 */
export function forwardTo<T extends object>(get: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const target = get();
      if (!target) throw new Error(`${what} is used before its beforeAll has made it`);
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The app for the tests of one file: started in a beforeAll, closed in an afterAll. */
export function useTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): TestApp {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startTestApp(env, undefined, options);
  });
  afterAll(async () => {
    await app?.close();
  });
  return forwardTo(() => app, 'the test app');
}

/**
 * For the tests that run the program in a child process (service-process.ts): their database,
 * made in a beforeAll, and a startService (service-process.ts's, same arguments) whose programs
 * the afterAll kills (SIGKILL) if they still run, before it drops the database.
 */
export function useServiceDatabase(): { testDb: TestDatabase; startService: typeof startServiceProcess } {
  let testDb: TestDatabase | undefined;
  const started: ServiceProcess[] = [];
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    for (const service of started) await service.stop('SIGKILL');
    await testDb?.drop();
  });
  return {
    testDb: forwardTo(() => testDb, 'the test database'),
    async startService(...args) {
      const service = await startServiceProcess(...args);
      started.push(service);
      return service;
    },
  };
}

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

/** POST /graphql with JSON, optionally as the holder of `token`. */
export async function gql<T = Record<string, any>>(
  baseUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status' | 'headers'>;
  return { status: response.status, headers: response.headers, ...body };
}

let counter = 0;
/** A unique email for this run. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${counter}.${randomBytes(4).toString('hex')}@example.com`;
}

export const PASSWORD = 'correct horse battery staple';

export interface SignedUp {
  token: string;
  id: string;
  email: string;
  password: string;
}

/** Signs a new user up through GraphQL and returns its token and id. */
export async function signUp(baseUrl: string, overrides: { email?: string; name?: string; phoneNumber?: string } = {}): Promise<SignedUp> {
  const email = overrides.email ?? uniqueEmail();
  const result = await gql<{ signUp: { token: string; user: { id: string } } }>(
    baseUrl,
    'mutation ($input: SignUpInput!) { signUp(input: $input) { token user { id } } }',
    { input: { email, password: PASSWORD, name: overrides.name ?? 'Test User', phoneNumber: overrides.phoneNumber } },
  );
  if (!result.data?.signUp) throw new Error(`signUp failed: ${JSON.stringify(result.errors)}`);
  return { token: result.data.signUp.token, id: result.data.signUp.user.id, email, password: PASSWORD };
}

/** A stream for buildApp's `logStream` that keeps every line written to it in `lines`. */
export function logLines(lines: string[]): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
}

/**
 * Counts the statements this process's pg clients send (the app's pool included) while `fn` runs.
 * Call `restore` in afterAll.
 */
export function statementCounter() {
  const original = pg.Client.prototype.query;
  const sent: string[] = [];
  let counting = false;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (counting) sent.push(typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string }).text));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
  return {
    async count<T>(fn: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
      sent.length = 0;
      counting = true;
      try {
        const result = await fn();
        return { result, queries: [...sent] };
      } finally {
        counting = false;
      }
    },
    restore(): void {
      pg.Client.prototype.query = original;
    },
  };
}
