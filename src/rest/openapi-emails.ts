/**
 * The OpenAPI paths, schemas and responses of the email and password-reset routes and of the
 * pages their links open; openapi.ts merges them into the one document.
 */
import { bearer, common, json, noStore, password, ref, response, withBody } from './openapi-parts.js';

const emailId = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The id of one of the caller’s addresses. Any other id (another user’s, unknown, malformed) is a 404.',
  schema: { type: 'string' },
};
const seeOther = (page: string) => ({
  description: `From the HTML form: back to the page with the outcome (\`${page}?outcome=…\`). No body.`,
  headers: { Location: { description: 'The page, with the outcome in its query.', required: true, schema: { type: 'string' } } },
});
const htmlPage = (description: string) => ({
  description,
  headers: {
    'Content-Security-Policy': {
      description: "Nothing but the page's own inline style, and its form posting to this origin (`form-action 'self'`).",
      required: true,
      schema: { type: 'string' },
    },
  },
  content: { 'text/html': { schema: { type: 'string' } } },
});
const pageParameters = (outcomes: string[]) => [
  { name: 'token', in: 'query', required: false, description: 'The token from the link in the message.', schema: { type: 'string' } },
  { name: 'outcome', in: 'query', required: false, description: 'What the form post did (set by its 303).', schema: { type: 'string', enum: outcomes } },
];
const token = { type: 'string', description: 'The token from the link in the message (`pgv_…` to verify, `pgr_…` to reset a password).' };

export const emailTags = [
  { name: 'emails', description: 'The caller’s email addresses, and verifying one by the link sent to it.' },
  { name: 'passwords', description: 'Resetting a forgotten password by a link sent by email.' },
];

export const emailPaths = {
  '/me/emails': {
    get: {
      operationId: 'listEmails',
      tags: ['emails'],
      summary: 'The caller’s addresses: the default first, then by when they were added',
      security: bearer,
      responses: {
        '200': { description: 'The addresses.', headers: noStore, content: json(ref('EmailList')) },
        '401': response('Unauthorized'),
        ...common,
      },
    },
    post: {
      operationId: 'addEmail',
      tags: ['emails'],
      summary: 'Add an unverified address and send it a verification message',
      description:
        'Stored as given (trimmed). An address belongs to one account at most, compared case-insensitively: taken by any account (this one included) is a 409. Over `EMAILS_PER_USER` addresses is a 422. At most 3 verification messages an hour go to one address: a 4th is a 429.',
      security: bearer,
      requestBody: { required: true, content: json(ref('AddEmailRequest')) },
      responses: {
        '201': {
          description: 'Added; a verification message is on its way.',
          headers: { ...noStore, Location: { description: '`/me/emails/{id}`.', required: true, schema: { type: 'string' } } },
          content: json(ref('Email')),
        },
        '401': response('Unauthorized'),
        '409': response('Conflict'),
        '422': response('ValidationFailed'),
        ...withBody,
        ...common,
      },
    },
  },
  '/me/emails/{id}': {
    get: {
      operationId: 'getEmail',
      tags: ['emails'],
      summary: 'One of the caller’s addresses',
      security: bearer,
      parameters: [emailId],
      responses: {
        '200': { description: 'The address.', headers: noStore, content: json(ref('Email')) },
        '401': response('Unauthorized'),
        '404': response('NotFound'),
        ...common,
      },
    },
    delete: {
      operationId: 'removeEmail',
      tags: ['emails'],
      summary: 'Remove one of the caller’s addresses (not the default)',
      security: bearer,
      parameters: [emailId],
      responses: {
        '204': { description: 'Removed. No body.', headers: noStore },
        '401': response('Unauthorized'),
        '404': response('NotFound'),
        '422': response('ValidationFailed'),
        ...withBody,
        ...common,
      },
    },
  },
  '/me/emails/{id}/default': {
    put: {
      operationId: 'setDefaultEmail',
      tags: ['emails'],
      summary: 'Make a verified address the default (the one logIn and defaultEmail use)',
      description: 'An unverified address is a 422. A `pending` account becomes `active`.',
      security: bearer,
      parameters: [emailId],
      responses: {
        '200': {
          description: 'The user, as GET /me shows it now.',
          headers: { ...noStore, ETag: { description: 'Strong entity tag of the user representation.', required: true, schema: { type: 'string' } } },
          content: json(ref('User')),
        },
        '401': response('Unauthorized'),
        '404': response('NotFound'),
        '422': response('ValidationFailed'),
        ...withBody,
        ...common,
      },
    },
  },
  '/me/emails/{id}/verification': {
    post: {
      operationId: 'sendEmailVerification',
      tags: ['emails'],
      summary: 'Send a new verification message to an unverified address',
      description: 'The previous link stops working. At most 3 messages an hour go to one address (the first one included); then 429 with Retry-After. An address already verified is a 422.',
      security: bearer,
      parameters: [emailId],
      responses: {
        '202': { description: 'A message is on its way. No body.', headers: noStore },
        '401': response('Unauthorized'),
        '404': response('NotFound'),
        '422': response('ValidationFailed'),
        ...withBody,
        ...common,
      },
    },
  },
  '/verify-email': {
    get: {
      operationId: 'verifyEmailPage',
      tags: ['emails'],
      summary: 'The page a verification link opens: one button that posts the token',
      description: 'Changes nothing by itself (a link scanner that only fetches verifies nothing). Works without JavaScript.',
      security: [],
      parameters: pageParameters(['verified', 'invalid', 'rate-limited']),
      responses: { '200': htmlPage('The page.'), ...common },
    },
    post: {
      operationId: 'verifyEmail',
      tags: ['emails'],
      summary: 'Verify the address a token was sent to (no Authorization needed)',
      description:
        'An unknown, used, voided or expired token, or a token of another kind, is a 422 with one generic message. Verifying the default address of a `pending` account makes it `active`.',
      security: [],
      requestBody: { required: true, content: { ...json(ref('VerifyEmailRequest')), 'application/x-www-form-urlencoded': { schema: ref('VerifyEmailRequest') } } },
      responses: {
        '200': { description: 'Verified (JSON): the address.', headers: noStore, content: json(ref('Email')) },
        '303': seeOther('/verify-email'),
        '422': response('ValidationFailed'),
        ...withBody,
        ...common,
      },
    },
  },
  '/password-reset': {
    get: {
      operationId: 'passwordResetPage',
      tags: ['passwords'],
      summary: 'The page a reset link opens: the new password twice, posted with the token',
      description: 'Posts to /password-reset/confirm. Works without JavaScript.',
      security: [],
      parameters: pageParameters(['done', 'invalid', 'rate-limited', 'mismatch', 'weak']),
      responses: { '200': htmlPage('The page.'), ...common },
    },
    post: {
      operationId: 'requestPasswordReset',
      tags: ['passwords'],
      summary: 'Send a reset link to an address',
      description:
        'Answers 202 alike, in content and time, whether or not the address is known. A message goes only to the default or a verified address of a live account, at most 3 an hour. Rate limited as /login: per address and per client IP.',
      security: [],
      requestBody: { required: true, content: json(ref('PasswordResetRequest')) },
      responses: {
        '202': { description: 'Accepted. No body.', headers: noStore },
        '422': response('ValidationFailed'),
        ...withBody,
        ...common,
      },
    },
  },
  '/password-reset/confirm': {
    post: {
      operationId: 'resetPassword',
      tags: ['passwords'],
      summary: 'Set a new password with the token of a reset link',
      description:
        'Every session of the user ends; the address the link went to counts as verified (a `pending` account whose default it is becomes `active`). A bad token is a 422 with one generic message. Rate limited per client IP.',
      security: [],
      requestBody: {
        required: true,
        content: { ...json(ref('ResetPasswordRequest')), 'application/x-www-form-urlencoded': { schema: ref('ResetPasswordForm') } },
      },
      responses: {
        '204': { description: 'Password set (JSON). No body.', headers: noStore },
        '303': seeOther('/password-reset'),
        '422': response('ValidationFailed'),
        ...withBody,
        ...common,
      },
    },
  },
};

