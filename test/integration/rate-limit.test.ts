/**
 * Rate limits over real HTTP: every request per token or IP, logIn/signUp per IP and per email on
 * both transports, the 429s' shapes and headers, and the shared budget in Redis across instances
 * (within the tolerance the README states).
 * Each test starts instances of its own with small limits (startTestApp's are out of reach).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { BATCH_SHARE, SYNC_INTERVAL_MS } from '../../src/http/rate-limit.js';
import { openApiDocument } from '../../src/rest/openapi.js';
import type { Services } from '../../src/domain/services.js';
import { GENEROUS_RATE_LIMITS, gql, PASSWORD, startTestApp, uniqueEmail, type TestApp } from '../helpers.js';
import { OpenApiChecker, restClient, type RestRequest } from './rest-client.js';

const REDIS_URL = process.env.TEST_REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
const LOG_IN = 'mutation ($email: EmailAddress!, $password: String!) { logIn(email: $email, password: $password) { token } }';
const SIGN_UP = 'mutation ($input: SignUpInput!) { signUp(input: $input) { token } }';

const checker = new OpenApiChecker(openApiDocument as Record<string, any>);

/** A REST call to one of this file's instances, checked against the OpenAPI document like every other. */
const rest = (base: string, method: string, path: string, options: RestRequest = {}) => restClient(base, checker).request(method, path, options);

/**
 * Each test starts instances of its own, with the limits it needs and counters of their own, all
 * on one database (an instance is cheap; a database is not). Closed after each test.
 */
let base: TestApp;
beforeAll(async () => {
  base = await startTestApp();
});
afterAll(async () => {
  await base?.close();
});
interface Instance {
  url: string;
  services: Services;
}
const running: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.close();
});
async function appWith(env: Record<string, string>): Promise<Instance> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...GENEROUS_RATE_LIMITS, ...env });
  // Services of its own (the same database): a test may wrap them.
  const services = { ...base.services, sessions: Object.create(base.services.sessions) as Services['sessions'] };
  const app = await buildApp({ config, services, ready: async () => true });
  running.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, services };
}

function expectRateLimited429(res: { status: number; headers: Headers }, windowSeconds: number): void {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(res.headers.get('ratelimit-remaining')).toBe('0');
  expect(Number(res.headers.get('ratelimit-reset'))).toBe(retryAfter);
  expect(res.headers.get('cache-control')).toBe('no-store');
}

async function expectGraphQLRateLimited(base: string, query: string, variables?: Record<string, unknown>, windowSeconds = 900) {
  const res = await gql(base, query, variables);
  expectRateLimited429(res, windowSeconds);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(res.data).toBeUndefined();
  expect(res.errors).toEqual([{ message: expect.stringMatching(/^Too many requests; retry in \d+ s\.$/), extensions: { code: 'RATE_LIMITED' } }]);
}

