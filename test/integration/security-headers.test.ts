/**
 * Security headers (helmet) and caching over real HTTP: every response carries them, the
 * CSP allows nothing for JSON, the Sandbox landing page (outside production) gets a CSP that lets
 * exactly its nonce'd script and Apollo's CDN run (checked in headless Chromium), and anything
 * personal is `Cache-Control: no-store`. Also: several Authorization headers are refused.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, PASSWORD, signUp, startTestApp, uniqueEmail, type TestApp, NO_SMTP } from '../helpers.js';
import { describeInChromium } from '../browser.js';

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

let dev: TestApp;
beforeAll(async () => {
  dev = await startTestApp();
});
afterAll(async () => {
  await dev?.close();
});

function expectSecurityHeaders(res: Response, what: string): void {
  const h = res.headers;
  expect(h.get('x-content-type-options'), what).toBe('nosniff');
  expect(h.get('x-frame-options'), what).toBe('DENY');
  expect(h.get('referrer-policy'), what).toBe('no-referrer');
  expect(h.get('strict-transport-security'), what).toMatch(/^max-age=\d{8}; includeSubDomains$/);
  expect(h.get('cross-origin-resource-policy'), what).toBe('same-origin');
  expect(h.get('x-permitted-cross-domain-policies'), what).toBe('none');
  expect(h.get('x-powered-by'), what).toBeNull();
  expect(h.get('cache-control'), what).toBe('no-store');
}

const post = (base: string, path: string, json: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(json) });

describe('on every response', () => {
  it('security headers, a CSP that allows nothing, and Cache-Control: no-store', async () => {
    const user = await signUp(dev.url);
    const responses: [string, Response][] = [
      ['GraphQL POST', await post(dev.url, '/graphql', { query: '{ me { id name } }' }, { authorization: `Bearer ${user.token}` })],
      ['GraphQL GET', await fetch(`${dev.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } })],
      ['GraphQL error', await post(dev.url, '/graphql', { query: '{' })],
      ['POST /signup', await post(dev.url, '/signup', { email: uniqueEmail(), password: PASSWORD, name: 'Headers' })],
      ['POST /login', await post(dev.url, '/login', { email: user.email, password: PASSWORD })],
      ['POST /login 401', await post(dev.url, '/login', { email: user.email, password: 'wrong password' })],
      ['GET /me', await fetch(`${dev.url}/me`, { headers: { authorization: `Bearer ${user.token}` } })],
      ['POST /logout', await fetch(`${dev.url}/logout`, { method: 'POST', headers: { authorization: `Bearer ${user.token}` } })],
      ['GET /openapi.json', await fetch(`${dev.url}/openapi.json`)],
      ['404', await fetch(`${dev.url}/nope`)],
      ['/healthz', await fetch(`${dev.url}/healthz`)],
    ];
    expect(responses.map(([, r]) => r.status)).toEqual([200, 200, 400, 201, 200, 401, 200, 204, 200, 404, 200]);
    for (const [what, res] of responses) {
      expectSecurityHeaders(res, what);
      expect(res.headers.get('content-security-policy'), what).toBe(API_CSP);
      expect(res.headers.get('cross-origin-opener-policy'), what).toBe('same-origin');
    }
  });
});

describe('the landing page outside production', () => {
  it('gets a CSP allowing its own nonce’d script and Apollo’s CDN, and no more', async () => {
    const res = await fetch(`${dev.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    const nonce = /<script nonce="([^"]+)"/.exec(html)?.[1];
    expect(nonce).toBeDefined();
    const csp = res.headers.get('content-security-policy')!;
    const directives = Object.fromEntries(csp.split(/;\s*/).map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives['script-src']).toBe(`'self' 'nonce-${nonce}' https://*.apollographql.com`);
    expect(directives['script-src']).not.toContain('unsafe');
    expect(directives['frame-src']).toBe('https://*.apollographql.com');
    expect(directives['frame-ancestors']).toBe("'none'");
    expect(directives['object-src']).toBe("'none'");
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin-allow-popups');
    expectSecurityHeaders(res, 'landing page');
  });
});

const SANDBOX_BUNDLE = /^https:\/\/embeddable-sandbox\.cdn\.apollographql\.com\//;
/** Stands in for Apollo's bundle: frames Sandbox from Apollo's host and calls the endpoint, as it does. */
const SANDBOX_STAND_IN = `window.EmbeddedSandbox = function (config) {
  var frame = document.createElement('iframe');
  frame.src = 'https://sandbox.embed.apollographql.com/sandbox/explorer';
  document.querySelector(config.target).appendChild(frame);
  fetch(config.initialEndpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })
    .then(function (r) { return r.json(); })
    .then(function (body) { window.__sandboxAnswer = body; });
};`;

