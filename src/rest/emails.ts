/**
 * The caller's email addresses over REST (/me/emails…), and POST /verify-email, which takes the
 * token as JSON from a client or as a form post from the GET /verify-email page.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { EmailView } from '../domain/EmailService.js';
import { NotFoundError, UnauthenticatedError } from '../domain/errors.js';
import type { Services } from '../domain/services.js';
import type { Viewer } from '../domain/SessionService.js';
import { authenticate } from '../http/auth.js';
import { HttpProblem } from '../http/errors.js';
import type { RateLimits } from '../http/rate-limit.js';
import { onlyKeys, requireObject } from './body.js';
import { REST_BODY_LIMIT } from './limits.js';
import { acceptForms, formErrorHandler, isFormPost, seeOutcome } from './pages.js';
import { etagOf, userRepresentation } from './representation.js';

export interface EmailRepresentation {
  id: string;
  address: string;
  verified: boolean;
  isDefault: boolean;
  createdAt: string;
  verifiedAt?: string;
}

/** An unset verifiedAt is absent, never null. */
export function emailRepresentation(email: EmailView): EmailRepresentation {
  return {
    id: email.id,
    address: email.address,
    verified: email.verified,
    isDefault: email.isDefault,
    createdAt: email.createdAt.toISOString(),
    ...(email.verifiedAt ? { verifiedAt: email.verifiedAt.toISOString() } : {}),
  };
}

interface IdParams {
  id: string;
}

export const emailRoutes: FastifyPluginAsync<{ services: Services; limits: RateLimits }> = async (app, { services }) => {
  const bodyLimit = REST_BODY_LIMIT;
  const requireViewer = async (request: FastifyRequest) => {
    const viewer = await authenticate(request, services.sessions);
    if (!viewer) throw new UnauthenticatedError();
    request.restViewer = viewer;
  };
  const viewerOf = (request: FastifyRequest): Viewer => request.restViewer!;

  app.get('/me/emails', { onRequest: requireViewer }, async (request) => ({
    emails: (await services.emails.list(viewerOf(request).user.id)).map(emailRepresentation),
  }));

  app.post('/me/emails', { onRequest: requireViewer, bodyLimit }, async (request, reply) => {
    const { address } = onlyKeys(requireObject(request.body), ['address']);
    const email = await services.emails.add(viewerOf(request).user.id, address);
    return reply.code(201).header('location', `/me/emails/${email.id}`).send(emailRepresentation(email));
  });

  app.get<{ Params: IdParams }>('/me/emails/:id', { onRequest: requireViewer }, async (request) => {
    const email = (await services.emails.list(viewerOf(request).user.id)).find((e) => e.id === request.params.id.toLowerCase());
    if (!email) throw new NotFoundError('No such email address among yours.');
    return emailRepresentation(email);
  });

  app.delete<{ Params: IdParams }>('/me/emails/:id', { onRequest: requireViewer, bodyLimit }, async (request, reply) => {
    await services.emails.remove(viewerOf(request).user.id, request.params.id);
    return reply.code(204).send();
  });

  app.put<{ Params: IdParams }>('/me/emails/:id/default', { onRequest: requireViewer, bodyLimit }, async (request, reply) => {
    const userId = viewerOf(request).user.id;
    const user = await services.emails.setDefault(userId, request.params.id);
    const representation = userRepresentation({ user, account: await services.sessions.accountFacts(userId) });
    return reply.header('etag', etagOf(representation)).send(representation);
  });

  app.post<{ Params: IdParams }>('/me/emails/:id/verification', { onRequest: requireViewer, bodyLimit }, async (request, reply) => {
    await services.emails.sendVerification(viewerOf(request).user.id, request.params.id);
    return reply.code(202).send();
  });

  // A path with an id in it is unknown to the 405 check of unrouted requests (it looks for the
  // path as registered): its other methods are answered here.
  refuseOtherMethods(app, '/me/emails/:id', ['GET', 'HEAD', 'DELETE']);
  refuseOtherMethods(app, '/me/emails/:id/default', ['PUT']);
  refuseOtherMethods(app, '/me/emails/:id/verification', ['POST']);

  // JSON from clients, or the form of the GET /verify-email page (answered with a 303 to it).
  await app.register(async (forms) => {
    acceptForms(forms);
    forms.post('/verify-email', { bodyLimit, errorHandler: formErrorHandler('/verify-email', 'verify_email') }, async (request, reply) => {
      const { token } = onlyKeys(requireObject(request.body), ['token']);
      const email = await services.emails.verify(token);
      if (isFormPost(request)) return seeOutcome(reply, '/verify-email', 'verified');
      return emailRepresentation(email);
    });
  });
};

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** 405 with Allow for every method of `url` but `allowed`. */
function refuseOtherMethods(app: FastifyInstance, url: string, allowed: readonly string[]): void {
  const allow = allowed.join(', ');
  app.route({
    method: METHODS.filter((method) => !allowed.includes(method)),
    url,
    // HEAD is refused here too where there is no GET (Fastify would otherwise add one).
    exposeHeadRoute: false,
    handler: async (request) => {
      const path = request.url.split('?')[0]!;
      throw new HttpProblem('METHOD_NOT_ALLOWED', `${path} does not support ${request.method}; it supports ${allow}.`, { allow });
    },
  });
}
