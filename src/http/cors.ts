/**
 * CORS for every route, as @fastify/cors did it with our options, for a fraction of its cost: a
 * request without an `Origin` (servers, curl, same-origin pages) pays one header lookup, and every
 * response's `Vary: Origin` comes with the static headers (security.ts). Bearer tokens, not
 * cookies: no credentials. Outside production the list has Sandbox's origin. Requested headers
 * are reflected, so headers a developer adds in Sandbox work.
 *
 * - An allowed `Origin` gets `Access-Control-Allow-Origin` (that origin) and the exposed headers;
 *   another origin gets neither, so its browser keeps the answer from the page.
 * - Every OPTIONS request is a preflight, answered here before anything else runs (no rate limit,
 *   no authentication): 204 with the allowed methods, the requested headers and a max-age, or 400
 *   when it lacks `Origin` or `Access-Control-Request-Method`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

const METHODS = 'GET, HEAD, POST, PATCH, DELETE';
const EXPOSED = 'x-request-id, etag, retry-after, www-authenticate';
const MAX_AGE_SECONDS = '600';

/**
 * What the request hook runs for a request with an `Origin` or an OPTIONS method: true when it
 * has answered the request (a preflight), which then goes no further.
 */
export function corsFor(origins: readonly string[]): (request: FastifyRequest, reply: FastifyReply) => boolean {
  const allowed = new Set(origins);
  return function cors(request, reply) {
    const origin = request.headers.origin;
    if (origin !== undefined && allowed.has(origin)) reply.header('access-control-allow-origin', origin);
    if (origin !== undefined) reply.header('access-control-expose-headers', EXPOSED);
    if (request.method !== 'OPTIONS') return false;
    if (origin === undefined || request.headers['access-control-request-method'] === undefined) {
      reply.header('vary', 'Origin').code(400).type('text/plain').send('Invalid Preflight Request');
      return true;
    }
    reply.header('access-control-allow-methods', METHODS).header('vary', 'Origin, Access-Control-Request-Headers');
    const requested = request.headers['access-control-request-headers'];
    if (requested !== undefined) reply.header('access-control-allow-headers', requested);
    // Safari waits for a body without an explicit Content-Length: 0 on a 204.
    reply.header('access-control-max-age', MAX_AGE_SECONDS).code(204).header('content-length', '0').send();
    return true;
  };
}
