/**
 * The one place where errors become what REST clients see: an RFC 9457 problem+json body whose
 * `code` is the GraphQL `extensions.code` for the same domain error. Every REST route, the
 * not-found handler and Fastify's own request errors (body parsing, limits) go through here.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../db/errors.js';
import { DomainError, RateLimitedError, ValidationError, type ErrorCode, type FieldError } from '../domain/errors.js';

/** Codes for what only HTTP can get wrong; domain codes are GraphQL's. */
export type HttpErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE';

export type ProblemCode = ErrorCode | HttpErrorCode;

/** The one mapping from error codes to HTTP statuses. */
export const STATUS_BY_CODE: Record<ProblemCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BAD_USER_INPUT: 422,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

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
  requestId?: string;
}

/** An error only the HTTP layer knows about (a bad body, an unknown path, a wrong method). */
export class HttpProblem extends Error {
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

export const badRequest = (detail: string) => new HttpProblem('BAD_REQUEST', detail);

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

/** Fastify's own request errors, by code; anything a client sent maps to a 4xx. */
const FASTIFY_CODES: Record<string, HttpErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

const FASTIFY_DETAILS: Record<HttpErrorCode, string> = {
  // Also what secure-json-parse's refusal of `__proto__` and `constructor.prototype` becomes.
  BAD_REQUEST: 'The request body is not valid JSON, or uses a forbidden key such as __proto__.',
  NOT_FOUND: 'There is nothing here.',
  METHOD_NOT_ALLOWED: 'This method is not allowed here.',
  PAYLOAD_TOO_LARGE: 'The request body is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'Send the body as application/json.',
};

interface Classified {
  code: ProblemCode;
  detail: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Unexpected: logged, and its details hidden from the client. */
  internal?: boolean;
}

function classify(error: unknown, request: FastifyRequest): Classified {
  if (error instanceof DomainError) {
    const classified: Classified = { code: error.code, detail: error.message };
    if (error instanceof ValidationError) classified.errors = error.errors;
    if (error.code === 'UNAUTHENTICATED') {
      // RFC 6750 §3.1: an error code only when a bearer token was sent (not for none, not for Basic).
      classified.headers = { 'www-authenticate': bearerTokenSent(request.headers.authorization) ? 'Bearer error="invalid_token"' : 'Bearer' };
    }
    if (error instanceof RateLimitedError) {
      classified.headers = { 'retry-after': String(error.retryAfterSeconds) };
    } else if (error.code === 'SERVICE_UNAVAILABLE') {
      classified.headers = { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) };
    }
    return classified;
  }
  if (error instanceof HttpProblem) return { code: error.code, detail: error.message, headers: error.headers };
  const fastifyCode = (error as FastifyError | undefined)?.code;
  if (fastifyCode && FASTIFY_CODES[fastifyCode]) {
    const code = FASTIFY_CODES[fastifyCode];
    return { code, detail: fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE' ? bodyTooLarge(request) : FASTIFY_DETAILS[code] };
  }
  // Any other 4xx Fastify raises about the request itself.
  const statusCode = (error as FastifyError | undefined)?.statusCode;
  if (typeof fastifyCode === 'string' && fastifyCode.startsWith('FST_') && statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return { code: 'BAD_REQUEST', detail: 'The request could not be read.' };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      code: 'SERVICE_UNAVAILABLE',
      detail: 'The database is unreachable; try again shortly.',
      headers: { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
      internal: true,
    };
  }
  return { code: 'INTERNAL_SERVER_ERROR', detail: 'Internal server error.', internal: true };
}

/** `Bearer <anything>`, or a bare single value (API.md accepts the token without a scheme). */
function bearerTokenSent(header: string | undefined): boolean {
  const parts = header?.trim().split(/\s+/) ?? [];
  return (parts.length === 1 && parts[0] !== '') || (parts.length === 2 && parts[0]!.toLowerCase() === 'bearer');
}

function bodyTooLarge(request: FastifyRequest): string {
  const limit = request.routeOptions.bodyLimit;
  return limit ? `The request body is over ${Math.round(limit / 1024)} KB.` : FASTIFY_DETAILS.PAYLOAD_TOO_LARGE;
}

export function problemOf(error: unknown, request: FastifyRequest): { problem: Problem; headers: Record<string, string>; internal: boolean } {
  const { code, detail, errors, headers = {}, internal = false } = classify(error, request);
  const status = STATUS_BY_CODE[code];
  const problem: Problem = { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, code };
  if (errors) problem.errors = errors;
  if (internal) problem.requestId = request.id;
  return { problem, headers, internal };
}

/** Fastify's setErrorHandler for the REST routes. */
export function problemErrorHandler(this: unknown, error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { problem, headers, internal } = problemOf(error, request);
  if (internal) request.log.error({ err: error }, 'REST request failed');
  return reply.code(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
