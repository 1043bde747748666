/**
 * Security headers (helmet) and `Cache-Control: no-store` on every response (GraphQL and
 * REST answers are personal, and so are their errors), and a refusal of requests whose credentials
 * are ambiguous. Set in the first hook (request-hooks.ts), so even a request refused early (429,
 * 400) has them.
 *
 * The service serves JSON only, so its Content-Security-Policy allows nothing at all. The one
 * exception is the Sandbox landing page outside production (an HTML page with an inline script
 * that loads Apollo's embeddable Sandbox from Apollo's CDN): that response gets a CSP which
 * allows exactly those.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { Config } from '../config.js';
import { HttpProblem } from './errors.js';

/** For JSON: nothing may load, frame, or be framed. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Apollo's landing page: its inline script (by nonce), Sandbox's bundle and frame, fonts, icons. */
function landingPageCsp(nonce: string | undefined): string {
  const apollo = 'https://*.apollographql.com';
  return [
    "default-src 'self'",
    `script-src 'self' ${nonce ? `'nonce-${nonce}'` : "'unsafe-inline'"} ${apollo}`,
    `style-src 'self' 'unsafe-inline' ${apollo} https://fonts.googleapis.com`,
    `font-src 'self' data: ${apollo} https://fonts.gstatic.com`,
    `img-src 'self' data: ${apollo}`,
    `connect-src 'self' ${apollo}`,
    `frame-src ${apollo}`,
    `manifest-src 'self' ${apollo}`,
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const HELMET_OPTIONS: HelmetOptions = {
  // Set by hand: one policy for JSON, another for the landing page.
  contentSecurityPolicy: false,
  // Browsers reach this API across origins (CORS); COEP would only get in their way.
  crossOriginEmbedderPolicy: false,
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
};

/**
 * The headers helmet sets with these options. Without a CSP they are the same for every response,
 * so helmet runs once, here, and each request gets them in one call (running helmet's middleware
 * chain per request cost ~5 µs, measured).
 */
function helmetHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let done = false;
  helmet(HELMET_OPTIONS)({} as IncomingMessage, response as unknown as ServerResponse, () => {
    done = true;
  });
  if (!done) throw new Error('helmet did not set its headers synchronously');
  return headers;
}

/**
 * What every response gets, computed once: helmet's headers, the JSON CSP, `no-store`, and
 * `Vary: Origin` (whether a response allows an origin depends on the request's Origin: cors.ts).
 * Set by the request hook (request-hooks.ts) before anything can refuse the request.
 */
export function securityHeaders(): Readonly<Record<string, string>> {
  return Object.freeze({ ...helmetHeaders(), 'content-security-policy': API_CSP, 'cache-control': 'no-store', vary: 'Origin' });
}

/**
 * Node keeps the first of several Authorization headers and drops the rest; a proxy in front may
 * keep another one. Which credentials count must never be ambiguous: such a request is refused.
 */
export function severalAuthorizations(request: FastifyRequest): HttpProblem | undefined {
  if (request.headers.authorization === undefined) return undefined;
  const raw = request.raw.rawHeaders;
  let authorizations = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') authorizations += 1;
  }
  return authorizations > 1 ? new HttpProblem('BAD_REQUEST', 'Send one Authorization header, not several.') : undefined;
}

/**
 * The landing page (outside production only: there is nothing to relax in production) gets a CSP
 * of its own, which allows exactly what it loads.
 */
export function registerLandingPageCsp(app: FastifyInstance, config: Pick<Config, 'production'>): void {
  if (config.production) return;
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.routeOptions.url === '/graphql' && String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      const nonce = typeof payload === 'string' ? /<script nonce="([^"]+)"/.exec(payload)?.[1] : undefined;
      reply.header('content-security-policy', landingPageCsp(nonce));
      // Sandbox may open a window (to sign in to Apollo); its opener must stay reachable.
      reply.header('cross-origin-opener-policy', 'same-origin-allow-popups');
    }
    done(null, payload);
  });
}
