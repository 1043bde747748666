import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from './db/errors.js';
import { authAttemptCheck } from './graphql/auth-attempts.js';
import { createContext, type Context } from './graphql/context.js';
import { errorHooks, formatError } from './graphql/errors.js';
import { graphqlHttpErrorHandler } from './graphql/http-errors.js';
import { noIntrospectionRule, withNoSandboxAnswer } from './graphql/introspection.js';
import { sandboxLandingPage } from './graphql/landing-page.js';
import { documentSizeCheck, limitValidationRules } from './graphql/limits.js';
import { buildSchema } from './graphql/schema.js';
import { requestPlugin } from './graphql/tracing.js';
import { bufferedStdout, lazyChildLogger, loggerOptions } from './http/logging.js';
import type { Metrics } from './http/metrics.js';
import { createRateLimits } from './http/rate-limit.js';
import { registerRequestHooks } from './http/request-hooks.js';
import { registerLandingPageCsp } from './http/security.js';
import { restRoutes } from './rest/routes.js';
import type { Services } from './domain/services.js';

export interface AppDeps {
  config: Config;
  services: Services;
  /** /readyz: true when the database answers (db/health.ts); else false, or why not. Never throws. */
  ready: () => Promise<boolean | string>;
  /** Overrides for Fastify's logger (tests pass `false`). */
  logger?: FastifyServerOptions['logger'];
  /** Where the app's own logger writes (default stdout, buffered); tests read the lines from it. */
  logStream?: DestinationStream;
  /** Counts requests, operations and errors (http/metrics.ts); main.ts serves them on METRICS_PORT. */
  metrics?: Metrics | undefined;
}

/** Fastify with Apollo on /graphql and the health routes. Never listens: main.ts does. */
/** The largest body /graphql reads (REST's is smaller: rest/limits.ts). */
const GRAPHQL_BODY_LIMIT = 1024 * 1024;

export async function buildApp({ config, services, ready, logger, logStream, metrics }: AppDeps): Promise<FastifyInstance> {
  const stdout = logger === undefined && logStream === undefined ? bufferedStdout() : undefined;
  const app = Fastify({
    logger: logger ?? loggerOptions(config, logStream ?? stdout?.stream),
    childLoggerFactory: lazyChildLogger,
    // One line per request instead, written by the request hooks (http/request-hooks.ts).
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: GRAPHQL_BODY_LIMIT,
    return503OnClosing: true,
  });
  if (stdout) {
    app.addHook('onClose', (_app, done) => {
      stdout.stop();
      stdout.flush();
      done();
    });
  }
  // Before the routes: these hooks run first on every request (request id, CORS, security
  // headers, rate limit; the log line at the end).
  const limits = await createRateLimits(app, config);
  registerRequestHooks(app, { config, limits, metrics });
  registerLandingPageCsp(app, config);

  const apollo = new ApolloServer<Context>({
    schema: buildSchema(),
    // Off (production) means our rule, which names GRAPHQL_INTROSPECTION, instead of Apollo's.
    introspection: true,
    formatError,
    stringifyResult: JSON.stringify,
    includeStacktraceInErrorResponses: false,
    // Limits (src/graphql/limits.ts): tokens while parsing, depth/aliases/directives in validation.
    parseOptions: { maxTokens: config.graphqlLimits.maxTokens },
    validationRules: [...(config.introspection ? [] : [noIntrospectionRule]), ...limitValidationRules(config.graphqlLimits)],
    // No "Did you mean …?" suggestions in production: they map the schema for a scanner.
    hideSchemaDetailsFromClientErrors: config.production,
    plugins: [
      fastifyApolloDrainPlugin(app),
      ApolloServerPluginCacheControlDisabled(),
      requestPlugin(errorHooks(app.log, metrics)),
      config.production ? ApolloServerPluginLandingPageDisabled() : sandboxLandingPage(),
    ],
  });
  await apollo.start();

  const graphqlHandler = fastifyApolloHandler(apollo, {
    context: (request, reply) => createContext(services, request, reply, limits),
  });
  app.route({
    method: ['GET', 'POST', 'OPTIONS'],
    url: '/graphql',
    // Errors before Apollo has the request (429, 413, bad JSON, size) in GraphQL's shape.
    errorHandler: graphqlHttpErrorHandler,
    preValidation: documentSizeCheck(config.graphqlLimits),
    preHandler: authAttemptCheck(limits, config.graphqlLimits.maxTokens),
    // No Sandbox in production: a browser opening /graphql is told so in JSON it can show.
    handler: config.production ? withNoSandboxAnswer(graphqlHandler) : graphqlHandler,
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const readiness = await ready();
    if (readiness === true) return { status: 'ok' };
    return reply
      .code(503)
      .header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS))
      .send({ status: 'unavailable', reason: readiness || 'database unreachable' });
  });

  await app.register(restRoutes, { services, limits });

  return app;
}
