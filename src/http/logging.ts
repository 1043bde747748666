/**
 * Structured logs (pino, through Fastify): one line per request, with its id, method, path (never
 * the query string), status and duration, written when the response has gone out. Secrets are
 * never written: the Authorization header, tokens and passwords are redacted wherever they sit in
 * a logged object, and a token-shaped string in a path is masked.
 */
import type { DestinationStream } from 'pino';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';

const CENSOR = '[redacted]';
const SECRET_KEYS = ['authorization', 'cookie', 'password', 'token', 'accessToken', 'access_token', 'newPassword', 'confirmPassword'];
/** Where a logged object could carry a request's secrets. */
const CONTAINERS = ['req', 'request', 'res', 'body', 'headers', 'query', 'params', 'variables', 'input', 'args', 'err', 'error', 'extensions', 'config'];
const NESTED = ['req.headers', 'request.headers', 'res.headers', 'req.body', 'request.body', 'req.query', 'err.config', 'err.config.headers', 'err.headers'];
/**
 * pino's redaction paths: each secret key at the top level and in every container above. Explicit
 * paths, not wildcards: pino checks explicit ones for ~nothing, while `*.key` paths walk every
 * logged object and cost ~20 µs a line (measured), the largest single cost of a request.
 */
export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, ...[...CONTAINERS, ...NESTED].map((container) => `${container}.${key}`)]);

/** Session (pgw_), email verification (pgv_) and password reset (pgr_) tokens. */
const TOKEN_IN_TEXT = /pg[wvr]_[A-Za-z0-9_-]+/g;
const maskToken = (token: string) => `${token.slice(0, 4)}${CENSOR}`;

/** The path of a URL, without its query string, and with anything token-shaped masked. */
export function loggedPath(url: string): string {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  // Once per request: most paths hold no token, and skipping the replace keeps them cheap.
  return path.includes('pg') ? path.replace(TOKEN_IN_TEXT, maskToken) : path;
}

/** Fastify's `logger` option; `stream` sends the lines elsewhere than stdout (tests read them). */
export function loggerOptions(config: Pick<Config, 'logLevel'>, stream?: DestinationStream): NonNullable<FastifyServerOptions['logger']> {
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    serializers: {
      req: (req) => ({ method: req.method, url: loggedPath(req.url), remoteAddress: req.ip }),
    },
    ...(stream ? { stream } : {}),
  };
}

/**
 * The one line per request (Fastify's own request logging is off: `disableRequestLogging`),
 * written by the app's logger with the request id first, as a per-request child logger would
 * have, without making one.
 */
export function requestLogLine(log: FastifyBaseLogger): (request: FastifyRequest, reply: FastifyReply) => void {
  return (request, reply) => {
    log.info(
      { reqId: request.id, method: request.method, path: loggedPath(request.url), status: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 10) / 10 },
      'request',
    );
  };
}
