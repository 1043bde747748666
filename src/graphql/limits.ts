/**
 * GraphQL's limits (API.md: depth, aliases, tokens, document size, no batching), all checked before
 * any resolver runs and each answered with a 400 that says which limit and by how much:
 * - document size: a Fastify preValidation hook, before the document is parsed (and before the
 *   context, so before any database work);
 * - tokens: Apollo's `parseOptions.maxTokens`, which aborts graphql-js's parser;
 * - depth, aliases, directives: graphql-armor's validation rules;
 * - batched arrays: Apollo's default (`allowBatchedHttpRequests: false`).
 */
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { GraphQLLimits } from '../config.js';
import { HttpProblem } from '../http/errors.js';

/**
 * graphql-armor throws its refusal out of `validate()` by default, which Apollo turns into a 500;
 * reported on the context instead, it is an ordinary validation error (400). Its messages start
 * with a misleading "Syntax Error: ", dropped here.
 */
const reportOnContext = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) => {
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')));
    },
  ],
};

export function limitValidationRules(limits: GraphQLLimits): ValidationRule[] {
  return [
    // The introspection query Sandbox and codegen send nests `ofType` deeper than any real query:
    // `__schema` does not count. Fragments add no depth of their own: depth is nesting of fields.
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...reportOnContext }),
    maxAliasesRule({ n: limits.maxAliases, ...reportOnContext }),
    maxDirectivesRule({ n: limits.maxDirectives, ...reportOnContext }),
  ] as ValidationRule[];
}

/** The `query` of a GraphQL-over-HTTP request: the POST body's, or the GET query string's. */
export function documentOf(request: FastifyRequest): unknown {
  const source = request.method === 'GET' ? request.query : request.body;
  if (typeof source !== 'object' || source === null || Array.isArray(source)) return undefined;
  return (source as { query?: unknown }).query;
}

/**
 * A preValidation hook for /graphql: a document over the limit is refused before it is parsed.
 * Callback-style: synchronous work needs no promise.
 */
export function documentSizeCheck(limits: GraphQLLimits) {
  const max = limits.maxDocumentBytes;
  return function checkDocumentSize(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
    const query = documentOf(request);
    // UTF-8 takes at least one byte and at most three per UTF-16 unit: count only when it matters.
    if (typeof query !== 'string' || query.length * 3 <= max) return done();
    const bytes = Buffer.byteLength(query, 'utf8');
    done(bytes > max ? new HttpProblem('BAD_REQUEST', `The GraphQL document is ${bytes} bytes; the limit is ${max} bytes.`) : undefined);
  };
}
