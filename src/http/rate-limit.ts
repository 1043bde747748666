/**
 * Rate limits for both transports:
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
 *
 * A budget is a fixed window per key, from the key's first request. In memory (no REDIS_URL) each
 * instance counts alone, in a bounded map, synchronously: a check is a map lookup. With Redis the
 * budgets are shared, and a request still does not wait for Redis: each instance decides from its
 * own view (the cluster's count as last heard, plus what it has counted since) and sends what it
 * has counted to Redis in batches (every SYNC_INTERVAL_MS, and at once when a key has taken
 * BATCH_SHARE of its budget since it last did), each batch one round trip that brings back the
 * cluster's counts. So the cluster can exceed a budget by what the other instances took since
 * this one last heard: at most about BATCH_SHARE of it per other instance (at least one request),
 * plus what arrives during one round trip. logIn/signUp attempts, rare and worth counting exactly,
 * ask Redis each time. If Redis is down, requests are served unlimited (and it is logged) rather
 * than refused.
 */
import { hash } from 'node:crypto';
import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { RateLimitedError } from '../domain/errors.js';
import { authenticated } from './auth.js';
import { bearerOf } from './bearer.js';

const HEALTH_ROUTES = new Set(['/healthz', '/readyz']);
/** How many tokens this instance remembers as having authenticated. */
const KNOWN_TOKENS = 50_000;
/** How many keys a budget keeps a window for (the oldest dropped first beyond that). */
export const WINDOWS_PER_BUDGET = 50_000;
/** With Redis: the longest an instance keeps its counts to itself. */
export const SYNC_INTERVAL_MS = 100;
/** With Redis: a key that has taken this share of its budget here since its last report reports at once. */
export const BATCH_SHARE = 0.02;
/** Keys per Redis call when reporting. */
const KEYS_PER_CALL = 500;

/** A short, one-way key: neither tokens nor emails are ever written to the counter store. */
const digest = (value: string) => hash('sha256', value, 'base64url').slice(0, 22);

/** Tokens seen authenticating here (oldest dropped first). Only picks a budget. */
class KnownTokens {
  private readonly seen = new Set<string>();
  has(key: string): boolean {
    return this.seen.has(key);
  }
  delete(key: string): void {
    this.seen.delete(key);
  }
  add(key: string): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (this.seen.size > KNOWN_TOKENS) this.seen.delete(this.seen.values().next().value!);
  }
}

/** One key's current window in one budget. */
interface Window {
  /** When it ends (ms since the epoch). */
  resetAt: number;
  /** Requests counted in it: the cluster's count as last heard, plus this instance's since. */
  count: number;
  /** Counted here, not yet sent to Redis. */
  pending: number;
  /** In the list of windows to report. */
  listed: boolean;
}

/** What a check tells the client in the RateLimit-* headers. */
interface Verdict {
  max: number;
  count: number;
  resetAt: number;
}

/** Counts of a budget in Redis: one script adds a batch of counts and answers the totals. */
export interface SharedCounts {
  readonly available: boolean;
  /** Adds `counts[i]` to `keys[i]` (a window of `windowMs` from its first count); [total, ms left] per key. */
  add(keys: string[], counts: number[], windowMs: number): Promise<[number, number][]>;
  /** The key of `key` of `budget` in Redis. */
  keyOf(budget: string, key: string): string;
  close(): Promise<void>;
}

/**
 * A budget: `max` requests per `windowMs` for each key. Synchronous; with `shared`, its counts
 * reach Redis in batches (see the file's comment), and `takeExact` asks Redis each time.
 */
export class Budget {
  private readonly windows = new Map<string, Window>();
  private listed: [string, Window][] = [];
  private sending = false;
  private again = false;
  private scheduled = false;
  private readonly batch: number;

  constructor(
    readonly name: string,
    readonly max: number,
    readonly windowMs: number,
    private readonly shared?: SharedCounts,
  ) {
    this.batch = Math.max(1, Math.ceil(max * BATCH_SHARE));
  }

  /** Whether checks count at all: not while the shared store is down. */
  get counting(): boolean {
    return this.shared === undefined || this.shared.available;
  }

  /** Counts one request of `key`; its window after it. */
  take(key: string, now: number): Window {
    let window = this.windows.get(key);
    if (window === undefined || window.resetAt <= now) {
      if (window === undefined && this.windows.size >= WINDOWS_PER_BUDGET) this.windows.delete(this.windows.keys().next().value!);
      window = { resetAt: now + this.windowMs, count: 0, pending: 0, listed: false };
      this.windows.set(key, window);
    }
    window.count += 1;
    if (this.shared !== undefined) {
      window.pending += 1;
      if (!window.listed) {
        window.listed = true;
        this.listed.push([key, window]);
      }
      if (window.pending >= this.batch) this.reportSoon();
    }
    return window;
  }

