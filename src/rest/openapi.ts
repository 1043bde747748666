/**
 * The OpenAPI 3.1 document of every REST route, served at GET /openapi.json. Its schemas are
 * JSON Schema 2020-12: the tests validate every response they receive against them.
 */
import { STATUS_BY_CODE } from '../http/errors.js';
import { REST_BODY_LIMIT } from './limits.js';
import { emailPaths, emailSchemas, emailTags } from './openapi-emails.js';
import { bearer, common, noStore, ref, response, withBody } from './openapi-parts.js';
import { sessionPaths, sessionSchemas } from './openapi-sessions.js';

const problemResponse = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

const retryAfter = { 'Retry-After': { description: 'Seconds to wait before trying again.', required: true, schema: { type: 'integer', minimum: 0 } } };
const etag = { ETag: { description: 'Strong entity tag of the user representation.', required: true, schema: { type: 'string' } } };

const ifMatch = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description: 'Apply only if the current ETag matches (strong comparison; `*` matches any). Otherwise 412, nothing written.',
  schema: { type: 'string' },
};
const ifNoneMatch = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description: 'GET: answer 304 when the current ETag matches (weak comparison).',
  schema: { type: 'string' },
};

const userFields = {
  id: { type: 'string', format: 'uuid', description: 'Lower-case UUID.' },
  status: { type: 'string', enum: ['pending', 'active', 'suspended', 'deleted'], description: 'Account status.' },
  name: { type: 'string', minLength: 1, maxLength: 100, description: 'Display name: trimmed, NFC, 1–100 characters.' },
  bio: { type: 'string', maxLength: 1000, description: 'Up to 1000 characters; newlines allowed.' },
  activeSessions: { type: 'integer', minimum: 0, description: 'Sessions neither revoked nor expired.' },
  createdAt: { type: 'string', format: 'date-time', description: 'RFC 3339, UTC, milliseconds. Never changes.' },
  updatedAt: { type: 'string', format: 'date-time', description: 'Changes on every successful profile update.' },
  defaultEmail: { type: 'string', format: 'email', description: 'The default address among the user’s emails.' },
  avatarUrl: { type: 'string', format: 'uri', maxLength: 2048, description: 'An https: or http: URL; never fetched by the server.' },
  phoneNumber: { type: 'string', pattern: '^\\+[1-9][0-9]{1,14}$', description: 'E.164, e.g. +14155552671.' },
  locale: { type: 'string', maxLength: 35, description: 'Canonical BCP 47 tag, e.g. en-GB.' },
  timezone: { type: 'string', maxLength: 64, description: 'Canonical IANA time zone, e.g. Europe/Paris.' },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'profile-gateway REST shim',
    version: '1.0.0',
    description: [
      'The current user over REST: the same data and rules as GraphQL `me` / `updateMe` / `deleteMe` at `/graphql`.',
      'Authenticate with `Authorization: Bearer <token>` (from /signup or /login); tokens in a URL are ignored.',
      'Errors are RFC 9457 problem+json with a `code` equal to the GraphQL `extensions.code`.',
      'A method a path does not have gets 405 with `Allow`; an unknown path gets 404.',
      `Request bodies are limited to ${REST_BODY_LIMIT / 1024} KB. Every response carries \`Cache-Control: no-store\` and \`X-Content-Type-Options: nosniff\`.`,
    ].join('\n\n'),
  },
  tags: [
    { name: 'me', description: 'The user the token was issued to.' },
    { name: 'sessions', description: 'Getting and dropping a token; the caller’s live sessions.' },
    { name: 'service', description: 'Health and this document.' },
    ...emailTags,
  ],
  paths: {
    '/me': {
      get: {
        operationId: 'getMe',
        tags: ['me'],
        summary: 'The current user',
        security: bearer,
        parameters: [ifNoneMatch, ifMatch],
        responses: {
          '200': {
            description: 'The user.',
            headers: { ...etag, ...noStore },
            content: { 'application/json': { schema: ref('User') } },
          },
          '304': { description: 'Not modified: the If-None-Match ETag is current. No body.', headers: { ...etag, ...noStore } },
          '401': response('Unauthorized'),
          '412': response('PreconditionFailed'),
          ...common,
        },
      },
      patch: {
        operationId: 'updateMe',
        tags: ['me'],
        summary: 'Update the current user (JSON Merge Patch)',
        description:
          'RFC 7396: a key left out is unchanged, `null` clears an optional field. Only `name`, `bio`, `avatarUrl`, `locale` and `timezone`; any other key is a 422 naming it, and nothing is written.',
        security: bearer,
        parameters: [ifMatch],
        requestBody: {
          required: true,
          content: {
            'application/merge-patch+json': { schema: ref('MergePatch') },
            'application/json': { schema: ref('MergePatch') },
          },
        },
        responses: {
          '200': {
            description: 'The updated user.',
            headers: { ...etag, ...noStore },
            content: { 'application/json': { schema: ref('User') } },
          },
          '401': response('Unauthorized'),
          '412': response('PreconditionFailed'),
          '422': response('ValidationFailed'),
          ...withBody,
          ...common,
        },
      },
      delete: {
        operationId: 'deleteMe',
        tags: ['me'],
        summary: 'Delete the current user’s account',
        description:
          'In one transaction: every session revoked, status `deleted`, a purge recorded. Answers after the commit; the account’s data is erased by the purge worker.',
        security: bearer,
        parameters: [ifMatch],
        responses: {
          '202': { description: 'Deletion accepted. No body.', headers: noStore },
          '401': response('Unauthorized'),
          '412': response('PreconditionFailed'),
          ...withBody,
          ...common,
        },
      },
    },
    '/signup': {
      post: {
        operationId: 'signUp',
        tags: ['sessions'],
        summary: 'Create a pending user and log it in',
        security: [],
        requestBody: { required: true, content: { 'application/json': { schema: ref('SignUpRequest') } } },
        responses: {
          '201': {
            description: 'Signed up and logged in.',
            headers: {
              ...noStore,
              Location: { description: 'Where the new user can be read: `/me`.', required: true, schema: { type: 'string' } },
            },
            content: { 'application/json': { schema: ref('AuthResponse') } },
          },
          '409': response('Conflict'),
          '422': response('ValidationFailed'),
          ...withBody,
          ...common,
        },
      },
    },
    '/login': {
      post: {
        operationId: 'logIn',
        tags: ['sessions'],
        summary: 'Start a new session',
        description:
          'A wrong email, a wrong password and a deleted account all get the same 401. A suspended account with the right password gets 403 with `reason: ACCOUNT_SUSPENDED`.',
        security: [],
        requestBody: { required: true, content: { 'application/json': { schema: ref('LoginRequest') } } },
        responses: {
          '200': {
            description: 'Logged in: a new session.',
            headers: noStore,
            content: { 'application/json': { schema: ref('AuthResponse') } },
          },
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '422': response('ValidationFailed'),
          ...withBody,
          ...common,
        },
      },
    },
    '/logout': {
      post: {
        operationId: 'logOut',
        tags: ['sessions'],
        summary: 'End the calling session only',
        security: bearer,
        responses: {
          '204': { description: 'Logged out. No body.', headers: noStore },
          '401': response('Unauthorized'),
          ...withBody,
          ...common,
        },
      },
    },
    '/healthz': {
      get: {
        operationId: 'healthz',
        tags: ['service'],
        summary: 'Liveness (no I/O)',
        security: [],
        responses: { '200': { description: 'Alive.', content: { 'application/json': { schema: ref('Health') } } } },
      },
    },
    '/readyz': {
      get: {
        operationId: 'readyz',
        tags: ['service'],
        summary: 'Readiness: the database is reachable',
        security: [],
        responses: {
          '200': { description: 'Ready.', content: { 'application/json': { schema: ref('Health') } } },
          '503': {
            description: 'The database is unreachable.',
            headers: retryAfter,
            content: { 'application/json': { schema: ref('Health') } },
          },
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openApi',
        tags: ['service'],
        summary: 'This document',
        security: [],
        responses: { '200': { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
    ...emailPaths,
    ...sessionPaths,
  },
  components: {
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'opaque, pgw_ + 43 base64url characters',
        description: 'A session token from /signup or /login. A bare token without the scheme is accepted too.',
      },
    },
    schemas: {
      User: {
        type: 'object',
        description: 'A user. An unset optional field is absent, never null.',
        required: ['id', 'status', 'name', 'activeSessions', 'createdAt', 'updatedAt'],
        additionalProperties: false,
        properties: userFields,
      },
      MergePatch: {
        type: 'object',
        description: 'JSON Merge Patch of the writable fields: absent = unchanged, null = clear. `name` cannot be cleared.',
        additionalProperties: false,
        properties: {
          name: userFields.name,
          bio: { type: ['string', 'null'], maxLength: 1000, description: userFields.bio.description },
          avatarUrl: { type: ['string', 'null'], maxLength: 2048, description: userFields.avatarUrl.description },
          locale: { type: ['string', 'null'], description: 'A BCP 47 tag; stored canonical (en-gb → en-GB).' },
          timezone: { type: ['string', 'null'], description: 'An IANA time zone; stored canonical (US/Pacific → America/Los_Angeles).' },
        },
      },
      SignUpRequest: {
        type: 'object',
        required: ['email', 'password', 'name'],
        additionalProperties: false,
        properties: {
          email: { type: 'string', format: 'email', description: 'Becomes the default email; compared case-insensitively.' },
          password: { type: 'string', minLength: 8, maxLength: 256 },
          name: userFields.name,
          phoneNumber: { type: ['string', 'null'], description: 'International, normalised to E.164 (+1 415 555 2671 → +14155552671).' },
        },
      },
      LoginRequest: {
        type: 'object',
        required: ['email', 'password'],
        additionalProperties: false,
        properties: { email: { type: 'string' }, password: { type: 'string' } },
      },
      AuthResponse: {
        type: 'object',
        required: ['token', 'expiresAt', 'user'],
        additionalProperties: false,
        properties: {
          token: { type: 'string', pattern: '^pgw_[A-Za-z0-9_-]{43}$', description: 'Send as `Authorization: Bearer <token>`.' },
          expiresAt: { type: 'string', format: 'date-time', description: 'When the session ends at the latest.' },
          user: ref('User'),
        },
      },
      FieldError: {
        type: 'object',
        required: ['field', 'message'],
        additionalProperties: false,
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
      Problem: {
        type: 'object',
        description: 'RFC 9457 problem details.',
        required: ['type', 'title', 'status', 'detail', 'code'],
        additionalProperties: false,
        properties: {
          type: { type: 'string', format: 'uri' },
          title: { type: 'string' },
          status: { type: 'integer', minimum: 400, maximum: 599 },
          detail: { type: 'string' },
          code: { type: 'string', enum: Object.keys(STATUS_BY_CODE), description: 'The GraphQL `extensions.code` for the same error.' },
          errors: { type: 'array', items: ref('FieldError'), description: 'Validation failures, one per field.' },
          reason: { type: 'string', enum: ['ACCOUNT_SUSPENDED'], description: 'Why a 403 was refused, as GraphQL’s `extensions.reason`.' },
          requestId: { type: 'string', description: 'For a 5xx: quote it when reporting the problem.' },
        },
      },
      Health: {
        type: 'object',
        required: ['status'],
        properties: { status: { type: 'string', enum: ['ok', 'unavailable'] }, reason: { type: 'string' } },
      },
      ...emailSchemas,
      ...sessionSchemas,
    },
    responses: {
      BadRequest: problemResponse('Malformed JSON, or a body that is not a JSON object.'),
      Unauthorized: problemResponse('No token, or a token whose session has ended (or wrong credentials on /login).', {
        'WWW-Authenticate': { description: '`Bearer`, with `error="invalid_token"` when a token was sent.', required: true, schema: { type: 'string' } },
      }),
      Forbidden: problemResponse('Refused; `reason` says why (`ACCOUNT_SUSPENDED`: the account is suspended).'),
      NotFound: problemResponse('No such path, or an id that is not one of the caller’s (whether or not it exists).'),
      MethodNotAllowed: problemResponse('The path does not support this method.', {
        Allow: { description: 'The methods the path supports.', required: true, schema: { type: 'string' } },
      }),
      Conflict: problemResponse('The email address already belongs to an account.'),
      PreconditionFailed: problemResponse('If-Match did not match the current ETag; nothing was written.'),
      PayloadTooLarge: problemResponse(`The body is over ${REST_BODY_LIMIT / 1024} KB.`),
      UnsupportedMediaType: problemResponse('The body is not application/json (or application/merge-patch+json for PATCH).'),
      ValidationFailed: problemResponse('Validation failed; `errors` names each field. Nothing was written.'),
      TooManyRequests: problemResponse('Rate limited.', retryAfter),
      ServiceUnavailable: problemResponse('The database is unreachable.', retryAfter),
      InternalError: problemResponse('An unexpected error; its details are logged under `requestId`.'),
    },
  },
};