export const emailSchemas = {
  Email: {
    type: 'object',
    description: 'One of the user’s email addresses. `verifiedAt` is absent while it is not verified.',
    required: ['id', 'address', 'verified', 'isDefault', 'createdAt'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', format: 'uuid' },
      address: { type: 'string', maxLength: 254, description: 'As the user gave it (trimmed); `local@domain`, the domain may be a single label such as `localhost`.' },
      verified: { type: 'boolean' },
      isDefault: { type: 'boolean' },
      createdAt: { type: 'string', format: 'date-time' },
      verifiedAt: { type: 'string', format: 'date-time' },
    },
  },
  EmailList: {
    type: 'object',
    required: ['emails'],
    additionalProperties: false,
    properties: { emails: { type: 'array', items: ref('Email'), description: 'The default first, then by createdAt.' } },
  },
  AddEmailRequest: {
    type: 'object',
    required: ['address'],
    additionalProperties: false,
    properties: { address: { type: 'string', format: 'email', maxLength: 254 } },
  },
  VerifyEmailRequest: { type: 'object', required: ['token'], additionalProperties: false, properties: { token } },
  PasswordResetRequest: { type: 'object', required: ['email'], additionalProperties: false, properties: { email: { type: 'string', format: 'email' } } },
  ResetPasswordRequest: {
    type: 'object',
    required: ['token', 'newPassword'],
    additionalProperties: false,
    properties: { token, newPassword: password },
  },
  ResetPasswordForm: {
    type: 'object',
    required: ['token', 'newPassword', 'confirmPassword'],
    additionalProperties: false,
    properties: { token, newPassword: password, confirmPassword: { ...password, description: 'The same as newPassword.' } },
  },
};
