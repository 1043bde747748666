/**
 * Rate limits for both transports, with @fastify/rate-limit:
 * - every request, per token or else per client IP (RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW);
 *   a token that finds no session counts against its IP as well, and a token not yet seen to
 *   authenticate is refused once its IP has no budget left, so made-up tokens (each with a fresh
 *   budget of its own) cannot buy unlimited database lookups;
 * - logIn/signUp attempts, REST and GraphQL together, per client IP (RATE_LIMIT_AUTH_PER_IP) and
 *   per email (RATE_LIMIT_AUTH_PER_EMAIL) per RATE_LIMIT_AUTH_WINDOW. The email comes from the
 *   REST body, or from the GraphQL arguments or variables.
 * Over a limit: 429 with Retry-After and the draft IETF RateLimit-* headers; a problem+json with
 * code RATE_LIMITED on REST, `{ errors: [{ extensions: { code: 'RATE_LIMITED' } }] }` on GraphQL.
 * Counters live in Redis when REDIS_URL is set (one budget across instances), in memory otherwise.
 * If Redis is down, requests are served unlimited (and it is logged) rather than refused.
 */
import { createHash } from 'node:crypto';
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  getOperationAST,
  Kind,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { RateLimitedError } from '../domain/errors.js';
import { documentOf } from '../graphql/limits.js';
import { HttpProblem } from '../rest/problem.js';
import { bearerOf } from './bearer.js';

const HEALTH_ROUTES = new Set(['/healthz', '/readyz']);
const AUTH_FIELDS = new Set(['logIn', 'signUp']);
/** How many tokens this instance remembers as having authenticated. */
const KNOWN_TOKENS = 50_000;
/** How many counters an instance keeps without Redis (least recently used dropped first). */
const MEMORY_COUNTERS = 50_000;

/** A short, one-way key: neither tokens nor emails are ever written to the counter store. */
const digest = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 22);

/** Tokens seen authenticating here, least recently seen dropped first. Only picks a budget. */
class KnownTokens {
  private readonly seen = new Map<string, true>();
  has(key: string): boolean {
    return this.seen.has(key);
  }
  delete(key: string): void {
    this.seen.delete(key);
  }
  add(key: string): void {
    this.seen.delete(key);
    this.seen.set(key, true);
    if (this.seen.size > KNOWN_TOKENS) this.seen.delete(this.seen.keys().next().value!);
  }
}

export async function registerRateLimits(app: FastifyInstance, config: Config): Promise<void> {
  const limits = config.rateLimits;
  const redis = config.redisUrl ? await connectRedis(app, config.redisUrl) : undefined;
  const clientIp = (request: FastifyRequest) => normalizeIP(request.ip);
  const known = new KnownTokens();

  // The limits are applied by hand, in the first hooks of every request: a route's own hooks
  // (REST's authentication, a database lookup) would otherwise run first.
  await app.register(fastifyRateLimit, {
    global: false,
    skipOnError: true,
    cache: MEMORY_COUNTERS,
    ...(redis ? { redis, nameSpace: config.redisKeyPrefix } : {}),
  });

  /** One store per kind of budget; each check names its key. */
  const keys = new WeakMap<FastifyRequest, string>();
  const budget = (max: number, timeWindow: number) => {
    const check = app.createRateLimit({ max, timeWindow, keyGenerator: (request) => keys.get(request)! });
    return (request: FastifyRequest, key: string, increment = true) => {
      keys.set(request, key);
      return check(request, { increment });
    };
  };
  const requests = budget(limits.requests, limits.requestsWindowMs);
  const authPerIp = budget(limits.authPerIp, limits.authWindowMs);
  const authPerEmail = budget(limits.authPerEmail, limits.authWindowMs);
  const ipKey = (request: FastifyRequest) => `req:ip:${clientIp(request)}`;

  app.addHook('onRequest', async (request, reply) => {
    // Load balancers and orchestrators probe these; they cost nothing.
    if (HEALTH_ROUTES.has(request.routeOptions.url ?? '')) return;
    const token = bearerOf(request)?.key;
    // A token not yet seen to authenticate is worth a database lookup only while its IP has
    // budget left: made-up tokens (each of which would have a fresh budget) count against it.
    if (token && !known.has(token)) {
      const ip = await requests(request, ipKey(request), false);
      if (!ip.isAllowed && ip.remaining <= 0 && ip.ttl > 0) {
        setRateLimitHeaders(reply, ip.max, 0, ip.ttl);
        throw tooMany(ip.ttl);
      }
    }
    const own = await requests(request, token ? `req:token:${token}` : ipKey(request));
    if (own.isAllowed) return;
    setRateLimitHeaders(reply, own.max, own.remaining, own.ttl);
    if (own.isExceeded) throw tooMany(own.ttl);
  });

  // Authentication (REST's hook, GraphQL's context) records on the bearer whether it found a session.
  app.addHook('onResponse', async (request) => {
    const bearer = bearerOf(request);
    if (bearer?.authenticated === true) known.add(bearer.key);
    if (bearer?.authenticated === false) {
      known.delete(bearer.key);
      await requests(request, ipKey(request));
    }
  });

  app.addHook('preHandler', async (request, reply) => {
    const attempt = authAttemptOf(request, config.graphqlLimits.maxTokens);
    if (!attempt) return;
    const checks = [await authPerIp(request, `auth:ip:${clientIp(request)}`)];
    if (attempt.email !== null) {
      checks.push(await authPerEmail(request, `auth:email:${digest(attempt.email)}`));
    }
    const counted = checks.filter((c): c is Extract<(typeof checks)[number], { isAllowed: false }> => !c.isAllowed);
    if (counted.length === 0) return;
    const exceeded = counted.filter((c) => c.isExceeded);
    const tightest = exceeded.length > 0
      ? exceeded.reduce((a, b) => (a.ttl >= b.ttl ? a : b))
      : counted.reduce((a, b) => (a.remaining <= b.remaining ? a : b));
    setRateLimitHeaders(reply, tightest.max, tightest.remaining, tightest.ttl);
    if (exceeded.length > 0) throw tooMany(tightest.ttl);
  });
}

