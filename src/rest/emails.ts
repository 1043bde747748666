/**
 * The caller's email addresses over REST (/me/emails…), and POST /verify-email, which takes the
 * token as JSON from a client or as a form post from the GET /verify-email page.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { EmailView } from '../domain/EmailService.js';
import { NotFoundError } from '../domain/errors.js';
import type { Services } from '../domain/services.js';
import type { RateLimits } from '../http/rate-limit.js';
import { onlyKeys, requireObject } from './body.js';
import { REST_BODY_LIMIT } from './limits.js';
import { refuseOtherMethods } from './methods.js';
import { acceptForms, formErrorHandler, isFormPost, seeOutcome } from './pages.js';
import { etagOf, userRepresentation } from './representation.js';
import { requireViewer, viewerOf } from './viewer.js';

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
  const viewer = requireViewer(services.sessions);

  app.get('/me/emails', { onRequest: viewer }, async (request) => ({
    emails: (await services.emails.list(viewerOf(request).user.id)).map(emailRepresentation),
  }));

  app.post('/me/emails', { onRequest: viewer, bodyLimit }, async (request, reply) => {
    const { address } = onlyKeys(requireObject(request.body), ['address']);
    const email = await services.emails.add(viewerOf(request).user.id, address);
    return reply.code(201).header('location', `/me/emails/${email.id}`).send(emailRepresentation(email));
  });

  app.get<{ Params: IdParams }>('/me/emails/:id', { onRequest: viewer }, async (request) => {
    const email = (await services.emails.list(viewerOf(request).user.id)).find((e) => e.id === request.params.id.toLowerCase());
    if (!email) throw new NotFoundError('No such email address among yours.');
    return emailRepresentation(email);
  });

  app.delete<{ Params: IdParams }>('/me/emails/:id', { onRequest: viewer, bodyLimit }, async (request, reply) => {
    await services.emails.remove(viewerOf(request).user.id, request.params.id);
    return reply.code(204).send();
  });

  app.put<{ Params: IdParams }>('/me/emails/:id/default', { onRequest: viewer, bodyLimit }, async (request, reply) => {
    const userId = viewerOf(request).user.id;
    const user = await services.emails.setDefault(userId, request.params.id);
    const representation = userRepresentation({ user, account: await services.sessions.accountFacts(userId) });
    return reply.header('etag', etagOf(representation)).send(representation);
  });

  app.post<{ Params: IdParams }>('/me/emails/:id/verification', { onRequest: viewer, bodyLimit }, async (request, reply) => {
    await services.emails.sendVerification(viewerOf(request).user.id, request.params.id);
    return reply.code(202).send();
  });

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
