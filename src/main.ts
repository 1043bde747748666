/** Entry point: config → database → app → listen; SIGTERM/SIGINT → drain → close. */
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { databaseReady } from './db/health.js';
import { openDatabase } from './db/open.js';
import { createRepositories } from './db/repositories.js';
import { seedDemoUser, DEMO_EMAIL } from './seed.js';
import { startPurgeWorker } from './jobs/purge.js';
import { startMailWorker } from './jobs/mail.js';
import { createServices } from './domain/services.js';
import { createMailTransport } from './mail/transports.js';

const config = (() => {
  try {
    return loadConfig();
  } catch (error) {
    // A setting the user can fix: one line, no stack trace.
    process.stderr.write(`profile-gateway cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
})();
const db = await openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: config.dataDir,
  poolMax: config.dbPoolMax,
  timeouts: { connectTimeoutMs: config.dbConnectTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs },
  // The callbacks run only after `app` exists.
  onIdleError: (error) => app.log.warn({ err: error }, 'database connection lost while idle'),
});
const repos = createRepositories(db.database);
const services = createServices(repos, config, (error) => app.log.warn({ err: error }, 'background write failed'));
const app = await buildApp({ config, services, ready: () => databaseReady(db.database) });
const purger = startPurgeWorker(repos, config.purgeIntervalMs, app.log.child({ job: 'purge' }));

const demo = config.production ? null : await seedDemoUser(repos, services.sessions);
await app.listen({ port: config.port, host: config.host });

const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
const base = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
const mailer = startMailWorker(repos, {
  transport: createMailTransport(config.mail),
  // PUBLIC_URL's default names PORT, which means nothing when PORT=0 (any free port): use the real one.
  publicUrl: new URL(config.mail.publicUrl).port === '0' ? base : config.mail.publicUrl,
  emailVerificationTtlMs: config.emailVerificationTtlMs,
  passwordResetTtlMs: config.passwordResetTtlMs,
  log: app.log.child({ job: 'mail' }),
});
const lines = [
  `profile-gateway listening on ${base} (${db.embedded ? `embedded PostgreSQL in ${config.dataDir}` : 'PostgreSQL from DATABASE_URL'})`,
  config.production ? '' : `  Apollo Sandbox:  ${base}/graphql`,
  config.mail.smtpUrl ? '' : '  Mail:            SMTP_URL is unset: messages (verification and reset links) are printed here',
];
if (demo) {
  // The one time a token is ever written out: the demo user's, on an empty development database.
  lines.push(
    `  Demo user:       ${DEMO_EMAIL} / ${demo.password}`,
    `  Demo token:      ${demo.token}`,
    `  Try it:          curl -s ${base}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${demo.token}' --data '{"query":"{ me { id name status activeSessions createdAt } }"}'`,
    `                   curl -s ${base}/me -H 'authorization: Bearer ${demo.token}'`,
  );
}
process.stdout.write(`${lines.filter(Boolean).join('\n')}\n`);

let closing = false;
async function shutdown(signal: string): Promise<void> {
  // Repeats are ignored while draining (PGlite's shutdown raises one more SIGTERM of its own).
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down: draining requests');
  try {
    await app.close();
    await purger.stop();
    await mailer.stop();
    await db.close();
    process.exit(0);
  } catch (error) {
    app.log.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
