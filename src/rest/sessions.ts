/**
 * The caller's sessions over REST (/me/sessions…) and password change (POST /me/password), over
 * the same services as GraphQL's User.sessions, revokeSession, revokeOtherSessions and changePassword.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../domain/services.js';
import type { SessionView } from '../domain/SessionService.js';
import type { RateLimits } from '../http/rate-limit.js';
import { onlyKeys, requireObject } from './body.js';
import { REST_BODY_LIMIT } from './limits.js';
import { refuseOtherMethods } from './methods.js';
import { requireViewer, viewerOf } from './viewer.js';

export interface SessionRepresentation {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent?: string;
}

/** An unknown userAgent is absent, never null. */
export function sessionRepresentation(session: SessionView): SessionRepresentation {
  return {
    id: session.id,
    current: session.current,
    createdAt: session.createdAt.toISOString(),
    lastSeenAt: session.lastSeenAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    ...(session.userAgent ? { userAgent: session.userAgent } : {}),
  };
}

export const sessionRoutes: FastifyPluginAsync<{ services: Services; limits: RateLimits }> = async (app, { services, limits }) => {
  const bodyLimit = REST_BODY_LIMIT;
  const viewer = requireViewer(services.sessions);
  /** A guess at the current password: counted per client IP and per account, as logIn is. */
  const countPasswordAttempt = async (request: FastifyRequest, reply: FastifyReply) => {
    await limits.checkAuthAttempt(request, reply, null);
    await limits.checkAccountAttempt(reply, viewerOf(request).user.id);
  };

  app.get('/me/sessions', { onRequest: viewer }, async (request) => {
    const { user, sessionId } = viewerOf(request);
    return { sessions: (await services.sessions.listSessions(user.id, sessionId)).map(sessionRepresentation) };
  });

  app.delete<{ Params: { id: string } }>('/me/sessions/:id', { onRequest: viewer, bodyLimit }, async (request, reply) => {
    await services.sessions.revokeSession(viewerOf(request).user.id, request.params.id);
    return reply.code(204).send();
  });

  // Takes no body (an empty JSON object is fine, as for /logout).
  app.post('/me/sessions/revoke-others', { onRequest: viewer, bodyLimit }, async (request) => ({
    revoked: await services.sessions.revokeOtherSessions(viewerOf(request)),
  }));

  app.post('/me/password', { onRequest: viewer, bodyLimit, preHandler: countPasswordAttempt }, async (request, reply) => {
    const { user, sessionId } = viewerOf(request);
    const { currentPassword, newPassword } = onlyKeys(requireObject(request.body), ['currentPassword', 'newPassword']);
    await services.passwords.change({ userId: user.id, sessionId }, currentPassword, newPassword);
    return reply.code(204).send();
  });

  refuseOtherMethods(app, '/me/sessions/:id', ['DELETE']);
  // Beside /me/sessions/:id: its other methods would otherwise be that route's.
  refuseOtherMethods(app, '/me/sessions/revoke-others', ['POST']);
};
