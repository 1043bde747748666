/** 405 with Allow for the methods a path with an id in it does not have. */
import type { FastifyInstance } from 'fastify';
import { HttpProblem } from '../http/errors.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * 405 with Allow for every method of `url` but `allowed`. A path with an id in it is unknown to the
 * 405 check of unrouted requests (it looks for the path as registered), so its other methods are
 * answered here; so are those of a fixed path beside it (`/me/sessions/revoke-others` beside
 * `/me/sessions/{id}`), which would otherwise fall to the id's route.
 */
export function refuseOtherMethods(app: FastifyInstance, url: string, allowed: readonly string[]): void {
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
