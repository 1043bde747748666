import { HeaderMap, type GraphQLRequestListener } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { FastifyBaseLogger } from 'fastify';
import { isAwaitingDatabase, isDatabaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../db/errors.js';
import { DomainError, ForbiddenError, ServiceUnavailableError, ValidationError, type FieldError } from '../domain/errors.js';
import { INTERNAL_MESSAGE } from '../http/errors.js';
import type { Metrics } from '../http/metrics.js';
import type { Context } from './context.js';
import { countOperation } from './metrics.js';

/**
 * The one place where errors become what GraphQL clients see. Domain errors keep their message and
 * get their code; scalar parse errors get `BAD_USER_INPUT` and the offending field; anything else
 * is masked (its details go to the log, with the request id the client gets). A validation error
 * naming several fields is split into one error per field by `errorHooks`.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const unwrapped = unwrapResolverError(error);
  const original = isDatabaseUnavailable(unwrapped) ? new ServiceUnavailableError(undefined, { cause: unwrapped }) : unwrapped;
  if (original instanceof DomainError) {
    const extensions: Record<string, unknown> = { code: original.code };
    if (original instanceof ValidationError) {
      extensions.field = original.field;
      if (original.errors.length > 1) extensions[FIELD_ERRORS] = original.errors;
    } else if ('field' in original && original.field) {
      extensions.field = original.field;
    } else if (original instanceof ForbiddenError && original.reason) {
      extensions.reason = original.reason;
    }
    return { message: original.message, locations: formatted.locations, path: formatted.path, extensions };
  }
  const code = formatted.extensions?.code;
  if (code === 'INTERNAL_SERVER_ERROR' || code === undefined || !(original instanceof GraphQLError)) {
    return { message: INTERNAL_MESSAGE, locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  if (code === 'BAD_USER_INPUT' || isBadLiteral(original)) {
    const field = offendingField(original);
    return { ...formatted, extensions: { ...stripStack(formatted.extensions), code: 'BAD_USER_INPUT', ...(field ? { field } : {}) } };
  }
  return { ...formatted, extensions: stripStack(formatted.extensions) };
}

/** Where formatError leaves a validation error's fields for errorHooks; never sent. */
const FIELD_ERRORS = 'fieldErrors';

/**
 * One BAD_USER_INPUT error per offending field, each with its `extensions.field` and the same
 * path, as REST lists them in `errors`: a client maps each to its form field.
 */
function perField(error: GraphQLFormattedError): GraphQLFormattedError | GraphQLFormattedError[] {
  const fields = error.extensions?.[FIELD_ERRORS] as FieldError[] | undefined;
  if (!fields) return error;
  return fields.map(({ field, message }) => ({
    ...error,
    message: `${field}: ${message}`,
    extensions: { code: error.extensions!.code, field },
  }));
}

/**
 * What Apollo does with errors besides formatting them, as the hooks of every request (one shared
 * object, installed by `requestPlugin` in tracing.ts):
 * - a validation error naming several fields becomes one error per field (formatError works one
 *   error at a time);
 * - a database outage is a 503 with Retry-After, not a masked 500 (formatError has given those
 *   errors SERVICE_UNAVAILABLE), and masked errors carry the request id, so a client can quote it
 *   and we can find the log line;
 * - the service's own failures are logged as errors; a client's mistakes (a bad token, input,
 *   query) are not: they are the request line's business;
 * - with metrics, each operation and the codes of its errors are counted (graphql/metrics.ts).
 * Synchronous: a request without errors costs one call (willSendResponse), which returns at once
 * unless metrics count the operation; didEncounterErrors runs only when there are errors.
 */
export function errorHooks(log: FastifyBaseLogger, metrics?: Metrics): GraphQLRequestListener<Context> {
  return {
    didEncounterErrors({ errors, contextValue }) {
      for (const error of errors) {
        if (isServiceFailure(error)) log.error({ err: error.originalError ?? error, reqId: contextValue.requestId }, 'GraphQL request failed');
      }
      return NOTHING;
    },
    willSendResponse(requestContext) {
      const { response, contextValue } = requestContext;
      if (response.body.kind === 'single' && response.body.singleResult.errors) {
        const errors = response.body.singleResult.errors.flatMap(perField);
        response.body.singleResult.errors = errors;
        for (const error of errors) {
          const code = error.extensions?.code;
          if (code !== 'INTERNAL_SERVER_ERROR' && code !== 'SERVICE_UNAVAILABLE') continue;
          (error.extensions as Record<string, unknown>).requestId = contextValue.requestId;
          if (code === 'SERVICE_UNAVAILABLE') {
            response.http.status = 503;
            response.http.headers.set('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
          }
        }
      }
      // Here rather than in a plugin of its own (one listener fewer per request), after the split.
      if (metrics) countOperation(metrics, requestContext);
      return NOTHING;
    },
  };
}

/** What a hook that has nothing to wait for returns (Apollo's types want a promise; it awaits anything). */
const NOTHING: Promise<void> = Promise.resolve();

/** An error of the service itself, not of what the client sent. */
function isServiceFailure(error: GraphQLError): boolean {
  const original = unwrapResolverError(error);
  // Not connected yet: said once already (main.ts), not again per request.
  if (isAwaitingDatabase(original)) return false;
  if (original instanceof DomainError) return original.code === 'SERVICE_UNAVAILABLE';
  if (isDatabaseUnavailable(original)) return true;
  // Parse, validation and variable errors come with their code; a resolver's plain Error has none.
  const code = error.extensions?.code;
  return code === undefined || code === 'INTERNAL_SERVER_ERROR';
}

/**
 * The same for a failure before any resolver (authenticating in createContext): Apollo answers
 * those itself, taking the status and headers from `extensions.http`.
 */
export function serviceUnavailableError(requestId: string, cause: unknown): GraphQLError {
  const error = new ServiceUnavailableError(undefined, { cause });
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: {
      code: error.code,
      requestId,
      http: { status: 503, headers: new HeaderMap([['retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS)]]) },
    },
  });
}

function stripStack(extensions: GraphQLFormattedError['extensions']): Record<string, unknown> {
  const { stacktrace: _stacktrace, exception: _exception, ...rest } = extensions ?? {};
  return rest;
}

/** A literal in the document that its scalar or input type refused. */
function isBadLiteral(error: GraphQLError): boolean {
  if (error.originalError instanceof GraphQLError && error.originalError.extensions.code === 'BAD_USER_INPUT') return true;
  return /^Expected value of type "[^"]+", found /.test(error.message) || /^Field "[^"]+" of required type/.test(error.message);
}

/**
 * The input field a coercion error is about: from `at "input.locale"` for variables, or from the
 * `name:` just before the offending literal in the document.
 */
function offendingField(error: GraphQLError): string | undefined {
  const variablePath = /at "([^"]+)"/.exec(error.message)?.[1];
  if (variablePath) return variablePath.split('.').at(-1)?.replace(/\[\d+\]$/, '');
  const missing = /^Field "([^"]+)" of required type/.exec(error.message)?.[1];
  if (missing) return missing.split('.').at(-1);
  const position = error.positions?.[0];
  const source = error.source?.body;
  if (position === undefined || source === undefined) return undefined;
  return /([_A-Za-z][_0-9A-Za-z]*)\s*:\s*$/.exec(source.slice(Math.max(0, position - 200), position))?.[1];
}
