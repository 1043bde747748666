/**
 * Prometheus metrics, served on their own port (METRICS_PORT) at /metrics: requests by route
 * pattern, method and status, their latency, GraphQL operations by name and type, errors by code,
 * rate-limit refusals, the database pool, the purge and mail backlogs, and Node's own metrics.
 *
 * Every label set is bounded: the route is the pattern a route was registered with (never the raw
 * URL), an operation name is kept for the first MAX_OPERATION_NAMES names seen and is "other"
 * after. Per request: three Map lookups and a few additions, in a synchronous onResponse hook of
 * the request's route; the gauges are read when Prometheus scrapes, not kept up to date.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Database } from '../db/database.js';
import type { Repositories } from '../db/repositories.js';

/** Distinct operation names with a label of their own; the rest are "other". */
export const MAX_OPERATION_NAMES = 100;
const MAX_OPERATION_NAME_LENGTH = 100;
/** Seconds: from a cached lookup to the statement timeout. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** A scrape waits at most this for the backlog counts; past it, the last values are kept. */
const BACKLOG_TIMEOUT_MS = 2_000;

/** Where the gauges read from at scrape time. */
export interface MetricsSources {
  database: Database;
  repos: Pick<Repositories, 'purges' | 'outbox'>;
}

/** One route pattern and method: its latency histogram (per bucket, not cumulative) and its statuses. */
interface RouteSeries {
  buckets: Float64Array;
  sum: number;
  count: number;
  statuses: Map<number, { count: number }>;
}

type Labels = Record<string, string>;
interface Sample {
  labels: Labels;
  value: number;
  metricName?: string;
}

/**
 * The request-path counters are plain numbers in Maps, turned into Prometheus samples only when
 * scraped: prom-client's own Counter and Histogram hash and validate their labels at every
 * increment (a few µs and some garbage per request), these do not.
 */
export class Metrics {
  readonly registry = new Registry();
  /** By route pattern, then method. */
  private readonly routes = new Map<string, Map<string, RouteSeries>>();
  /** By operation label, then type. */
  private readonly operations = new Map<string, Map<string, { count: number }>>();
  private readonly errors = new Map<string, { count: number }>();
  private readonly refusals = new Map<string, { count: number }>();
  private readonly operationNames = new Set<string>();

  constructor(sources?: MetricsSources) {
    this.define('http_requests_total', 'counter', 'HTTP requests answered, by route pattern (never the raw URL; "unmatched" for none), method and status.', () =>
      [...this.eachRoute()].flatMap(({ route, method, series }) =>
        [...series.statuses].map(([status, { count }]) => ({ labels: { route, method, status: String(status) }, value: count })),
      ),
    );
    this.define('http_request_duration_seconds', 'histogram', 'Time from receiving a request to its response going out, by route pattern and method.', () =>
      [...this.eachRoute()].flatMap(({ route, method, series }) => {
        let cumulative = 0;
        const samples: Sample[] = LATENCY_BUCKETS.map((le, i) => {
          cumulative += series.buckets[i]!;
          return { metricName: 'http_request_duration_seconds_bucket', labels: { le: String(le), route, method }, value: cumulative };
        });
        samples.push(
          { metricName: 'http_request_duration_seconds_bucket', labels: { le: '+Inf', route, method }, value: series.count },
          { metricName: 'http_request_duration_seconds_sum', labels: { route, method }, value: series.sum },
          { metricName: 'http_request_duration_seconds_count', labels: { route, method }, value: series.count },
        );
        return samples;
      }),
    );
    this.define(
      'graphql_operations_total',
      'counter',
      `GraphQL operations by name (the first ${MAX_OPERATION_NAMES} names seen, then "other"; "anonymous" without one; "invalid" when the document did not validate) and type.`,
      () => [...this.operations].flatMap(([operation, types]) => [...types].map(([type, { count }]) => ({ labels: { operation, type }, value: count }))),
    );
    this.define('errors_total', 'counter', 'Errors answered to clients, by code (GraphQL extensions.code, problem+json code).', () =>
      [...this.errors].map(([code, { count }]) => ({ labels: { code }, value: count })),
    );
    this.define('rate_limit_refusals_total', 'counter', 'Requests refused by a rate limit (429), by route pattern.', () =>
      [...this.refusals].map(([route, { count }]) => ({ labels: { route }, value: count })),
    );
    if (sources) this.gauges(sources);
    collectDefaultMetrics({ register: this.registry });
  }

  /** One answered request. */
  response(route: string, method: string, status: number, seconds: number): void {
    let byMethod = this.routes.get(route);
    if (!byMethod) this.routes.set(route, (byMethod = new Map()));
    let series = byMethod.get(method);
    if (!series) byMethod.set(method, (series = { buckets: new Float64Array(LATENCY_BUCKETS.length), sum: 0, count: 0, statuses: new Map() }));
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i += 1;
    if (i < LATENCY_BUCKETS.length) series.buckets[i]! += 1;
    series.sum += seconds;
    series.count += 1;
    const counted = series.statuses.get(status);
    if (counted) counted.count += 1;
    else series.statuses.set(status, { count: 1 });
    if (status === 429) increment(this.refusals, route);
  }