describeInChromium('the landing page in headless Chromium', (browser) => {

  it('runs Sandbox’s script, frame and requests without a CSP violation, and blocks an injected script', async () => {
    const page = await browser.current.newPage();
    await page.addInitScript({
      content: `window.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));`,
    });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${dev.url}/`)) return route.continue();
      if (SANDBOX_BUNDLE.test(url)) return route.fulfill({ status: 200, contentType: 'application/javascript', body: SANDBOX_STAND_IN });
      if (url.startsWith('https://sandbox.embed.apollographql.com/')) return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Sandbox</title>' });
      return route.abort('internetdisconnected');
    });
    await page.goto(`${dev.url}/graphql`, { waitUntil: 'load' });
    await page.waitForFunction(() => (globalThis as { __sandboxAnswer?: unknown }).__sandboxAnswer !== undefined, undefined, { timeout: 5_000 });
    expect(await page.evaluate(() => (globalThis as { __sandboxAnswer?: unknown }).__sandboxAnswer)).toEqual({ data: { __typename: 'Query' } });
    expect(await page.locator('iframe[src^="https://sandbox.embed.apollographql.com/"]').count()).toBe(1);
    const violationsOf = () => page.evaluate(() => (globalThis as { __violations?: string[] }).__violations ?? []);
    expect((await violationsOf()).filter((v) => !/fonts\.g/.test(v))).toEqual([]);

    // The CSP is in force: a script without the nonce does not run.
    await page.evaluate(`{
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true;';
      document.body.appendChild(script);
    }`);
    expect(await page.evaluate(() => (globalThis as { __injected?: boolean }).__injected)).toBeUndefined();
    expect(await violationsOf()).toContainEqual(expect.stringMatching(/^script-src/));
    await page.close();
  });
});

describe('in production', () => {
  let prod: TestApp;
  beforeAll(async () => {
    prod = await startTestApp({ NODE_ENV: 'production', SMTP_URL: NO_SMTP });
  });
  afterAll(async () => {
    await prod?.close();
  });

  it('every response, including GET /graphql asking for HTML, has the strict CSP', async () => {
    for (const res of [
      await fetch(`${prod.url}/graphql`, { headers: { accept: 'text/html' } }),
      await post(prod.url, '/graphql', { query: '{ __typename }' }),
      await fetch(`${prod.url}/me`),
    ]) {
      expect(res.headers.get('content-type') ?? '').not.toMatch(/html/);
      expect(res.headers.get('content-security-policy')).toBe(API_CSP);
      expectSecurityHeaders(res, res.url);
    }
  });
});

/** node:http, because fetch would fold two headers of one name into one. */
function requestWithHeaders(base: string, method: string, path: string, headers: Record<string, string | string[]>, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }>((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('several Authorization headers', () => {
  it('are refused with 400, on REST and GraphQL, whichever token comes first', async () => {
    const a = await signUp(dev.url);
    const b = await signUp(dev.url);
    for (const pair of [
      [`Bearer ${a.token}`, `Bearer ${b.token}`],
      [`Bearer ${a.token}`, 'Bearer pgw_nonsense'],
      ['Basic dXNlcjpwYXNz', `Bearer ${a.token}`],
    ]) {
      const rest = await requestWithHeaders(dev.url, 'GET', '/me', { authorization: pair });
      expect(rest.status).toBe(400);
      expect(rest.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(rest.body).toMatchObject({ status: 400, code: 'BAD_REQUEST', detail: 'Send one Authorization header, not several.' });
      const graphql = await requestWithHeaders(
        dev.url,
        'POST',
        '/graphql',
        { authorization: pair, 'content-type': 'application/json' },
        JSON.stringify({ query: 'mutation { updateMe(input: { bio: "two tokens" }) { id } }' }),
      );
      expect(graphql.status).toBe(400);
      expect(graphql.body).toEqual({ errors: [{ message: 'Send one Authorization header, not several.', extensions: { code: 'BAD_REQUEST' } }] });
    }
    const bios = await Promise.all([a, b].map(async (u) => (await gql(dev.url, '{ me { bio } }', undefined, u.token)).data!.me.bio));
    expect(bios).toEqual([null, null]);
  });
});
