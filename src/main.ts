/**
 * Entry point: .env → config → database → app → listen; SIGTERM/SIGINT → drain → close. A start-up
 * failure the user can fix is one line on stderr and exit code 1 (startup-errors.ts).
 */
import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { loadConfig, readDotEnv, type Config } from './config.js';
import type { OpenedDatabase } from './db/open.js';
import type { startMailWorker } from './jobs/mail.js';
import type { startPurgeWorker } from './jobs/purge.js';
import type { DemoSession } from './seed.js';
import { databaseError, listenError, startupErrorLine } from './startup-errors.js';

/** Longest wait for what was opened to close when start-up fails. */
const FAILED_START_CLOSE_MS = 5_000;

let db: OpenedDatabase | undefined;
let app: FastifyInstance | undefined;
let purger: ReturnType<typeof startPurgeWorker> | undefined;
let mailer: ReturnType<typeof startMailWorker> | undefined;
let metricsServer: Server | undefined;
let closing = false;
/**
 * The start-up steps that run once the app listens (workers, the demo seed): a signal that arrives
 * meanwhile lets them finish before the database closes under them.
 */
let serving: Promise<unknown> | undefined;

async function start(): Promise<void> {
  readDotEnv();
  const config = loadConfig();
  // Loaded once the settings are checked, so a mistake in one is reported at once (they take seconds).
  const [
    { buildApp },
    { openDatabase },
    { databaseReady },
    { createRepositories },
    { startPurgeWorker },
    { startMailWorker },
    { createMailTransport },
    { demoSession },
    { createServices },
    { createMetrics, startMetricsServer },
  ] = await Promise.all([
    import('./app.js'),
    import('./db/open.js'),
    import('./db/health.js'),
    import('./db/repositories.js'),
    import('./jobs/purge.js'),
    import('./jobs/mail.js'),
    import('./mail/transports.js'),
    import('./seed.js'),
    import('./domain/services.js'),
    import('./http/metrics.js'),
  ]);
  // Why the database cannot be used yet, said once per reason: on stderr until the app's log exists.
  let waitingLine: string | undefined;
  const waiting = async (reason: string, error: unknown) => {
    const cause = error === undefined ? undefined : await databaseError(error, config);
    const line = `${startupErrorLine(cause) ?? reason}; listening anyway (/readyz and database requests 503), retrying with backoff`;
    if (app) app.log.warn({ reason }, line);
    else waitingLine = line;
  };
  db = await openDatabase({
    databaseUrl: config.databaseUrl,
    migrationUrl: config.databaseMigrationUrl,
    dataDir: config.dataDir,
    poolMax: config.dbPoolMax,
    timeouts: { connectTimeoutMs: config.dbConnectTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs },
    preparedStatements: config.dbPreparedStatements,
    // The callbacks run only after `app` exists.
    onIdleError: (error) => app?.log.warn({ err: error }, 'database connection lost while idle'),
    retry: { waiting: (reason, error) => void waiting(reason, error) },
  }).catch(async (error: unknown) => {
    throw await databaseError(error, config);
  });
  const opened = db;
  const database = db.database;
  const repos = createRepositories(database);
  const services = createServices(repos, config, (error) => app?.log.warn({ err: error }, 'background write failed'));
  const metrics = config.metricsPort === undefined ? undefined : createMetrics({ database, repos });
  app = await buildApp({ config, services, ready: () => databaseReady(database), metrics });
  await app.listen({ port: config.port, host: config.host }).catch((error: unknown) => {
    throw listenError(error, config);
  });
  const metricsAt = { port: config.metricsPort!, host: config.metricsHost };
  const metricsAddress = metrics && (await startMetricsServer(metrics, metricsAt).catch((error: unknown) => {
    throw listenError(error, metricsAt, 'METRICS_PORT');
  }));
  metricsServer = metricsAddress?.server;
  const base = baseUrl(config, app);
  const log = app.log;
  if (waitingLine !== undefined) {
    log.warn({ reason: database.waitingFor }, waitingLine);
    process.stdout.write(banner(config, opened, base, undefined, metricsAddress?.port));
  }
  const serve = async () => {
    if (closing) return undefined;
    purger = startPurgeWorker(repos, config.purgeIntervalMs, log.child({ job: 'purge' }));
    // Before the mail worker starts: the demo address is verified at once, and no message may go to it.
    const demo = config.production ? undefined : await demoSession(repos, services.sessions);
    mailer = startMailWorker(repos, {
      transport: createMailTransport(config.mail),
      // PUBLIC_URL's default names PORT, which means nothing when PORT=0 (any free port): use the real one.
      publicUrl: new URL(config.mail.publicUrl).port === '0' ? base : config.mail.publicUrl,
      emailVerificationTtlMs: config.emailVerificationTtlMs,
      passwordResetTtlMs: config.passwordResetTtlMs,
      log: log.child({ job: 'mail' }),
    });
    return demo;
  };
  if (waitingLine === undefined) {
    const demo = await (serving = serve());
    if (!closing) process.stdout.write(banner(config, opened, base, demo, metricsAddress?.port));
    return;
  }
  // Started without its database: serves once connected (and its schema current).
  void opened.ready.then(async () => {
    if (closing) return;
    log.info({ migrations: opened.migrations.length, ...database.mode }, 'database connected; serving');
    const demo = await (serving = serve());
    if (demo && !closing) process.stdout.write(banner(config, opened, base, demo, metricsAddress?.port).split('\n').slice(1).join('\n'));
  }).catch((error: unknown) => log.error({ err: error }, 'could not start serving after connecting to the database'));
}