  /** One GraphQL operation: its name (undefined: anonymous), or null when it never resolved. */
  operation(name: string | null | undefined, type: string | undefined): void {
    const label = this.operationLabel(name);
    let types = this.operations.get(label);
    if (!types) this.operations.set(label, (types = new Map()));
    increment(types, type ?? 'invalid');
  }

  error(code: string): void {
    increment(this.errors, code);
  }

  private *eachRoute(): Generator<{ route: string; method: string; series: RouteSeries }> {
    for (const [route, byMethod] of this.routes) for (const [method, series] of byMethod) yield { route, method, series };
  }

  /** A metric whose samples `samples` makes at scrape time. */
  private define(name: string, type: 'counter' | 'histogram', help: string, samples: () => Sample[]): void {
    const metric = { name, help, type, aggregator: 'sum', get: async () => ({ name, help, type, aggregator: 'sum', values: samples() }) };
    this.registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  private operationLabel(name: string | null | undefined): string {
    if (name === null) return 'invalid';
    if (!name) return 'anonymous';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES || name.length > MAX_OPERATION_NAME_LENGTH) return 'other';
    this.operationNames.add(name);
    return name;
  }

  private gauges({ database, repos }: MetricsSources): void {
    const registers = [this.registry];
    const pool = () => (database.waitingFor === undefined ? database.pool : undefined);
    new Gauge({
      name: 'db_pool_connections',
      help: 'Connections of the database pool, by state (in_use: lent to a request or job; idle).',
      labelNames: ['state'],
      registers,
      collect() {
        const p = pool();
        this.set({ state: 'in_use' }, p ? p.totalCount - p.idleCount : 0);
        this.set({ state: 'idle' }, p ? p.idleCount : 0);
      },
    });
    new Gauge({
      name: 'db_pool_waiting_requests',
      help: 'Statements waiting for a connection of the database pool.',
      registers,
      collect() {
        this.set(pool()?.waitingCount ?? 0);
      },
    });
    // Both counts in one round of statements per scrape, however many gauges ask.
    let counting: Promise<{ purges: number; mail: number } | undefined> | undefined;
    const counts = () => {
      counting ??= Promise.race([
        Promise.all([repos.purges.backlog(), repos.outbox.backlog()]).then(([purges, mail]) => ({ purges, mail })),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), BACKLOG_TIMEOUT_MS).unref()),
      ])
        .catch(() => undefined)
        .finally(() => setImmediate(() => (counting = undefined)));
      return counting;
    };
    new Gauge({
      name: 'purge_backlog',
      help: 'Deleted accounts whose purge is due and not done yet (kept from the last scrape that could count them).',
      registers,
      async collect() {
        const n = await counts();
        if (n) this.set(n.purges);
      },
    });
    new Gauge({
      name: 'mail_outbox_backlog',
      help: 'Messages waiting to be sent (kept from the last scrape that could count them).',
      registers,
      async collect() {
        const n = await counts();
        if (n) this.set(n.mail);
      },
    });
  }
}

function increment(counts: Map<string, { count: number }>, key: string): void {
  const counted = counts.get(key);
  if (counted) counted.count += 1;
  else counts.set(key, { count: 1 });
}

export function createMetrics(sources?: MetricsSources): Metrics {
  return new Metrics(sources);
}

/** Where an error's code waits for the response hook (set only on the requests that failed). */
const ERROR_CODE = Symbol('errorCode');

/** Notes the code an HTTP-level error answered with (http/errors.ts); counted when the response goes out. */
export function noteErrorCode(request: FastifyRequest, code: string): void {
  (request as unknown as Record<symbol, string>)[ERROR_CODE] = code;
}

/**
 * Counts every response: each route gets an onResponse hook of its own that knows its pattern
 * (reading `request.routeOptions` builds a dozen-field object per request), and request-hooks.ts
 * counts the requests no route took (`countUnmatched`). Call before the routes are added.
 */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onRoute', (route) => {
    const pattern = route.url;
    const hook = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      count(metrics, pattern, request, reply);
      done();
    };
    const existing = route.onResponse;
    route.onResponse = existing === undefined ? [hook] : [...(Array.isArray(existing) ? existing : [existing]), hook];
  });
}

/** Counts a request no route took (Fastify's 404 handler), from request-hooks.ts's onResponse. */
export function countUnmatched(metrics: Metrics, request: FastifyRequest, reply: FastifyReply): void {
  if (request.is404) count(metrics, 'unmatched', request, reply);
}

function count(metrics: Metrics, route: string, request: FastifyRequest, reply: FastifyReply): void {
  metrics.response(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
  const code = (request as unknown as Record<symbol, string | undefined>)[ERROR_CODE];
  if (code !== undefined) metrics.error(code);
}

/** Serves /metrics on a port of its own; resolves once it listens. */
export async function startMetricsServer(metrics: Metrics, { port, host }: { port: number; host: string }): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(path === '/metrics' ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8' }).end(path === '/metrics' ? 'GET /metrics\n' : 'Not found: metrics are at /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(request.method === 'HEAD' ? undefined : text),
      () => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics could not be collected\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
