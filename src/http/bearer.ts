/**
 * The credentials of a request, read once: the Authorization header parsed, and a well-formed token
 * hashed. Authentication looks the hash up in the sessions table, the rate limiter keys the
 * token's budget on it, and a 401 says whether a token was sent. Only the Authorization header
 * counts, never the query string (tokens in URLs end up in logs and proxies).
 */
import type { FastifyRequest } from 'fastify';
import { hashToken, isWellFormedToken } from '../domain/tokens.js';

export interface Bearer {
  /** SHA-256 of the token: what the sessions table stores. */
  readonly hash: Buffer;
  /** A short one-way key for the rate limiter's counters (never the token itself). */
  readonly key: string;
}

interface Credentials {
  /** `Bearer <anything>` or a bare single value: the client meant to send a token. */
  sent: boolean;
  /** Set only for a well-formed token. */
  bearer: Bearer | null;
}

/**
 * The token in an Authorization header: `Bearer <token>` with the scheme in any case, or the bare
 * token (`sent`). Anything else (another scheme, several values, a malformed token) has no token,
 * so it is refused without touching the database.
 */
export function tokenFromAuthorization(header: string | string[] | undefined): { sent: boolean; token: string | null } {
  if (typeof header !== 'string') return { sent: false, token: null };
  const parts = header.trim().split(/\s+/);
  const value = parts.length === 2 && parts[0]!.toLowerCase() === 'bearer' ? parts[1]! : parts.length === 1 && parts[0] !== '' ? parts[0]! : null;
  return { sent: value !== null, token: value !== null && isWellFormedToken(value) ? value : null };
}

const credentials = new WeakMap<FastifyRequest, Credentials>();

function credentialsOf(request: FastifyRequest): Credentials {
  let found = credentials.get(request);
  if (found === undefined) {
    const { sent, token } = tokenFromAuthorization(request.headers.authorization);
    const hash = token ? hashToken(token) : null;
    found = { sent, bearer: hash ? { hash, key: hash.toString('base64url', 0, 16) } : null };
    credentials.set(request, found);
  }
  return found;
}

/** The request's bearer token, or null without a well-formed one (refused with no lookup). */
export function bearerOf(request: FastifyRequest): Bearer | null {
  return credentialsOf(request).bearer;
}

/** Whether the request tried to send a bearer token at all (well-formed or not). */
export function bearerSent(request: FastifyRequest): boolean {
  return credentialsOf(request).sent;
}