function tooMany(ttlMs: number): RateLimitedError {
  const error = new RateLimitedError(Math.max(1, Math.ceil(ttlMs / 1000)));
  // For Fastify's own error handler, should a route without ours ever be limited.
  return Object.assign(error, { statusCode: 429 });
}

/** The draft IETF names, as @fastify/rate-limit's `enableDraftSpec` sends them. */
function setRateLimitHeaders(reply: FastifyReply, max: number, remaining: number, ttlMs: number): void {
  reply.header('ratelimit-limit', max).header('ratelimit-remaining', remaining).header('ratelimit-reset', Math.max(0, Math.ceil(ttlMs / 1000)));
}

async function connectRedis(app: FastifyInstance, url: string): Promise<Redis> {
  // Loaded only when configured: ~3 MB of RSS an instance without Redis need not carry.
  const { Redis } = await import('ioredis');
  // Fail fast rather than queue: a request never waits for Redis to come back.
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 1_000 });
  let healthy = true;
  redis.on('error', (error: Error) => {
    if (!healthy) return;
    healthy = false;
    app.log.warn({ err: error }, 'Redis for rate limits unreachable: requests are served without rate limits until it is back');
  });
  redis.on('ready', () => {
    if (!healthy) app.log.info('Redis for rate limits is back');
    healthy = true;
  });
  try {
    await redis.connect();
  } catch {
    // Logged by the error handler; ioredis keeps reconnecting.
  }
  app.addHook('onClose', async () => {
    redis.disconnect();
  });
  return redis;
}

interface AuthAttempt {
  /** As the client sent it, trimmed and lower-cased; null when there is none to key on. */
  email: string | null;
}

/** A logIn or signUp this request makes, if any: POST /login, POST /signup, or in a GraphQL document. */
function authAttemptOf(request: FastifyRequest, maxTokens: number): AuthAttempt | null {
  const url = request.routeOptions.url;
  if (request.method === 'POST' && (url === '/login' || url === '/signup')) {
    const body = request.body as { email?: unknown } | undefined;
    return { email: emailKeyOf(typeof body === 'object' && body !== null ? body.email : undefined) };
  }
  if (url !== '/graphql') return null;
  const query = documentOf(request);
  // A field's name cannot be escaped in GraphQL: a document without these words calls neither.
  if (typeof query !== 'string' || !/logIn|signUp/.test(query)) return null;
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens, noLocation: true });
  } catch {
    return null; // Apollo refuses it the same way (same parser, same limit): nothing runs.
  }
  const source = (request.method === 'GET' ? request.query : request.body) as { operationName?: unknown; variables?: unknown };
  const operation = getOperationAST(document, typeof source.operationName === 'string' ? source.operationName : undefined);
  if (!operation || operation.operation !== 'mutation') return null;
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const variables = variablesOf(source.variables);
  const found: (string | null)[] = [];
  const visited = new Set<string>();
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!AUTH_FIELDS.has(selection.name.value)) continue;
        const argument = (name: string) => selection.arguments?.find((a) => a.name.value === name)?.value;
        found.push(
          selection.name.value === 'logIn'
            ? emailKeyOf(valueOf(argument('email'), variables))
            : emailKeyOf(fieldOf(argument('input'), 'email', variables)),
        );
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
  if (found.length === 0) return null;
  // Aliases would otherwise make one request many password guesses under one count.
  if (found.length > 1) throw new HttpProblem('BAD_REQUEST', 'A request may call logIn or signUp once; this one calls them ' + found.length + ' times.');
  return { email: found[0]! };
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

function emailKeyOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim().toLowerCase();
  return email === '' ? null : email.slice(0, 320);
}
