/**
 * Security headers (helmet) and `Cache-Control: no-store` on every response (GraphQL and
 * REST answers are personal, and so are their errors), and a refusal of requests whose credentials
 * are ambiguous. Set in the first hooks, so even a request refused early (429, 400) has them.
 *
 * The service serves JSON only, so its Content-Security-Policy allows nothing at all. The one
 * exception is the Sandbox landing page outside production (an HTML page with an inline script
 * that loads Apollo's embeddable Sandbox from Apollo's CDN): that response gets a CSP which
 * allows exactly those.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
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
  return { ...headers, 'content-security-policy': API_CSP, 'cache-control': 'no-store' };
}

export async function registerSecurity(app: FastifyInstance, config: Pick<Config, 'production'>): Promise<void> {
  const headers = helmetHeaders();
  app.addHook('onRequest', async (request, reply) => {
    reply.headers(headers);
    // Node keeps the first of several Authorization headers and drops the rest; a proxy in front
    // may keep another one. Which credentials count must never be ambiguous.
    const raw = request.raw.rawHeaders;
    let authorizations = 0;
    for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'authorization') authorizations += 1;
    if (authorizations > 1) throw new HttpProblem('BAD_REQUEST', 'Send one Authorization header, not several.');
  });

  // The landing page is served outside production only: there is nothing to relax in production.
  if (config.production) return;
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.url === '/graphql' && String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      const nonce = typeof payload === 'string' ? /<script nonce="([^"]+)"/.exec(payload)?.[1] : undefined;
      reply.header('content-security-policy', landingPageCsp(nonce));
      // Sandbox may open a window (to sign in to Apollo); its opener must stay reachable.
      reply.header('cross-origin-opener-policy', 'same-origin-allow-popups');
    }
    return payload;
  });
}
