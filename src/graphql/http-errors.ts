/**
 * Errors on /graphql that happen before Apollo has the request: rate limits, the body (too large,
 * not JSON, `__proto__`), the document-size check, a duplicated Authorization header. A GraphQL
 * client gets them in GraphQL's shape, `{ errors: [{ message, extensions: { code } }] }`, with the
 * HTTP status that says what went wrong (http/errors.ts decides both, for REST too).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAwaitingDatabase } from '../db/errors.js';
import { classifyHttpError } from '../http/errors.js';

/** The /graphql route's errorHandler. */
export function graphqlHttpErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { code, status, detail, headers = {}, internal } = classifyHttpError(error, request);
  if (internal && !isAwaitingDatabase(error)) request.log.error({ err: error }, 'GraphQL request failed before execution');
  const extensions: Record<string, unknown> = { code, ...(internal ? { requestId: request.id } : {}) };
  return reply
    .code(status)
    .headers(headers)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ errors: [{ message: detail, extensions }] }));
}
