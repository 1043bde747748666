/**
 * What an error means over HTTP, for both transports: the status of every error code, and one
 * classifier of whatever a request can fail with (domain errors, HTTP-level problems, Fastify's
 * own request errors, the database being down, anything unexpected). REST renders the result as
 * problem+json (rest/problem.ts), GraphQL in its own shape (graphql/http-errors.ts).
 */
import type { FastifyError, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../db/errors.js';
import { DomainError, ForbiddenError, RateLimitedError, ValidationError, type ErrorCode, type FieldError, type ForbiddenReason } from '../domain/errors.js';
import { bearerSent } from './bearer.js';
import { noteErrorCode } from './metrics.js';

/** Codes for what only HTTP can get wrong; domain codes are GraphQL's. */
export type HttpErrorCode = 'BAD_REQUEST' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE';

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

/** What a client is told when the service itself failed; the details go to the log only. */
export const INTERNAL_MESSAGE = 'Internal server error.';

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

export interface Classified {
  code: ProblemCode;
  status: number;
  /** What the client is told. */
  detail: string;
  errors?: FieldError[];
  /** Why a FORBIDDEN was refused, when the error says (ACCOUNT_SUSPENDED). */
  reason?: ForbiddenReason;
  headers?: Record<string, string>;
  /** The service's own failure: logged as an error, its details hidden from the client. */
  internal: boolean;
}

function classified(code: ProblemCode, detail: string, extra: Partial<Classified> = {}): Classified {
  return { code, status: STATUS_BY_CODE[code], detail, internal: false, ...extra };
}

/** What `error`, raised while serving `request`, means for the client (its code also goes to the metrics). */
export function classifyHttpError(error: unknown, request: FastifyRequest): Classified {
  const result = classify(error, request);
  noteErrorCode(request, result.code);
  return result;
}

function classify(error: unknown, request: FastifyRequest): Classified {
  if (error instanceof DomainError) {
    const result = classified(error.code, error.message);
    if (error instanceof ValidationError) result.errors = error.errors;
    if (error instanceof ForbiddenError && error.reason) result.reason = error.reason;
    if (error.code === 'UNAUTHENTICATED') {
      // RFC 6750 §3.1: an error code only when a bearer token was sent (not for none, not for Basic).
      result.headers = { 'www-authenticate': bearerSent(request) ? 'Bearer error="invalid_token"' : 'Bearer' };
    } else if (error instanceof RateLimitedError) {
      result.headers = { 'retry-after': String(error.retryAfterSeconds) };
    } else if (error.code === 'SERVICE_UNAVAILABLE') {
      result.headers = { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) };
      result.internal = true;
    }
    return result;
  }
  if (error instanceof HttpProblem) return classified(error.code, error.message, { headers: error.headers });
  const { code: fastifyCode, statusCode } = (error ?? {}) as Partial<FastifyError>;
  if (fastifyCode && FASTIFY_CODES[fastifyCode]) {
    const code = FASTIFY_CODES[fastifyCode];
    return classified(code, fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE' ? bodyTooLarge(request) : FASTIFY_DETAILS[code]);
  }
  // Any other 4xx Fastify raises about the request itself.
  if (typeof fastifyCode === 'string' && fastifyCode.startsWith('FST_') && statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return classified('BAD_REQUEST', 'The request could not be read.');
  }
  if (isDatabaseUnavailable(error)) {
    return classified('SERVICE_UNAVAILABLE', 'The database is unreachable; try again shortly.', {
      headers: { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
      internal: true,
    });
  }
  return classified('INTERNAL_SERVER_ERROR', INTERNAL_MESSAGE, { internal: true });
}

function bodyTooLarge(request: FastifyRequest): string {
  const limit = request.routeOptions.bodyLimit;
  return limit ? `The request body is over ${Math.round(limit / 1024)} KB.` : FASTIFY_DETAILS.PAYLOAD_TOO_LARGE;
}
