/**
 * Errors on /graphql that happen before Apollo has the request: rate limits, the body (too large,
 * not JSON, `__proto__`), the document-size check, a duplicated Authorization header. A GraphQL
 * client gets them in GraphQL's shape, `{ errors: [{ message, extensions: { code } }] }`, with the
 * HTTP status that says what went wrong. Anything unexpected is masked and logged, as in
 * formatError.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedError } from '../domain/errors.js';
import { HttpProblem, STATUS_BY_CODE } from '../rest/problem.js';
import { INTERNAL_MESSAGE } from './errors.js';

const GRAPHQL_BODY_LIMIT_KB = 1024;

interface Answer {
  status: number;
  message: string;
  code: string;
  headers?: Record<string, string>;
  requestId?: string;
}

function answerFor(error: unknown, request: FastifyRequest): Answer {
  if (error instanceof RateLimitedError) {
    return { status: 429, message: error.message, code: error.code, headers: { 'retry-after': String(error.retryAfterSeconds) } };
  }
  if (error instanceof HttpProblem) return { status: STATUS_BY_CODE[error.code], message: error.message, code: error.code, headers: error.headers };
  const { code, statusCode } = (error ?? {}) as Partial<FastifyError>;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `The request body is over ${GRAPHQL_BODY_LIMIT_KB} KB.` };
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the GraphQL request as application/json.' };
  }
  if (typeof code === 'string' && code.startsWith('FST_') && statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    // Also what secure-json-parse's refusal of `__proto__` and `constructor.prototype` becomes.
    return { status: 400, code: 'BAD_REQUEST', message: 'The request body is not valid JSON, or uses a forbidden key such as __proto__.' };
  }
  return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: INTERNAL_MESSAGE, requestId: request.id };
}

/** The /graphql route's errorHandler. */
export function graphqlHttpErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const answer = answerFor(error, request);
  if (answer.status >= 500) request.log.error({ err: error }, 'GraphQL request failed before execution');
  const extensions: Record<string, unknown> = { code: answer.code, ...(answer.requestId ? { requestId: answer.requestId } : {}) };
  return reply
    .code(answer.status)
    .headers(answer.headers ?? {})
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ errors: [{ message: answer.message, extensions }] }));
}