  /** The count of `key` in its current window, without counting. */
  peek(key: string, now: number): Verdict {
    const window = this.windows.get(key);
    return window === undefined || window.resetAt <= now ? { max: this.max, count: 0, resetAt: now + this.windowMs } : { max: this.max, count: window.count, resetAt: window.resetAt };
  }

  /**
   * Counts one request of `key` where every count must be seen by every instance at once: in
   * Redis, awaited; null (not limited) when Redis cannot answer.
   */
  async takeExact(key: string, now: number): Promise<Verdict | null> {
    if (this.shared === undefined) {
      const window = this.take(key, now);
      return { max: this.max, count: window.count, resetAt: window.resetAt };
    }
    if (!this.shared.available) return null;
    try {
      const [[count, left]] = (await this.shared.add([this.shared.keyOf(this.name, key)], [1], this.windowMs)) as [[number, number]];
      return { max: this.max, count, resetAt: now + left };
    } catch {
      return null;
    }
  }

  reportSoon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.report();
    });
  }

  /** Sends what this instance has counted since its last report; learns the cluster's counts. */
  report(): void {
    const shared = this.shared;
    if (shared === undefined || this.listed.length === 0) return;
    if (this.sending) {
      this.again = true;
      return;
    }
    const listed = this.listed;
    this.listed = [];
    const keys: string[] = [];
    const counts: number[] = [];
    const windows: [Window, number][] = [];
    const now = Date.now();
    for (const [key, window] of listed) {
      window.listed = false;
      // A window over here is over in Redis too (give or take a few ms): its counts are moot.
      if (window.pending === 0 || window.resetAt <= now) continue;
      keys.push(shared.keyOf(this.name, key));
      counts.push(window.pending);
      windows.push([window, window.pending]);
      window.pending = 0;
    }
    if (keys.length === 0 || !shared.available) return;
    this.sending = true;
    const calls: Promise<void>[] = [];
    for (let start = 0; start < keys.length; start += KEYS_PER_CALL) {
      const end = Math.min(keys.length, start + KEYS_PER_CALL);
      calls.push(
        shared.add(keys.slice(start, end), counts.slice(start, end), this.windowMs).then(
          (totals) => {
            const heard = Date.now();
            for (let i = start; i < end; i++) {
              const [window] = windows[i]!;
              const [total, left] = totals[i - start]!;
              // Ours are in the total; what was counted here since the call is not yet.
              window.count = total + window.pending;
              window.resetAt = heard + left;
            }
          },
          // Not shared this time; each instance still counts its own (and Redis's 'error' is logged).
          () => undefined,
        ),
      );
    }
    void Promise.all(calls).then(() => {
      this.sending = false;
      if (this.again) {
        this.again = false;
        this.report();
      }
    });
  }
}

export interface RateLimits {
  /**
   * The per-request budget, in the first hook of every request: undefined when the request may
   * go on (its RateLimit-* headers set), the error to answer with otherwise.
   */
  checkRequest(request: FastifyRequest, reply: FastifyReply): RateLimitedError | undefined;
  /** After the response: whether the request's token found a session, which picks its budget next time. */
  afterResponse(request: FastifyRequest): void;
  /**
   * Counts a logIn/signUp attempt of this request against its IP's and its email's budgets
   * (`email` as the client sent it; null when it sent none), and throws RATE_LIMITED over either.
   */
  checkAuthAttempt(request: FastifyRequest, reply: FastifyReply, email: unknown): Promise<void>;
  /**
   * Counts an attempt at an account's password by a signed-in caller (changePassword) against
   * that account's budget (RATE_LIMIT_AUTH_PER_EMAIL), and throws RATE_LIMITED over it.
   */
  checkAccountAttempt(reply: FastifyReply, userId: string): Promise<void>;
}

