/**
 * Rate limits for both transports, with @fastify/rate-limit:
 * - every request, per token or else per client IP (RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW);
 *   a token that finds no session counts against its IP as well, and a token not yet seen to
 *   authenticate is refused once its IP has no budget left, so made-up tokens (each with a fresh
 *   budget of its own) cannot buy unlimited database lookups;
 * - logIn/signUp attempts, REST and GraphQL together, per client IP (RATE_LIMIT_AUTH_PER_IP) and
 *   per email (RATE_LIMIT_AUTH_PER_EMAIL) per RATE_LIMIT_AUTH_WINDOW. Each transport finds the
 *   attempt in its own requests (the REST body; the GraphQL arguments or variables) and asks
 *   `checkAuthAttempt` before anything runs. A changePassword attempt (a guess at the current
 *   password) counts against the client IP there too, and against its account (the per-email
 *   limit, on a budget of its own) through `checkAccountAttempt` once the caller is known.
 * Over a limit: 429 with Retry-After and the draft IETF RateLimit-* headers; a problem+json with
 * code RATE_LIMITED on REST, `{ errors: [{ extensions: { code: 'RATE_LIMITED' } }] }` on GraphQL.
 * Counters live in Redis when REDIS_URL is set (one budget across instances), in memory otherwise.
 * If Redis is down, requests are served unlimited (and it is logged) rather than refused.
 */
import { createHash } from 'node:crypto';
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { RateLimitedError } from '../domain/errors.js';
import { authenticated } from './auth.js';
import { bearerOf } from './bearer.js';

const HEALTH_ROUTES = new Set(['/healthz', '/readyz']);
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

export interface RateLimits {
  /**
   * Counts a logIn/signUp attempt of this request against its IP's and its email's budgets
   * (`email` as the client sent it; null when it sent none), and throws RATE_LIMITED over either.
   */
  checkAuthAttempt(request: FastifyRequest, reply: FastifyReply, email: unknown): Promise<void>;
  /**
   * Counts an attempt at an account's password by a signed-in caller (changePassword) against
   * that account's budget (RATE_LIMIT_AUTH_PER_EMAIL), and throws RATE_LIMITED over it.
   */
  checkAccountAttempt(request: FastifyRequest, reply: FastifyReply, userId: string): Promise<void>;
}

export async function registerRateLimits(app: FastifyInstance, config: Config): Promise<RateLimits> {
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

  // Authentication (http/auth.ts) recorded whether the token found a session.
  app.addHook('onResponse', async (request) => {
    const outcome = authenticated(request);
    if (outcome === undefined) return;
    const key = bearerOf(request)!.key;
    if (outcome) {
      known.add(key);
    } else {
      known.delete(key);
      await requests(request, ipKey(request));
    }
  });

  const checkAuthAttempt = async (request: FastifyRequest, reply: FastifyReply, emailInput: unknown): Promise<void> => {
    const email = emailKeyOf(emailInput);
    const checks = [await authPerIp(request, `auth:ip:${clientIp(request)}`)];
    if (email !== null) {
      checks.push(await authPerEmail(request, `auth:email:${digest(email)}`));
    }
    refuseOver(reply, checks);
  };
  const checkAccountAttempt = async (request: FastifyRequest, reply: FastifyReply, userId: string): Promise<void> => {
    refuseOver(reply, [await authPerEmail(request, `auth:account:${digest(userId)}`)]);
  };
  return { checkAuthAttempt, checkAccountAttempt };
}

type Check = Awaited<ReturnType<ReturnType<FastifyInstance['createRateLimit']>>>;

/** Sets the RateLimit headers of the tightest of `checks`, and throws RATE_LIMITED when one is exceeded. */
function refuseOver(reply: FastifyReply, checks: Check[]): void {
  const counted = checks.filter((c): c is Extract<Check, { isAllowed: false }> => !c.isAllowed);
  if (counted.length === 0) return;
  const exceeded = counted.filter((c) => c.isExceeded);
  const tightest = exceeded.length > 0
    ? exceeded.reduce((a, b) => (a.ttl >= b.ttl ? a : b))
    : counted.reduce((a, b) => (a.remaining <= b.remaining ? a : b));
  setRateLimitHeaders(reply, tightest.max, tightest.remaining, tightest.ttl);
  if (exceeded.length > 0) throw tooMany(tightest.ttl);
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

/** An email as the client sent it, trimmed and lower-cased: the key of its budget. */
function emailKeyOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim().toLowerCase();
  return email === '' ? null : email.slice(0, 320);
}
