/**
 * The REST shim: /me, /signup, /login, /logout and /openapi.json (and, registered from their own
 * files, the caller's emails, sessions and password, and password reset), over the same domain services as
 * GraphQL. Handlers are thin: authenticate, call the service, shape the answer. Every error goes
 * through problemErrorHandler; no route catches anything.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Precondition } from '../domain/ProfileService.js';
import { PreconditionFailedError, ValidationError } from '../domain/errors.js';
import { HttpProblem } from '../http/errors.js';
import type { RateLimits } from '../http/rate-limit.js';
import type { Services } from '../domain/services.js';
import { onlyKeys, requireObject } from './body.js';
import { emailRoutes } from './emails.js';
import { REST_BODY_LIMIT } from './limits.js';
import { openApiDocument } from './openapi.js';
import { pageRoutes } from './pages.js';
import { passwordResetRoutes } from './password-reset.js';
import { problemErrorHandler, unroutedProblem } from './problem.js';
import { authResponse, etagOf, ifMatchSatisfied, ifNoneMatchMatches, userRepresentation } from './representation.js';
import { sessionRoutes } from './sessions.js';
import { requireViewer, viewerOf } from './viewer.js';

export interface RestOptions {
  services: Services;
  limits: RateLimits;
}

const SIGN_UP_KEYS = ['email', 'password', 'name', 'phoneNumber'] as const;
const LOG_IN_KEYS = ['email', 'password'] as const;

export const restRoutes: FastifyPluginAsync<RestOptions> = async (app, { services, limits }) => {
  app.decorateRequest('restViewer', null);
  app.setErrorHandler(problemErrorHandler);
  // Every unrouted request on the port gets a problem: 405 with Allow when the path exists.
  app.setNotFoundHandler(async (request) => {
    throw unroutedProblem(request);
  });
  app.addHook('onRequest', async (request) => {
    // Before any body is read: an unknown path or method is answered as such, whatever it carries.
    if (request.is404) throw unroutedProblem(request);
  });
  registerJsonParser(app);

  const authenticated = (options: { withAccount?: boolean } = {}) => requireViewer(services.sessions, options);
  const viewer = authenticated();
  const bodyLimit = REST_BODY_LIMIT;
  /** logIn and signUp attempts count against the rate limits before anything runs. */
  const countAuthAttempt = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = request.body as { email?: unknown } | undefined;
    await limits.checkAuthAttempt(request, reply, typeof body === 'object' && body !== null ? body.email : undefined);
  };

  app.get('/me', { onRequest: authenticated({ withAccount: true }) }, async (request, reply) => {
    const { user, account } = viewerOf(request);
    const representation = userRepresentation({ user, account: account! });
    const etag = etagOf(representation);
    reply.header('etag', etag);
    if (!ifMatchSatisfied(request.headers['if-match'], etag)) throw new PreconditionFailedError();
    if (ifNoneMatchMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return representation;
  });

  app.patch('/me', { onRequest: viewer, bodyLimit }, async (request, reply) => {
    const updated = await services.profiles.updateProfile(viewerOf(request).user.id, requireObject(request.body), precondition(request));
    const representation = userRepresentation(updated);
    return reply.header('etag', etagOf(representation)).send(representation);
  });

  app.delete('/me', { onRequest: viewer, bodyLimit }, async (request, reply) => {
    await services.profiles.deleteAccount(viewerOf(request).user.id, precondition(request));
    return reply.code(202).send();
  });

  app.post('/signup', { bodyLimit, preHandler: countAuthAttempt }, async (request, reply) => {
    const { email, password, name, phoneNumber } = onlyKeys(requireObject(request.body), SIGN_UP_KEYS);
    const result = await services.sessions.signUp({ email, password, name, phoneNumber }, clientOf(request));
    return reply.code(201).header('location', '/me').send(await authResponse(services, result));
  });

  app.post('/login', { bodyLimit, preHandler: countAuthAttempt }, async (request) => {
    const body = onlyKeys(requireObject(request.body), LOG_IN_KEYS);
    const missing = LOG_IN_KEYS.filter((key) => typeof body[key] !== 'string');
    if (missing.length > 0) {
      throw new ValidationError(missing.map((field) => ({ field, message: body[field] == null ? 'is required' : 'must be a string' })));
    }
    const result = await services.sessions.logIn(body.email, body.password, clientOf(request));
    return authResponse(services, result);
  });

  app.post('/logout', { onRequest: viewer, bodyLimit }, async (request, reply) => {
    await services.sessions.logOut(viewerOf(request).sessionId);
    return reply.code(204).send();
  });

  app.get('/openapi.json', async () => openApiDocument);

  await app.register(emailRoutes, { services, limits });
  await app.register(sessionRoutes, { services, limits });
  await app.register(passwordResetRoutes, { services, limits });
  await app.register(pageRoutes);
};

/**
 * JSON for every REST route, plus application/merge-patch+json for PATCH; any other media type is
 * a 415. An empty body parses to undefined (a bodiless POST /logout with a JSON content type is
 * fine; routes that need a body say so). `__proto__` and `constructor.prototype` are refused (400).
 */
function registerJsonParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'string' }, (request, body, done) => {
    if (/^application\/merge-patch\+json/i.test(request.headers['content-type'] ?? '') && request.method !== 'PATCH') {
      done(new HttpProblem('UNSUPPORTED_MEDIA_TYPE', 'application/merge-patch+json is for PATCH; send application/json.'));
      return;
    }
    if (body === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, body as string, done);
  });
}

/** If-Match / If-None-Match, checked on the locked row inside the write transaction. */
function precondition(request: FastifyRequest): Precondition | undefined {
  const ifMatch = request.headers['if-match'];
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  return (current) => {
    const etag = etagOf(userRepresentation(current));
    if (!ifMatchSatisfied(ifMatch, etag) || ifNoneMatchMatches(ifNoneMatch, etag)) throw new PreconditionFailedError();
  };
}

function clientOf(request: FastifyRequest) {
  return { userAgent: request.headers['user-agent'] };
}
