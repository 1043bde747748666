/**
 * How errors look to REST clients: an RFC 9457 problem+json body whose `code` is the GraphQL
 * `extensions.code` for the same error. What an error means (its code, status, headers, whether
 * it is the service's own failure) is decided in http/errors.ts, for both transports.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAwaitingDatabase } from '../db/errors.js';
import type { FieldError, ForbiddenReason } from '../domain/errors.js';
import { classifyHttpError, HttpProblem, type ProblemCode } from '../http/errors.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  errors?: FieldError[];
  /** Why a 403 was refused (ACCOUNT_SUSPENDED), as GraphQL's `extensions.reason`. */
  reason?: ForbiddenReason;
  requestId?: string;
}

/** 405 or 404 for a request no route took, depending on whether its path has other methods. */
export function unroutedProblem(request: FastifyRequest): HttpProblem {
  const path = request.url.split('?')[0]!;
  const allowed = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((method) =>
    request.server.hasRoute({ method: method as 'GET', url: path }),
  );
  if (allowed.length === 0) return new HttpProblem('NOT_FOUND', `There is nothing at ${path}.`);
  return new HttpProblem('METHOD_NOT_ALLOWED', `${path} does not support ${request.method}; it supports ${allowed.join(', ')}.`, {
    allow: allowed.join(', '),
  });
}

/** Fastify's setErrorHandler for the REST routes. */
export function problemErrorHandler(this: unknown, error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { code, status, detail, errors, reason, headers = {}, internal } = classifyHttpError(error, request);
  const problem: Problem = { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, code };
  if (errors) problem.errors = errors;
  if (reason) problem.reason = reason;
  if (internal) {
    problem.requestId = request.id;
    if (!isAwaitingDatabase(error)) request.log.error({ err: error }, 'REST request failed');
  }
  return reply.code(status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
