/**
 * logIn, signUp, requestPasswordReset, resetPassword and changePassword in a GraphQL request,
 * found before it runs, so their attempts are counted (http/rate-limit.ts) whatever the document
 * looks like: aliases, fragments, variables, GET. (changePassword's per-account count comes later,
 * in its resolver, once the caller is known.)
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  getOperationAST,
  Kind,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { HttpProblem } from '../http/errors.js';
import type { RateLimits } from '../http/rate-limit.js';
import { documentOf } from './limits.js';

const AUTH_FIELDS = new Set(['logIn', 'signUp', 'requestPasswordReset', 'resetPassword', 'changePassword']);

/** A preHandler for /graphql: any of AUTH_FIELDS in the request counts against the limits first. */
export function authAttemptCheck(limits: RateLimits, maxTokens: number) {
  return async function checkAuthAttempts(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const emails = authAttemptsOf(request, maxTokens);
    if (emails.length === 0) return;
    // Aliases would otherwise make one request many password guesses under one count.
    if (emails.length > 1) {
      throw new HttpProblem(
        'BAD_REQUEST',
        `A request may call logIn, signUp, requestPasswordReset, resetPassword or changePassword once; this one calls them ${emails.length} times.`,
      );
    }
    await limits.checkAuthAttempt(request, reply, emails[0]);
  };
}

/** The email of each of AUTH_FIELDS the request's operation would run (undefined where it has none: resetPassword, changePassword). */
function authAttemptsOf(request: FastifyRequest, maxTokens: number): unknown[] {
  const query = documentOf(request);
  // A field's name cannot be escaped in GraphQL: a document without these words calls neither.
  if (typeof query !== 'string' || !/logIn|signUp|requestPasswordReset|resetPassword|changePassword/.test(query)) return [];
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens, noLocation: true });
  } catch {
    return []; // Apollo refuses it the same way (same parser, same limit): nothing runs.
  }
  const source = (request.method === 'GET' ? request.query : request.body) as { operationName?: unknown; variables?: unknown };
  const operation = getOperationAST(document, typeof source.operationName === 'string' ? source.operationName : undefined);
  if (!operation || operation.operation !== 'mutation') return [];
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const variables = variablesOf(source.variables);
  const found: unknown[] = [];
  const visited = new Set<string>();
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!AUTH_FIELDS.has(selection.name.value)) continue;
        const argument = (name: string) => selection.arguments?.find((a) => a.name.value === name)?.value;
        const name = selection.name.value;
        found.push(name === 'signUp' ? fieldOf(argument('input'), 'email', variables) : valueOf(argument('email'), variables));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet);
      }
    }
  };
  collect(operation.selectionSet);
  return found;
}

function variablesOf(raw: unknown): Record<string, unknown> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function valueOf(node: ValueNode | undefined, variables: Record<string, unknown>): unknown {
  if (!node) return undefined;
  if (node.kind === Kind.STRING) return node.value;
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  return undefined;
}

/** `input: { email: … }` as a literal object, or `input: $input` from the variables. */
function fieldOf(node: ValueNode | undefined, field: string, variables: Record<string, unknown>): unknown {
  if (!node) return undefined;
  if (node.kind === Kind.OBJECT) return valueOf(node.fields.find((f) => f.name.value === field)?.value, variables);
  if (node.kind === Kind.VARIABLE) {
    const value = variables[node.name.value];
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined;
  }
  return undefined;
}