/** Where this instance answers, as a URL a person on this machine can open. */
function baseUrl(config: Config, server: FastifyInstance): string {
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return `http://${openable(config.host)}:${port}`;
}

/** A host to open in a browser on this machine: the loopback for "every interface". */
function openable(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function banner(config: Config, database: OpenedDatabase, base: string, demo: DemoSession | undefined, metricsPort: number | undefined): string {
  const where = database.embedded
    ? `embedded PostgreSQL in ${config.dataDir}`
    : `PostgreSQL from DATABASE_URL${database.database.waitingFor === undefined ? (database.database.mode.pooled ? ', through a pooler' : '') : ': not available yet, retrying'}`;
  const lines = [
    `profile-gateway listening on ${base} (${where})`,
    metricsPort === undefined ? '' : `  Metrics:         http://${openable(config.metricsHost)}:${metricsPort}/metrics`,
    config.production ? '' : `  Apollo Sandbox:  ${base}/graphql`,
    config.mail.smtpUrl ? '' : '  Mail:            SMTP_URL is unset: messages (verification and reset links) are printed here',
  ];
  if (demo?.state === 'ready') {
    // Tokens are never written out but here: the demo user's, outside production.
    lines.push(
      demo.password
        ? `  Demo user:       ${demo.email} / ${demo.password}`
        : `  Demo user:       ${demo.email} (its password was printed at its first start)`,
      `  Demo token:      ${demo.token}   (a new session at every start)`,
      `  Try it:          curl -s ${base}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${demo.token}' --data '{"query":"{ me { id name status activeSessions createdAt } }"}'`,
      `                   curl -s ${base}/me -H 'authorization: Bearer ${demo.token}'`,
    );
  } else if (demo?.state === 'absent') {
    lines.push(`  Demo user:       ${demo.email} was deleted; sign up for a token (README, "Try it with curl")`);
  }
  return `${lines.filter(Boolean).join('\n')}\n`;
}

/** Prints the failure (one line for a user's mistake), closes what was opened, exits 1. */
async function failed(error: unknown): Promise<void> {
  // A step that failed because a signal closed what it used: shutdown() says how that went.
  if (closing) return;
  closing = true;
  const line = startupErrorLine(error);
  process.stderr.write(line ? `${line}\n` : `profile-gateway could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  const closed = (async () => {
    metricsServer?.close();
    await app?.close();
    await purger?.stop();
    await mailer?.stop();
    await db?.close();
  })().catch(() => undefined);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, FAILED_START_CLOSE_MS).unref())]);
  process.exit(1);
}

async function shutdown(signal: string): Promise<void> {
  // Repeats are ignored while draining (PGlite's shutdown raises one more SIGTERM of its own).
  if (closing) return;
  closing = true;
  if (!app || !db) {
    // A signal during start-up: nothing is served yet; close what is open.
    await Promise.all([app?.close(), db?.close()]).catch(() => undefined);
    process.exit(0);
  }
  app.log.info({ signal }, 'shutting down: draining requests');
  try {
    metricsServer?.close();
    await app.close();
    await serving?.catch((error: unknown) => app!.log.warn({ err: error }, 'a start-up step failed while shutting down'));
    await purger?.stop();
    await mailer?.stop();
    await db.close();
    process.exit(0);
  } catch (error) {
    app.log.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await start().catch(failed);
