/**
 * Password reset over REST: POST /password-reset asks for a link; POST /password-reset/confirm
 * sets the new password with its token, as JSON from a client or as a form post from the
 * GET /password-reset page (answered with a 303 to it). Both count as sign-in attempts for the
 * rate limits, as logIn does: per client IP, and per address for the request.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../domain/errors.js';
import type { Services } from '../domain/services.js';
import type { RateLimits } from '../http/rate-limit.js';
import { onlyKeys, requireObject } from './body.js';
import { REST_BODY_LIMIT } from './limits.js';
import { acceptForms, formErrorHandler, isFormPost, seeOutcome } from './pages.js';

const RETRY_OUTCOMES: Record<string, string> = { newPassword: 'weak', confirmPassword: 'mismatch' };

export const passwordResetRoutes: FastifyPluginAsync<{ services: Services; limits: RateLimits }> = async (app, { services, limits }) => {
  const bodyLimit = REST_BODY_LIMIT;
  const countAttempt = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = request.body as { email?: unknown } | undefined;
    await limits.checkAuthAttempt(request, reply, typeof body === 'object' && body !== null ? body.email : undefined);
  };

  app.post('/password-reset', { bodyLimit, preHandler: countAttempt }, async (request, reply) => {
    const { email } = onlyKeys(requireObject(request.body), ['email']);
    await services.passwords.requestReset(email);
    return reply.code(202).send();
  });

  await app.register(async (forms) => {
    acceptForms(forms);
    forms.post(
      '/password-reset/confirm',
      { bodyLimit, preHandler: countAttempt, errorHandler: formErrorHandler('/password-reset', 'reset_password', (field) => RETRY_OUTCOMES[field]) },
      async (request, reply) => {
        const form = isFormPost(request);
        const body = onlyKeys(requireObject(request.body), form ? ['token', 'newPassword', 'confirmPassword'] : ['token', 'newPassword']);
        // The page asks for the new password twice; a JSON client sends it once.
        if (form && body.newPassword !== body.confirmPassword) throw ValidationError.field('confirmPassword', 'must be the same as newPassword');
        await services.passwords.reset(body.token, body.newPassword);
        return form ? seeOutcome(reply, '/password-reset', 'done') : reply.code(204).send();
      },
    );
  });
};
