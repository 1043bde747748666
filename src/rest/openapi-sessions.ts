/**
 * The OpenAPI paths and schemas of the caller's sessions and of password change; openapi.ts
 * merges them into the one document.
 */
import { bearer, common, json, noStore, password, ref, response, withBody } from './openapi-parts.js';

export const sessionPaths = {
  '/me/sessions': {
    get: {
      operationId: 'listSessions',
      tags: ['sessions'],
      summary: 'The caller’s live sessions: the calling one first, then the most recently used',
      description: '`lastSeenAt` may lag by up to five minutes.',
      security: bearer,
      responses: {
        '200': { description: 'The live sessions.', headers: noStore, content: json(ref('SessionList')) },
        '401': response('Unauthorized'),
        ...common,
      },
    },
  },
  '/me/sessions/{id}': {
    delete: {
      operationId: 'revokeSession',
      tags: ['sessions'],
      summary: 'End one of the caller’s live sessions (the calling one included)',
      description: 'Its token gets 401 from the very next request on, on every instance.',
      security: bearer,
      parameters: [
        {
          name: 'id',
          in: 'path',
          required: true,
          description: 'The id of one of the caller’s live sessions. Any other id (another user’s, ended, unknown, malformed) is a 404.',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '204': { description: 'Ended. No body.', headers: noStore },
        '401': response('Unauthorized'),
        '404': response('NotFound'),
        ...withBody,
        ...common,
      },
    },
  },
  '/me/sessions/revoke-others': {
    post: {
      operationId: 'revokeOtherSessions',
      tags: ['sessions'],
      summary: 'End every live session of the caller but the calling one',
      description: 'Takes no body. Their tokens get 401 from the very next request on, on every instance.',
      security: bearer,
      responses: {
        '200': { description: 'How many sessions ended.', headers: noStore, content: json(ref('RevokedSessions')) },
        '401': response('Unauthorized'),
        ...withBody,
        ...common,
      },
    },
  },
  '/me/password': {
    post: {
      operationId: 'changePassword',
      tags: ['passwords'],
      summary: 'Change the caller’s password, given the current one',
      description:
        'Every other session of the user ends; the calling one stays. A wrong current password is a 422 on `currentPassword` (nothing changes, no session ends); the new one follows the sign-up rules. Rate limited as /login: per client IP and per account.',
      security: bearer,
      requestBody: { required: true, content: json(ref('ChangePasswordRequest')) },
      responses: {
        '204': { description: 'Changed. No body.', headers: noStore },
        '401': response('Unauthorized'),
        '422': response('ValidationFailed'),
        ...withBody,
        ...common,
      },
    },
  },
};

export const sessionSchemas = {
  Session: {
    type: 'object',
    description: 'A live session of the user: one login, and the token it issued. `userAgent` is absent when the client sent none.',
    required: ['id', 'current', 'createdAt', 'lastSeenAt', 'expiresAt'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', format: 'uuid' },
      current: { type: 'boolean', description: 'Whether this is the session of the request’s own token.' },
      createdAt: { type: 'string', format: 'date-time', description: 'When it began (the login).' },
      lastSeenAt: { type: 'string', format: 'date-time', description: 'When it was last used; may lag by up to five minutes.' },
      expiresAt: { type: 'string', format: 'date-time', description: 'When it ends unless revoked before.' },
      userAgent: { type: 'string', maxLength: 512, description: 'The User-Agent of the client that logged in.' },
    },
  },
  SessionList: {
    type: 'object',
    required: ['sessions'],
    additionalProperties: false,
    properties: { sessions: { type: 'array', items: ref('Session'), description: 'The calling session first, then by lastSeenAt, latest first.' } },
  },
  RevokedSessions: {
    type: 'object',
    required: ['revoked'],
    additionalProperties: false,
    properties: { revoked: { type: 'integer', minimum: 0, description: 'How many sessions ended.' } },
  },
  ChangePasswordRequest: {
    type: 'object',
    required: ['currentPassword', 'newPassword'],
    additionalProperties: false,
    properties: { currentPassword: { type: 'string' }, newPassword: password },
  },
};
