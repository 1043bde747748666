/**
 * The work every request needs around its route, in one synchronous hook at each end (an async
 * hook is a promise and a microtask per request; these need neither):
 * - onRequest, before anything can refuse the request: its `x-request-id`, CORS (cors.ts; only
 *   for a request with an `Origin`, or a preflight, which is answered here), the static security
 *   headers (security.ts), the refusal of ambiguous credentials, and the per-request rate limit
 *   (rate-limit.ts). Routes' own hooks (REST's authentication, a database lookup) come after.
 * - onResponse: the request's log line (logging.ts), what the rate limiter learns from it, and
 *   a request no route took counted in the metrics (metrics.ts; each route counts its own).
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { corsFor } from './cors.js';
import { requestLogLine } from './logging.js';
import { countUnmatched, registerMetrics, type Metrics } from './metrics.js';
import type { RateLimits } from './rate-limit.js';
import { securityHeaders, severalAuthorizations } from './security.js';

export function registerRequestHooks(
  app: FastifyInstance,
  { config, limits, metrics }: { config: Pick<Config, 'corsOrigins'>; limits: RateLimits; metrics?: Metrics | undefined },
): void {
  const headers = securityHeaders();
  const cors = corsFor(config.corsOrigins);
  const logLine = requestLogLine(app.log);
  if (metrics) registerMetrics(app, metrics);

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if ((request.headers.origin !== undefined || request.method === 'OPTIONS') && cors(request, reply)) return;
    reply.headers(headers);
    const refusal = severalAuthorizations(request) ?? limits.checkRequest(request, reply);
    done(refusal);
  });

  app.addHook('onResponse', (request, reply, done) => {
    logLine(request, reply);
    limits.afterResponse(request);
    if (metrics) countUnmatched(metrics, request, reply);
    done();
  });
}
