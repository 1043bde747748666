/**
 * /metrics on its own port, scraped after known traffic: requests by route pattern (never the raw
 * URL), method and status; latency; GraphQL operations by name (capped) and type; errors by code;
 * rate-limit refusals; the database pool; the purge and mail backlogs; Node's own metrics.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, MAX_OPERATION_NAMES, startMetricsServer, type Metrics } from '../../src/http/metrics.js';
import { gql, signUp, startTestApp, type SignedUp, type TestApp } from '../helpers.js';

let t: TestApp;
let metrics: Metrics;
let server: Server;
let scrapeUrl: string;
let ada: SignedUp;

beforeAll(async () => {
  // A small request limit: the 429s are part of the known traffic.
  t = await startTestApp({ RATE_LIMIT_REQUESTS: '40', RATE_LIMIT_WINDOW: '1h' }, undefined, {
    metrics: (database, repos) => (metrics = createMetrics({ database, repos })),
  });
  const started = await startMetricsServer(metrics, { port: 0, host: '127.0.0.1' });
  server = started.server;
  scrapeUrl = `http://127.0.0.1:${started.port}/metrics`;
  ada = await signUp(t.url, { name: 'Ada' });
});
afterAll(async () => {
  server?.close();
  await t?.close();
});

/** Every sample of the scrape: `name{labels} value`, the labels as an object. */
async function scrape(): Promise<{ text: string; samples: { name: string; labels: Record<string, string>; value: number }[] }> {
  const response = await fetch(scrapeUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const samples = text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)!;
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
  return { text, samples };
}

const value = (samples: Awaited<ReturnType<typeof scrape>>['samples'], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);