describe('every request, per token or IP', () => {
  it('RATE_LIMIT_REQUESTS per window per IP, then 429 with Retry-After and RateLimit headers, on REST and GraphQL alike', async () => {
    const t = await appWith({ RATE_LIMIT_REQUESTS: '4', RATE_LIMIT_WINDOW: '1m' });
    const answers = [
      await rest(t.url, 'GET', '/me'),
      await gql(t.url, '{ __typename }'),
      await rest(t.url, 'GET', '/openapi.json'),
      await gql(t.url, '{ __typename }'),
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 200, 200, 200]);
    expect(answers.map((a) => a.headers.get('ratelimit-remaining'))).toEqual(['3', '2', '1', '0']);
    for (const a of answers) {
      expect(a.headers.get('ratelimit-limit')).toBe('4');
      expect(Number(a.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    }

    const limited = await rest(t.url, 'GET', '/me');
    expectRateLimited429(limited, 60);
    expect(limited.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(limited.body).toMatchObject({ status: 429, code: 'RATE_LIMITED', title: 'Too Many Requests' });
    expect(limited.headers.get('x-content-type-options')).toBe('nosniff');
    await expectGraphQLRateLimited(t.url, '{ __typename }', undefined, 60);
    // Unknown paths count, and are refused too.
    expect((await fetch(`${t.url}/no-such-path`)).status).toBe(429);
    // Probes are never limited.
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });

  it('is checked before authentication: a refused request costs no database lookup', async () => {
    const t = await appWith({ RATE_LIMIT_REQUESTS: '2' });
    let lookups = 0;
    const authenticate = t.services.sessions.authenticate.bind(t.services.sessions);
    t.services.sessions.authenticate = (...args) => {
      lookups += 1;
      return authenticate(...args);
    };
    const token = `pgw_${randomBytes(32).toString('base64url')}`;
    for (let i = 0; i < 2; i++) expect((await rest(t.url, 'GET', '/me', { token })).status).toBe(401);
    expect(lookups).toBe(2);
    expect((await rest(t.url, 'GET', '/me', { token })).status).toBe(429);
    expect((await gql(t.url, '{ me { id } }', undefined, token)).status).toBe(429);
    expect(lookups).toBe(2);
  });

  it('each token has a budget of its own, beyond its IP’s: users behind one address do not share one', async () => {
    const t = await appWith({ RATE_LIMIT_REQUESTS: '4' });
    const users = [];
    for (let i = 0; i < 3; i++) {
      // Signing up is anonymous: IP 1..3.
      users.push((await rest(t.url, 'POST', '/signup', { json: { email: uniqueEmail(), password: PASSWORD, name: `NAT ${i}` } })).body.token as string);
    }
    for (const token of users) {
      for (let i = 0; i < 4; i++) {
        const res = await rest(t.url, 'GET', '/me', { token });
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit-remaining')).toBe(String(3 - i));
      }
      expectRateLimited429(await rest(t.url, 'GET', '/me', { token }), 60);
    }
    // The IP's own budget is untouched by them: one left.
    expect((await rest(t.url, 'GET', '/me')).status).toBe(401);
    expectRateLimited429(await rest(t.url, 'GET', '/me'), 60);
  });

  it('made-up tokens count against their IP, and are refused before any lookup once it is spent', async () => {
    const t = await appWith({ RATE_LIMIT_REQUESTS: '4' });
    const madeUp = () => `pgw_${randomBytes(32).toString('base64url')}`;
    const signup = await rest(t.url, 'POST', '/signup', { json: { email: uniqueEmail(), password: PASSWORD, name: 'Real' } }); // IP: 1
    expect((await rest(t.url, 'GET', '/me', { token: madeUp() })).status).toBe(401); // IP: 2
    expect((await gql(t.url, '{ me { id } }', undefined, madeUp())).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED'); // IP: 3
    // A logged-out token is no better than a made-up one.
    await rest(t.url, 'POST', '/logout', { token: signup.body.token });
    expect((await rest(t.url, 'GET', '/me', { token: signup.body.token })).status).toBe(401); // IP: 4
    let lookups = 0;
    const authenticate = t.services.sessions.authenticate.bind(t.services.sessions);
    t.services.sessions.authenticate = (...args) => {
      lookups += 1;
      return authenticate(...args);
    };
    expectRateLimited429(await rest(t.url, 'GET', '/me', { token: madeUp() }), 60);
    expectRateLimited429(await gql(t.url, '{ me { id } }', undefined, madeUp()), 60);
    expectRateLimited429(await rest(t.url, 'GET', '/me'), 60);
    expect(lookups).toBe(0);
  });
});

describe('in memory (no REDIS_URL)', () => {
  it('each instance keeps budgets of its own', async () => {
    const a = await appWith({ RATE_LIMIT_REQUESTS: '2' });
    const b = await appWith({ RATE_LIMIT_REQUESTS: '2' });
    for (const t of [a, b, a, b]) expect((await gql(t.url, '{ __typename }')).status).toBe(200);
    expect((await gql(a.url, '{ __typename }')).status).toBe(429);
  });
});

describe('logIn and signUp attempts', () => {
  it('per email: REST and GraphQL, logIn and signUp share one budget, whatever the case of the address', async () => {
    const t = await appWith({ RATE_LIMIT_AUTH_PER_EMAIL: '4', RATE_LIMIT_AUTH_PER_IP: '100', RATE_LIMIT_AUTH_WINDOW: '15m' });
    const email = uniqueEmail('victim');
    const signup = await rest(t.url, 'POST', '/signup', { json: { email, password: PASSWORD, name: 'Victim' } }); // 1
    expect(signup.status).toBe(201);
    expect(signup.headers.get('ratelimit-limit')).toBe('4');
    expect(signup.headers.get('ratelimit-remaining')).toBe('3');
    expect(Number(signup.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(900);
    expect((await rest(t.url, 'POST', '/login', { json: { email: email.toUpperCase(), password: 'wrong password 1' } })).status).toBe(401); // 2
    expect((await gql(t.url, LOG_IN, { email: email.toUpperCase(), password: 'wrong password 2' })).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    ); // 3: the email from the variables
    const literal = await gql(t.url, `mutation { logIn(email: ${JSON.stringify(email)}, password: "wrong password 3") { token } }`); // 4
    expect(literal.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(literal.headers.get('ratelimit-remaining')).toBe('0');

    // Now even the right password is refused, on every way in.
    const restLogin = await rest(t.url, 'POST', '/login', { json: { email, password: PASSWORD } });
    expectRateLimited429(restLogin, 900);
    expect(restLogin.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(restLogin.body).not.toHaveProperty('token');
    expectRateLimited429(await rest(t.url, 'POST', '/signup', { json: { email, password: PASSWORD, name: 'Again' } }), 900);
    await expectGraphQLRateLimited(t.url, LOG_IN, { email, password: PASSWORD });
    await expectGraphQLRateLimited(t.url, `mutation { logIn(email: ${JSON.stringify(email)}, password: ${JSON.stringify(PASSWORD)}) { token } }`);
    await expectGraphQLRateLimited(t.url, SIGN_UP, { input: { email: email.toUpperCase(), password: PASSWORD, name: 'Again' } });
    await expectGraphQLRateLimited(t.url, `mutation { signUp(input: { email: ${JSON.stringify(email)}, password: "a long password", name: "A" }) { token } }`);
    await expectGraphQLRateLimited(t.url, 'mutation ($e: EmailAddress!) { signUp(input: { email: $e, password: "a long password", name: "A" }) { token } }', { e: email });
    // Inside a fragment, or chosen by operationName: still counted.
    await expectGraphQLRateLimited(t.url, `mutation M { ...F } fragment F on Mutation { logIn(email: ${JSON.stringify(email)}, password: "a guess") { token } }`);
    const named = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `query Q { __typename } mutation M { logIn(email: ${JSON.stringify(email)}, password: "a guess") { token } }`, operationName: 'M' }),
    });
    expect(named.status).toBe(429);

    // Another address is unaffected, and so is the rest of the API.
    expect((await rest(t.url, 'POST', '/login', { json: { email: uniqueEmail(), password: PASSWORD } })).status).toBe(401);
    expect((await rest(t.url, 'GET', '/me', { token: signup.body.token })).status).toBe(200);
  });

  it('per IP, across addresses', async () => {
    const t = await appWith({ RATE_LIMIT_AUTH_PER_EMAIL: '100', RATE_LIMIT_AUTH_PER_IP: '3', RATE_LIMIT_AUTH_WINDOW: '10m' });
    expect((await rest(t.url, 'POST', '/login', { json: { email: uniqueEmail(), password: PASSWORD } })).status).toBe(401);
    expect((await gql(t.url, LOG_IN, { email: uniqueEmail(), password: PASSWORD })).status).toBe(200);
    expect((await rest(t.url, 'POST', '/signup', { json: { email: uniqueEmail(), password: PASSWORD, name: 'Three' } })).status).toBe(201);
    // Without any email at all, an attempt still counts against the IP.
    expectRateLimited429(await rest(t.url, 'POST', '/login', { json: { password: PASSWORD } }), 600);
    expectRateLimited429(await rest(t.url, 'POST', '/signup', { json: { email: uniqueEmail(), password: PASSWORD, name: 'Four' } }), 600);
    await expectGraphQLRateLimited(t.url, LOG_IN, { email: uniqueEmail(), password: PASSWORD }, 600);
    // Requests other than logIn/signUp are not attempts.
    expect((await gql(t.url, '{ __typename } # logIn signUp')).status).toBe(200);
    expect((await gql(t.url, 'query logIn { __typename }')).status).toBe(200);
  });

  it('one request may call logIn or signUp once: aliases cannot turn one attempt into many', async () => {
    const t = await appWith({ RATE_LIMIT_AUTH_PER_EMAIL: '100', RATE_LIMIT_AUTH_PER_IP: '100' });
    const email = uniqueEmail();
    const guesses = Array.from({ length: 15 }, (_, i) => `g${i}: logIn(email: ${JSON.stringify(email)}, password: "guess number ${i}") { token }`);
    for (const query of [
      `mutation { ${guesses.join(' ')} }`,
      `mutation { ${guesses.slice(0, 2).join(' ')} }`,
      `mutation { ...A ...B } fragment A on Mutation { ${guesses[0]} } fragment B on Mutation { ${guesses[1]} }`,
      `mutation { ${guesses[0]} ... on Mutation { signUp(input: { email: "x@example.com", password: "a long password", name: "X" }) { token } } }`,
    ]) {
      const res = await gql(t.url, query);
      expect(res.status, query).toBe(400);
      expect(res.errors).toEqual([{ message: expect.stringMatching(/^A request may call logIn, signUp, requestPasswordReset, resetPassword or changePassword once/), extensions: { code: 'BAD_REQUEST' } }]);
    }
    // Nothing ran: the signUp in the last one created no user.
    expect((await rest(t.url, 'POST', '/login', { json: { email: 'x@example.com', password: 'a long password' } })).status).toBe(401);
  });
});

/** Whether a Redis server answers at REDIS_URL. CI's machines run one; elsewhere, say so and skip. */
async function redisAnswers(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
const haveRedis = await redisAnswers();
const inCI = /^(1|true)$/i.test(process.env.CI ?? '');
if (!haveRedis && !inCI) console.warn(`[rate-limit.test] no Redis at ${REDIS_URL}: skipping the shared-store tests`);

describe.skipIf(!haveRedis && !inCI)('shared in Redis (REDIS_URL)', () => {
  let prefix: string;
  let redis: Redis;
  beforeAll(async () => {
    if (!haveRedis) throw new Error(`no Redis at ${REDIS_URL}: .ci/run starts one before the tests`);
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    if (!redis) return;
    const keys = await redis.keys('pgw-test-*');
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });
  const twoInstances = async (env: Record<string, string>) => {
    prefix = `pgw-test-${randomBytes(6).toString('hex')}:`;
    const shared = { REDIS_URL, REDIS_KEY_PREFIX: prefix, ...env };
    return [await appWith(shared), await appWith(shared)] as const;
  };

  /** Long enough for what an instance has counted to reach Redis and the answer to come back. */
  const reported = () => new Promise((resolve) => setTimeout(resolve, 3 * SYNC_INTERVAL_MS));

  it('two instances share one budget per IP, within the stated tolerance: one request per other instance on a small budget', async () => {
    const [a, b] = await twoInstances({ RATE_LIMIT_REQUESTS: '4' });
    // Taking turns, REST and GraphQL alike, each request given time to be reported.
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = i % 2 === 0 ? a : b;
      statuses.push(i % 4 < 2 ? (await gql(t.url, '{ __typename }')).status : (await rest(t.url, 'GET', '/me')).status);
      await reported();
    }
    const served = statuses.filter((s) => s !== 429);
    // The budget, and at most max(1, 2% of it) more per other instance (README, "Rate limits").
    expect(served.length).toBeGreaterThanOrEqual(4);
    expect(served.length).toBeLessThanOrEqual(4 + 1);
    expect(statuses.slice(served.length)).toEqual(statuses.slice(served.length).map(() => 429));
    await expectGraphQLRateLimited(a.url, '{ __typename }', undefined, 60);
    expectRateLimited429(await rest(b.url, 'GET', '/me'), 60);
  });

  it('an instance that has not seen a client yet learns its count from its first report', async () => {
    const [a, b] = await twoInstances({ RATE_LIMIT_REQUESTS: '4' });
    for (let i = 0; i < 4; i++) expect((await rest(a.url, 'GET', '/me')).status).toBe(401);
    expectRateLimited429(await rest(a.url, 'GET', '/me'), 60);
    await reported();
    // b decides before it has heard anything of this IP: the tolerance.
    expect((await rest(b.url, 'GET', '/me')).status).toBe(401);
    await reported();
    expectRateLimited429(await rest(b.url, 'GET', '/me'), 60);
    await expectGraphQLRateLimited(b.url, '{ __typename }', undefined, 60);
  });

  it('a larger budget: counts reach Redis in batches and on a timer; the cluster stays within budget + (2% + a round trip) per instance', async () => {
    const max = 100;
    const batch = Math.max(1, Math.ceil(max * BATCH_SHARE));
    const [a, b] = await twoInstances({ RATE_LIMIT_REQUESTS: String(max) });
    const servedUntilRefused = async (t: Instance) => {
      let served = 0;
      while ((await gql(t.url, '{ __typename }')).status === 200) served += 1;
      return served;
    };
    // 61 on a: the last one (61 is no multiple of the batch) reaches Redis only with the timer.
    for (let i = 0; i < 61; i++) expect((await gql(a.url, '{ __typename }')).status).toBe(200);
    await reported();
    expect(await redis.get(`${prefix}req:ip:127.0.0.1`)).toBe('61');
    const onB = await servedUntilRefused(b);
    // One request at a time: at most one arrives while a report is on its way.
    expect(61 + onB).toBeGreaterThanOrEqual(max);
    expect(61 + onB).toBeLessThanOrEqual(max + batch + 1);
    await reported();
    // a last heard of this IP at 61: it serves until its next report (a batch) comes back.
    const moreOnA = await servedUntilRefused(a);
    expect(moreOnA).toBeLessThanOrEqual(batch + 1);
    expect(61 + onB + moreOnA).toBeLessThanOrEqual(max + 2 * (batch + 1));
    await reported();
    for (const t of [a, b]) expectRateLimited429(await rest(t.url, 'GET', '/me'), 60);
  });

  it('two instances share one budget per email, and the store holds neither emails nor tokens', async () => {
    const [a, b] = await twoInstances({ RATE_LIMIT_AUTH_PER_EMAIL: '3', RATE_LIMIT_AUTH_PER_IP: '100' });
    const email = uniqueEmail('shared');
    const signup = await rest(a.url, 'POST', '/signup', { json: { email, password: PASSWORD, name: 'Shared' } });
    expect(signup.status).toBe(201);
    expect((await gql(b.url, LOG_IN, { email, password: 'wrong password' })).status).toBe(200);
    expect((await rest(a.url, 'POST', '/login', { json: { email, password: 'wrong password' } })).status).toBe(401);
    await expectGraphQLRateLimited(b.url, LOG_IN, { email, password: PASSWORD });
    expectRateLimited429(await rest(a.url, 'POST', '/login', { json: { email, password: PASSWORD } }), 900);

    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    const dump = keys.join('\n');
    expect(dump).not.toContain(email);
    expect(dump).not.toContain(email.split('@')[0]!);
    expect(dump).not.toContain(signup.body.token.slice(4, 20));
  });

  it('with Redis unreachable, requests are served (unlimited) rather than refused or left hanging', async () => {
    const t = await appWith({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_REQUESTS: '1', RATE_LIMIT_AUTH_PER_IP: '1' });
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      expect((await gql(t.url, '{ __typename }')).status).toBe(200);
      expect((await rest(t.url, 'POST', '/login', { json: { email: uniqueEmail(), password: PASSWORD } })).status).toBe(401);
    }
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
