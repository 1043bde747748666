/**
 * Authenticating a request, for both transports: the bearer token → its live session → the viewer.
 * The outcome is remembered for the request, so the rate limiter can tell a token that found a
 * session (its own budget) from one that did not (charged to its IP).
 */
import type { FastifyRequest } from 'fastify';
import type { SessionService, Viewer } from '../domain/SessionService.js';
import { bearerOf } from './bearer.js';

const outcomes = new WeakMap<FastifyRequest, boolean>();

/**
 * The viewer of `request`, or null without a token that opens a live session. With `withAccount`,
 * the account facts come in the same statement.
 */
export async function authenticate(request: FastifyRequest, sessions: SessionService, options?: { withAccount?: boolean }): Promise<Viewer | null> {
  const bearer = bearerOf(request);
  if (!bearer) return null;
  const viewer = await sessions.authenticate(bearer.hash, options);
  outcomes.set(request, viewer !== null);
  return viewer;
}

/** Whether the request's token found a session: undefined when nothing looked (or no token). */
export function authenticated(request: FastifyRequest): boolean | undefined {
  return outcomes.get(request);
}