export async function createRateLimits(app: FastifyInstance, config: Config): Promise<RateLimits> {
  const limits = config.rateLimits;
  const shared = config.redisUrl ? await sharedCounts(app, config.redisUrl, config.redisKeyPrefix) : undefined;
  const clientIp = (request: FastifyRequest) => normalizeIP(request.ip);
  const known = new KnownTokens();
  const requests = new Budget('req', limits.requests, limits.requestsWindowMs, shared);
  const authPerIp = new Budget('auth:ip', limits.authPerIp, limits.authWindowMs, shared);
  const authPerEmail = new Budget('auth:email', limits.authPerEmail, limits.authWindowMs, shared);
  if (shared) {
    const timer = setInterval(() => requests.report(), SYNC_INTERVAL_MS).unref();
    app.addHook('onClose', async () => {
      clearInterval(timer);
      // The last counts go out before the connection closes (QUIT waits for their answers).
      requests.report();
      await shared.close();
    });
  }
  const ipKey = (request: FastifyRequest) => `ip:${clientIp(request)}`;

  return {
    checkRequest(request, reply) {
      // Load balancers and orchestrators probe these; they cost nothing.
      if (HEALTH_ROUTES.has(request.routeOptions.url ?? '') || !requests.counting) return undefined;
      const now = Date.now();
      const token = bearerOf(request)?.key;
      // A token not yet seen to authenticate is worth a database lookup only while its IP has
      // budget left: made-up tokens (each of which would have a fresh budget) count against it.
      if (token !== undefined && !known.has(token)) {
        const ip = requests.peek(ipKey(request), now);
        if (ip.count >= ip.max) {
          setRateLimitHeaders(reply, ip.max, 0, ip.resetAt - now);
          return tooMany(ip.resetAt - now);
        }
      }
      const own = requests.take(token !== undefined ? `token:${token}` : ipKey(request), now);
      const ttl = own.resetAt - now;
      setRateLimitHeaders(reply, requests.max, Math.max(0, requests.max - own.count), ttl);
      return own.count > requests.max ? tooMany(ttl) : undefined;
    },

    afterResponse(request) {
      // Authentication (http/auth.ts) recorded whether the token found a session.
      const outcome = authenticated(request);
      if (outcome === undefined) return;
      const key = bearerOf(request)!.key;
      if (outcome) {
        known.add(key);
      } else {
        known.delete(key);
        if (requests.counting) requests.take(ipKey(request), Date.now());
      }
    },

    async checkAuthAttempt(request, reply, emailInput) {
      const email = emailKeyOf(emailInput);
      const now = Date.now();
      const verdicts = await Promise.all([
        authPerIp.takeExact(clientIp(request), now),
        email === null ? null : authPerEmail.takeExact(digest(email), now),
      ]);
      refuseOver(reply, verdicts.filter((v): v is Verdict => v !== null), now);
    },

    async checkAccountAttempt(reply, userId) {
      const now = Date.now();
      const verdict = await authPerEmail.takeExact(`account:${digest(userId)}`, now);
      refuseOver(reply, verdict ? [verdict] : [], now);
    },
  };
}

/** Sets the RateLimit headers of the tightest of `counted`, and throws RATE_LIMITED when one is exceeded. */
function refuseOver(reply: FastifyReply, counted: Verdict[], now: number): void {
  if (counted.length === 0) return;
  const exceeded = counted.filter((v) => v.count > v.max);
  const tightest =
    exceeded.length > 0
      ? exceeded.reduce((a, b) => (a.resetAt >= b.resetAt ? a : b))
      : counted.reduce((a, b) => (a.max - a.count <= b.max - b.count ? a : b));
  setRateLimitHeaders(reply, tightest.max, Math.max(0, tightest.max - tightest.count), tightest.resetAt - now);
  if (exceeded.length > 0) throw tooMany(tightest.resetAt - now);
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

/**
 * Adds counts to keys and answers each key's total and the milliseconds left in its window; a
 * key's window starts with its first count (a key without an expiry gets one).
 */
const ADD_COUNTS = `
local out = {}
local windowMs = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local total = redis.call('INCRBY', key, ARGV[i + 1])
  local left = redis.call('PTTL', key)
  if left < 0 then
    redis.call('PEXPIRE', key, windowMs)
    left = windowMs
  end
  out[i] = { total, left }
end
return out
`;

type CountingRedis = Redis & { pgwAddCounts(...args: (string | number)[]): Promise<[number, number][]> };

async function sharedCounts(app: FastifyInstance, url: string, prefix: string): Promise<SharedCounts> {
  const redis = (await connectRedis(app, url)) as CountingRedis;
  redis.defineCommand('pgwAddCounts', { lua: ADD_COUNTS });
  return {
    get available() {
      return redis.status === 'ready';
    },
    add: (keys, counts, windowMs) => redis.pgwAddCounts(keys.length, ...keys, windowMs, ...counts),
    keyOf: (budget, key) => `${prefix}${budget}:${key}`,
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

async function connectRedis(app: FastifyInstance, url: string): Promise<Redis> {
  // Loaded only when configured: ~3 MB of RSS an instance without Redis need not carry.
  const { Redis } = await import('ioredis');
  // Fail fast rather than queue: nothing ever waits for Redis to come back.
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
  return redis;
}

/** An email as the client sent it, trimmed and lower-cased: the key of its budget. */
function emailKeyOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim().toLowerCase();
  return email === '' ? null : email.slice(0, 320);
}
