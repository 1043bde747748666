/**
 * The GraphQL-over-HTTP audits of the `graphql-http` package against the running server. Every
 * audit passes but the ones listed here, each for a reason the README's "GraphQL over HTTP" list
 * gives; the set is exact, so a new failure (or a fixed one) fails this test.
 */
import { serverAudits, type AuditResult } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { NO_SMTP, startTestApp, useTestApp } from '../helpers.js';

/** Apollo's CSRF prevention refuses a GET without a preflight-forcing header (a MAY of the spec). */
const CSRF_REFUSED = {
  '5A70': 'MAY accept application/x-www-form-urlencoded formatted GET requests',
  D6D5: 'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json',
  '6A70': 'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json',
};
/** Apollo answers a request that cannot execute with 400 whatever the Accept (a SHOULD of the spec). */
const STATUS_400 = {
  '572B': 'SHOULD use 200 status code on document parsing failure when accepting application/json',
  FDE2: 'SHOULD use 200 status code on document validation failure when accepting application/json',
  '7B9B': 'SHOULD use a status code of 200 on variable coercion failure when accepting application/json',
};

/** Audits whose document is `{ __type(...) }`: introspection, off in production unless GRAPHQL_INTROSPECTION=true. */
const QUERY_TYPE = {
  BF61: 'MUST accept utf-8 encoded request',
  '28B9': 'MUST allow map {variables} parameter when accepting application/json',
  '2EA1': 'SHOULD allow map {variables} parameter when accepting application/graphql-response+json',
};

interface Outcome {
  id: string;
  name: string;
  status: AuditResult['status'];
  reason?: string;
}

async function audit(url: string, fetchFn: typeof fetch): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const { id, name, fn } of serverAudits({ url, fetchFn })) {
    const result = await fn();
    outcomes.push({ id, name, status: result.status, ...(result.status === 'ok' ? {} : { reason: result.reason }) });
  }
  return outcomes;
}

const notPassing = (outcomes: Outcome[]) => Object.fromEntries(outcomes.filter((o) => o.status !== 'ok').map((o) => [o.id, o.name]));

const t = useTestApp();

describe('graphql-http server audits', () => {
  it('all pass but the listed ones, none of them a MUST', async () => {
    const outcomes = await audit(`${t.url}/graphql`, fetch);
    expect(outcomes.length).toBeGreaterThanOrEqual(60);
    expect(notPassing(outcomes)).toEqual({ ...CSRF_REFUSED, ...STATUS_400 });
    // 'error' is a MUST failed; 'warn' a SHOULD; 'notice' a MAY.
    expect(outcomes.filter((o) => o.status === 'error')).toEqual([]);
    for (const id of Object.keys(CSRF_REFUSED)) expect(outcomes.find((o) => o.id === id)?.status).toBe('notice');
    for (const id of Object.keys(STATUS_400)) {
      expect(outcomes.find((o) => o.id === id)).toMatchObject({ status: 'warn', reason: 'Response status code is not 200' });
    }
  });

  it('the GET ones pass once the request carries a preflight-forcing header: CSRF prevention is their only reason', async () => {
    const withPreflightHeader: typeof fetch = (input, init = {}) => {
      const headers = new Headers(init.headers);
      if ((init.method ?? 'GET').toUpperCase() === 'GET') headers.set('apollo-require-preflight', 'true');
      return fetch(input, { ...init, headers });
    };
    const outcomes = await audit(`${t.url}/graphql`, withPreflightHeader);
    expect(notPassing(outcomes)).toEqual(STATUS_400);
  });

  // These two open a database each: generous on a loaded machine.
  it('give the same results in production, where a browser’s GET gets a JSON answer instead of Sandbox', { timeout: 120_000 }, async () => {
    // With introspection on: three audits query `__type`, which production refuses by default.
    const prod = await startTestApp({ NODE_ENV: 'production', SMTP_URL: NO_SMTP, GRAPHQL_INTROSPECTION: 'true' });
    try {
      const outcomes = await audit(`${prod.url}/graphql`, fetch);
      expect(notPassing(outcomes)).toEqual({ ...CSRF_REFUSED, ...STATUS_400 });
      expect(outcomes.filter((o) => o.status === 'error')).toEqual([]);
    } finally {
      await prod.close();
    }
  });

  it('in production with introspection off, only the audits that query `__type` fail besides', { timeout: 120_000 }, async () => {
    const prod = await startTestApp({ NODE_ENV: 'production', SMTP_URL: NO_SMTP });
    try {
      const outcomes = await audit(`${prod.url}/graphql`, fetch);
      expect(notPassing(outcomes)).toEqual({ ...CSRF_REFUSED, ...STATUS_400, ...QUERY_TYPE });
    } finally {
      await prod.close();
    }
  });
});
