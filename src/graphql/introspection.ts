/**
 * What /graphql says where a person or a tool expects more than it gets in production: a refusal
 * of introspection that names the setting an operator changes (Apollo's own tells the client to
 * "pass introspection: true to ApolloServer"), and, for a browser opening /graphql where there is
 * no Sandbox, a JSON answer that says so (instead of Apollo's CSRF refusal).
 */
import { ApolloServerValidationErrorCode } from '@apollo/server/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, type ValidationRule } from 'graphql';
import Negotiator from 'negotiator';

export const INTROSPECTION_OFF_MESSAGE =
  'GraphQL introspection is off on this server (as in production by default); its operator can turn it on with GRAPHQL_INTROSPECTION=true.';

/** Used instead of Apollo's `introspection: false`: the same check, our message. */
export const noIntrospectionRule: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === '__schema' || node.name.value === '__type') {
      context.reportError(
        new GraphQLError(INTROSPECTION_OFF_MESSAGE, {
          nodes: [node],
          extensions: { validationErrorCode: ApolloServerValidationErrorCode.INTROSPECTION_DISABLED },
        }),
      );
    }
  },
});

/** Apollo's media types, in its order: the request prefers HTML exactly when Apollo would serve its landing page. */
const MEDIA_TYPES = [
  'application/json; charset=utf-8',
  'application/graphql-response+json; charset=utf-8',
  'multipart/mixed; deferSpec=20220824',
  'multipart/mixed; incrementalSpec=v0.2',
  'multipart/mixed',
  'text/html',
];

export function prefersHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return request.method === 'GET' && Boolean(accept) && new Negotiator({ headers: { accept } }).mediaType(MEDIA_TYPES) === 'text/html';
}

export const NO_SANDBOX_MESSAGE =
  'This is the GraphQL endpoint of profile-gateway. Apollo Sandbox is off in production, so there is no page to show here: ' +
  'send GraphQL requests as POST with Content-Type: application/json (the README has curl examples), or open Sandbox on a development server.';

/**
 * Wraps the /graphql handler in production: a browser's GET (it prefers HTML) gets a 406 in
 * GraphQL's error shape saying Sandbox is off; every other request goes to Apollo as before.
 */
export function withNoSandboxAnswer<H extends (this: never, request: never, reply: never) => unknown>(handler: H): H {
  const call = handler as unknown as (this: unknown, request: FastifyRequest, reply: FastifyReply) => unknown;
  return function graphql(this: unknown, request: FastifyRequest, reply: FastifyReply) {
    if (!prefersHtml(request)) return call.call(this, request, reply);
    return reply
      .code(406)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify({ errors: [{ message: NO_SANDBOX_MESSAGE, extensions: { code: 'NOT_ACCEPTABLE' } }] }));
  } as unknown as H;
}
