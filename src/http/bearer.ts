/**
 * The bearer token of a request, hashed once: authentication looks the hash up in the sessions
 * table, and the rate limiter keys the token's budget on it. Only the Authorization header counts,
 * never the query string (tokens in URLs end up in logs and proxies).
 */
import type { FastifyRequest } from 'fastify';
import { hashToken, tokenFromAuthorization } from '../domain/tokens.js';

export interface Bearer {
  /** SHA-256 of the token: what the sessions table stores. */
  readonly hash: Buffer;
  /** A short one-way key for the rate limiter's counters (never the token itself). */
  readonly key: string;
  /** Whether the token found a live session; unset until authentication has looked. */
  authenticated?: boolean;
}

const bearers = new WeakMap<FastifyRequest, Bearer | null>();

/** The request's bearer token, or null without a well-formed one (refused with no lookup). */
export function bearerOf(request: FastifyRequest): Bearer | null {
  let bearer = bearers.get(request);
  if (bearer === undefined) {
    const token = tokenFromAuthorization(request.headers.authorization);
    const hash = token ? hashToken(token) : null;
    bearer = hash ? { hash, key: hash.toString('base64url', 0, 16) } : null;
    bearers.set(request, bearer);
  }
  return bearer;
}