describe('metrics', () => {
  it('count known traffic by route pattern, method and status, with latency in seconds', async () => {
    const before = (await scrape()).samples;
    for (let i = 0; i < 3; i += 1) expect((await fetch(`${t.url}/me`, { headers: { authorization: `Bearer ${ada.token}` } })).status).toBe(200);
    // The raw URLs below differ; their route patterns are the same.
    for (const id of ['0b5d6f0e-1111-4a55-9a43-6c7c0c1f1a11', '0b5d6f0e-2222-4a55-9a43-6c7c0c1f1a11']) {
      const response = await fetch(`${t.url}/me/emails/${id}?x=1`, { method: 'DELETE', headers: { authorization: `Bearer ${ada.token}` } });
      expect(response.status).toBe(404);
    }
    expect((await fetch(`${t.url}/no/such/path/${Date.now()}`)).status).toBe(404);
    const after = await scrape();
    const delta = (labels: Record<string, string>) => value(after.samples, 'http_requests_total', labels) - value(before, 'http_requests_total', labels);
    expect(delta({ route: '/me', method: 'GET', status: '200' })).toBe(3);
    expect(delta({ route: '/me/emails/:id', method: 'DELETE', status: '404' })).toBe(2);
    expect(delta({ route: 'unmatched', method: 'GET', status: '404' })).toBe(1);
    // No raw URL, id or query string anywhere in a label.
    expect(after.text).not.toMatch(/0b5d6f0e|no\/such|x=1/);
    const count = value(after.samples, 'http_request_duration_seconds_count', { route: '/me', method: 'GET' });
    const sum = value(after.samples, 'http_request_duration_seconds_sum', { route: '/me', method: 'GET' });
    expect(count).toBeGreaterThanOrEqual(3);
    expect(sum / count).toBeGreaterThan(0);
    expect(sum / count).toBeLessThan(5);
    expect(value(after.samples, 'http_request_duration_seconds_bucket', { route: '/me', method: 'GET', le: '+Inf' })).toBe(count);
  });

  it('count GraphQL operations by name and type, anonymous and invalid ones apart, and errors by code', async () => {
    const before = (await scrape()).samples;
    await gql(t.url, 'query Profile { me { id } }', undefined, ada.token);
    await gql(t.url, 'query Profile { me { id } }', undefined, ada.token);
    await gql(t.url, '{ me { id } }', undefined, ada.token);
    await gql(t.url, 'mutation Rename($b: String) { updateMe(input: { bio: $b }) { id } }', { b: 'x' }, ada.token);
    await gql(t.url, 'query Broken { nope }', undefined, ada.token);
    await gql(t.url, 'query Anonymously { me { id } }');
    const after = (await scrape()).samples;
    const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
    expect(delta('graphql_operations_total', { operation: 'Profile', type: 'query' })).toBe(2);
    expect(delta('graphql_operations_total', { operation: 'anonymous', type: 'query' })).toBe(1);
    expect(delta('graphql_operations_total', { operation: 'Rename', type: 'mutation' })).toBe(1);
    expect(delta('graphql_operations_total', { operation: 'invalid', type: 'invalid' })).toBe(1);
    expect(delta('errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(delta('errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
    // REST errors too, by the same codes.
    const beforeRest = (await scrape()).samples;
    await fetch(`${t.url}/me`, { headers: { authorization: 'Bearer pgw_nope' } });
    await fetch(`${t.url}/me`, { method: 'PATCH', headers: { authorization: `Bearer ${ada.token}`, 'content-type': 'application/json' }, body: '{' });
    const afterRest = (await scrape()).samples;
    expect(value(afterRest, 'errors_total', { code: 'UNAUTHENTICATED' }) - value(beforeRest, 'errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
    expect(value(afterRest, 'errors_total', { code: 'BAD_REQUEST' }) - value(beforeRest, 'errors_total', { code: 'BAD_REQUEST' })).toBe(1);
  });

  it('keep at most a bounded set of operation names', async () => {
    for (let i = 0; i < MAX_OPERATION_NAMES + 5; i += 1) metrics.operation(`Op${i}`, 'query');
    const names = new Set((await scrape()).samples.filter((s) => s.name === 'graphql_operations_total').map((s) => s.labels.operation));
    expect(names.size).toBeLessThanOrEqual(MAX_OPERATION_NAMES + 3);
    expect(names.has('other')).toBe(true);
  });

  it('show the pool, the purge and mail backlogs, and Node’s own metrics', async () => {
    await t.sql("insert into account_purges (user_id, requested_at, due_at, attempts) values (gen_random_uuid(), now(), now() - interval '1 minute', 0)");
    const { samples, text } = await scrape();
    expect(value(samples, 'purge_backlog')).toBe(1);
    // Ada's verification message, unsent: no mail worker runs here.
    expect(value(samples, 'mail_outbox_backlog')).toBe(Number((await t.sql('select count(*)::int as n from mail_outbox where sent_at is null and failed_at is null'))[0].n));
    expect(value(samples, 'mail_outbox_backlog')).toBeGreaterThanOrEqual(1);
    expect(samples.some((s) => s.name === 'db_pool_connections' && s.labels.state === 'idle')).toBe(true);
    expect(value(samples, 'db_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(samples.some((s) => s.name === 'db_pool_waiting_requests')).toBe(true);
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });

  it('count rate-limit refusals by route', async () => {
    let refused = 0;
    for (let i = 0; i < 60 && refused === 0; i += 1) {
      const response = await fetch(`${t.url}/me`, { headers: { authorization: `Bearer ${ada.token}` } });
      await response.arrayBuffer();
      if (response.status === 429) refused += 1;
    }
    expect(refused).toBe(1);
    const { samples } = await scrape();
    expect(value(samples, 'rate_limit_refusals_total', { route: '/me' })).toBe(1);
    expect(value(samples, 'errors_total', { code: 'RATE_LIMITED' })).toBeGreaterThanOrEqual(1);
  });

  it('serve only /metrics', async () => {
    expect((await fetch(scrapeUrl.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(scrapeUrl, { method: 'POST' })).status).toBe(405);
  });
});
