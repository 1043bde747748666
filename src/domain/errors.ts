/**
 * Domain errors. Both transports map these in one place: GraphQL to `extensions.code`,
 * REST to an HTTP status and a problem+json body. Nothing here knows about either.
 */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

export interface FieldError {
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
}

/** One or more fields failed validation; nothing was written. */
export class ValidationError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  constructor(
    readonly errors: FieldError[],
    options?: ErrorOptions,
  ) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '), options);
    this.name = 'ValidationError';
  }

  static field(field: string, message: string): ValidationError {
    return new ValidationError([{ field, message }]);
  }

  /** The first offending field, for GraphQL's `extensions.field`. */
  get field(): string {
    return this.errors[0]?.field ?? '';
  }
}

/** No token, or a token whose session has ended. The message never says which. */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'Authentication required: send a valid token in the Authorization header.') {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

/** Why a request was refused beyond its code, for a client to act on (GraphQL `extensions.reason`, REST `reason`). */
export type ForbiddenReason = 'ACCOUNT_SUSPENDED';

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor(
    message = 'You are not allowed to see this.',
    readonly reason?: ForbiddenReason,
  ) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** Something that is not the caller's, whether or not it exists: the answer never says which. */
export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(message = 'Not found.') {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** A conditional request (If-Match) did not match the current representation. */
export class PreconditionFailedError extends DomainError {
  readonly code = 'PRECONDITION_FAILED';
  constructor(message = 'The resource has changed since you last read it.') {
    super(message);
    this.name = 'PreconditionFailedError';
  }
}

/** Too many requests or sign-in attempts; the client may retry after `retryAfterSeconds`. */
export class RateLimitedError extends DomainError {
  readonly code = 'RATE_LIMITED';
  constructor(
    readonly retryAfterSeconds: number,
    message = `Too many requests; retry in ${retryAfterSeconds} s.`,
  ) {
    super(message);
    this.name = 'RateLimitedError';
  }
}

/** The database cannot be reached right now; the request may be retried (503, Retry-After). */
export class ServiceUnavailableError extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(message = 'The database is unreachable; try again shortly.', options?: ErrorOptions) {
    super(message, options);
    this.name = 'ServiceUnavailableError';
  }
}
