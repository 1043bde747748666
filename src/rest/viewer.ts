/** The REST routes' authentication: the bearer token → the viewer, or a 401. */
import type { FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../domain/errors.js';
import type { SessionService, Viewer } from '../domain/SessionService.js';
import { authenticate } from '../http/auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the REST routes' authenticate hook. */
    restViewer: Viewer | null;
  }
}

/**
 * An onRequest hook that sets `request.restViewer` or refuses the request with 401. Bearer token
 * from the Authorization header only; the query string is never looked at. With `withAccount`, the
 * account facts come in the same single statement (GET /me's one query).
 */
export function requireViewer(sessions: SessionService, options: { withAccount?: boolean } = {}) {
  return async function requireViewer(request: FastifyRequest): Promise<void> {
    const viewer = await authenticate(request, sessions, options);
    if (!viewer) throw new UnauthenticatedError();
    request.restViewer = viewer;
  };
}

/** The viewer a requireViewer hook has set. */
export const viewerOf = (request: FastifyRequest): Viewer => request.restViewer!;
