/**
 * Apollo Sandbox and the browser-facing rules around it: the landing page outside production,
 * CORS (Sandbox's origin allowed outside production, only CORS_ORIGINS in production), Apollo's
 * CSRF prevention, and nothing of it in production. The page is also loaded in headless Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ORIGIN } from '../../src/config.js';
import { INTROSPECTION_OFF_MESSAGE, NO_SANDBOX_MESSAGE } from '../../src/graphql/introspection.js';
import { OFFLINE_HINT } from '../../src/graphql/landing-page.js';
import { gql, signUp, startTestApp, type TestApp, NO_SMTP } from '../helpers.js';
import { describeInChromium } from '../browser.js';

const INTROSPECTION = '{ __schema { queryType { name } } }';
const FOREIGN_ORIGIN = 'https://evil.example';
const APP_ORIGIN = 'https://app.example.com';
/** What Chrome sends when a person opens a URL. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';

let dev: TestApp;
beforeAll(async () => {
  dev = await startTestApp({ CORS_ORIGINS: APP_ORIGIN });
});
afterAll(async () => {
  await dev?.close();
});

function preflight(url: string, origin: string, method = 'POST', headers = 'authorization,content-type') {
  return fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });
}

function getHtml(url: string) {
  return fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
}

describe('landing page outside production', () => {
  it('GET /graphql with Accept: text/html serves Apollo Sandbox pointed at this endpoint', async () => {
    const res = await getHtml(dev.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<div id="embeddableSandbox"></div>');
    expect(html).toMatch(/<script nonce="[0-9a-f]+" src="https:\/\/embeddable-sandbox\.cdn\.apollographql\.com\/v2\/embeddable-sandbox\.umd\.production\.min\.js/);
    // The embed is pointed at the URL the page was loaded from: this server's /graphql.
    expect(html).toContain('var initialEndpoint = window.location.href;');
    expect(html).toContain('"endpointIsEditable":false');
    // Under Apollo's "cannot be loaded; you might be offline": where to go without Sandbox.
    expect(html).toMatch(/<div class="fallback">[^]*Apollo Sandbox cannot be loaded[^]*<p id="without-sandbox">[^]*<\/div>/);
    expect(html).toContain(OFFLINE_HINT);
  });

  it('introspection is on', async () => {
    const res = await gql(dev.url, INTROSPECTION);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('CORS', () => {
  it('a preflight from Sandbox’s origin allows it, with authorization and content-type', async () => {
    const res = await preflight(`${dev.url}/graphql`, SANDBOX_ORIGIN);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(SANDBOX_ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type']));
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('vary')?.toLowerCase()).toContain('origin');
  });

  it('the actual request from Sandbox’s origin gets Allow-Origin and sees x-request-id', async () => {
    const user = await signUp(dev.url);
    const res = await gql(dev.url, '{ me { id } }', undefined, user.token, { origin: SANDBOX_ORIGIN });
    expect(res.data?.me).toEqual({ id: user.id });
    expect(res.headers.get('access-control-allow-origin')).toBe(SANDBOX_ORIGIN);
    expect(res.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-request-id');
  });

  it('an origin named in CORS_ORIGINS is allowed too', async () => {
    const res = await preflight(`${dev.url}/graphql`, APP_ORIGIN);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });

  it('a foreign origin gets no Allow-Origin header, preflight or not', async () => {
    const pre = await preflight(`${dev.url}/graphql`, FOREIGN_ORIGIN);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await gql(dev.url, '{ __typename }', undefined, undefined, { origin: FOREIGN_ORIGIN });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    // Not even a near miss: the origin is compared whole.
    const near = await preflight(`${dev.url}/graphql`, `${SANDBOX_ORIGIN}.evil.example`);
    expect(near.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('applies to the other routes alike (REST preflight with If-Match, health)', async () => {
    const pre = await preflight(`${dev.url}/me`, SANDBOX_ORIGIN, 'PATCH', 'authorization,content-type,if-match');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(SANDBOX_ORIGIN);
    expect(pre.headers.get('access-control-allow-methods')).toContain('PATCH');
    const health = await fetch(`${dev.url}/healthz`, { headers: { origin: SANDBOX_ORIGIN } });
    expect(health.headers.get('access-control-allow-origin')).toBe(SANDBOX_ORIGIN);
  });
});

describe('CSRF prevention (Apollo’s, on in every environment)', () => {
  it('refuses a GET query without a preflight-forcing header', async () => {
    const res = await fetch(`${dev.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF/);
  });

  it('refuses a POST a plain HTML form could send', async () => {
    const res = await fetch(`${dev.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF/);
  });

  it('serves a GET with apollo-require-preflight, and a JSON POST', async () => {
    const get = await fetch(`${dev.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });
    const post = await gql(dev.url, '{ __typename }');
    expect(post.status).toBe(200);
    expect(post.data).toEqual({ __typename: 'Query' });
  });
});

// --- In a real browser -----------------------------------------------------------------------


/** Where Apollo's Sandbox bundle lives. These machines cannot reach it, so the test serves a stand-in. */
const SANDBOX_BUNDLE = /^https:\/\/embeddable-sandbox\.cdn\.apollographql\.com\/v2\/embeddable-sandbox\.umd\.production\.min\.js/;
/** Records the configuration our page hands the bundle, instead of drawing Sandbox. */
const SANDBOX_STAND_IN = 'window.EmbeddedSandbox = function (config) { window.__sandboxConfig = JSON.parse(JSON.stringify(config)); };';

describeInChromium('in headless Chromium', (browser) => {

  it('loads the Sandbox page from our server without errors of ours, configured with our endpoint', async () => {
    const page = await browser.current.newPage();
    const ours = (url: string) => url.startsWith(`${dev.url}/`);
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && ours(message.location().url || dev.url + '/')) problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (ours(response.url()) && response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    page.on('requestfailed', (request) => {
      if (ours(request.url())) problems.push(`failed: ${request.url()}`);
    });
    // Nothing leaves this machine: ours goes through, Apollo's bundle gets the stand-in, the rest
    // (Google Fonts, Apollo's favicon) is refused and only noted.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (ours(url)) return route.continue();
      if (SANDBOX_BUNDLE.test(url)) return route.fulfill({ status: 200, contentType: 'application/javascript', body: SANDBOX_STAND_IN });
      foreign.push(url);
      return route.abort('internetdisconnected');
    });

    const response = await page.goto(`${dev.url}/graphql`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    await page.waitForFunction(() => (globalThis as { __sandboxConfig?: unknown }).__sandboxConfig !== undefined, undefined, { timeout: 5_000 });
    const config = await page.evaluate(() => (globalThis as { __sandboxConfig?: Record<string, unknown> }).__sandboxConfig);
    expect(config).toMatchObject({ target: '#embeddableSandbox', initialEndpoint: `${dev.url}/graphql`, endpointIsEditable: false });
    expect(await page.locator('#embeddableSandbox').count()).toBe(1);

    // What Sandbox then does from this page: POST operations to the endpoint, with a token.
    const user = await signUp(dev.url);
    const me = await page.evaluate(
      async ({ endpoint, token }) => {
        const res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ me { id } }' }),
        });
        return res.json();
      },
      { endpoint: `${dev.url}/graphql`, token: user.token },
    );
    expect(me).toEqual({ data: { me: { id: user.id } } });

    expect(problems).toEqual([]);
    expect(foreign.every((url) => url.startsWith('https://'))).toBe(true);
    await page.close();
  });

  it('with Apollo’s CDN out of reach, the page points to the README’s curl examples and a working /openapi.json', async () => {
    const page = await browser.current.newPage();
    const ours = (url: string) => url.startsWith(`${dev.url}/`);
    // Offline: nothing but our server answers.
    await page.route('**/*', (route) => (ours(route.request().url()) ? route.continue() : route.abort('internetdisconnected')));
    await page.goto(`${dev.url}/graphql`, { waitUntil: 'load' });
    const hint = page.locator('#without-sandbox');
    await hint.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('.fallback').innerText()).toMatch(/Apollo Sandbox cannot be loaded[^]*Without Sandbox, try the API from a terminal: the commands in the README's “Try it with curl” section work as pasted/);
    const [response] = await Promise.all([page.waitForResponse(`${dev.url}/openapi.json`), hint.locator('a').click()]);
    expect(response.status()).toBe(200);
    expect(await response.json()).toMatchObject({ openapi: expect.stringMatching(/^3\.1\./), paths: expect.objectContaining({ '/me': expect.any(Object) }) });
    await page.close();
  });

  // It opens a database of its own: generous on a loaded machine.
  it('in production, opening /graphql shows a JSON answer saying Sandbox is off', { timeout: 120_000 }, async () => {
    const prod = await startTestApp({ NODE_ENV: 'production', SMTP_URL: NO_SMTP });
    try {
      const page = await browser.current.newPage();
      const response = await page.goto(`${prod.url}/graphql`);
      expect(response?.status()).toBe(406);
      expect(response?.headers()['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(await page.innerText('body'))).toEqual({ errors: [{ message: NO_SANDBOX_MESSAGE, extensions: { code: 'NOT_ACCEPTABLE' } }] });
      expect(await page.innerText('body')).toContain('Apollo Sandbox is off in production');
      await page.close();
    } finally {
      await prod.close();
    }
  });

  it('lets a page on Sandbox’s origin call the API across origins (real browser CORS), and not a foreign one', async () => {
    const user = await signUp(dev.url);
    const call = async (origin: string) => {
      // Chrome asks the user before a public origin may reach a loopback address (Local Network
      // Access); granting it here is the user clicking "Allow". What is left to refuse is CORS.
      const context = await browser.current.newContext({ permissions: ['local-network-access'] });
      const page = await context.newPage();
      await page.route(`${origin}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>stand-in</title>' }));
      await page.goto(`${origin}/sandbox`);
      const result = await page.evaluate(
        async ({ endpoint, token }) => {
          try {
            const res = await fetch(endpoint, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({ query: '{ me { id } }' }),
            });
            return { body: await res.json(), requestId: res.headers.get('x-request-id') };
          } catch (error) {
            return { error: String(error) };
          }
        },
        { endpoint: `${dev.url}/graphql`, token: user.token },
      );
      await context.close();
      return result;
    };
    const fromSandbox = await call(SANDBOX_ORIGIN);
    expect(fromSandbox).toMatchObject({ body: { data: { me: { id: user.id } } }, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const fromForeign = await call(FOREIGN_ORIGIN);
    expect(fromForeign).toEqual({ error: expect.stringMatching(/Failed to fetch/) });
  });
});

describe('in production', () => {
  let prod: TestApp;
  beforeAll(async () => {
    prod = await startTestApp({ NODE_ENV: 'production', SMTP_URL: NO_SMTP, CORS_ORIGINS: APP_ORIGIN });
  });
  afterAll(async () => {
    await prod?.close();
  });

  it('serves no HTML at all on /graphql: a browser gets a 406 JSON saying Sandbox is off in production', async () => {
    for (const accept of ['text/html', BROWSER_ACCEPT]) {
      const res = await fetch(`${prod.url}/graphql`, { headers: { accept } });
      expect(res.status).toBe(406);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = await res.json();
      expect(body).toEqual({ errors: [{ message: NO_SANDBOX_MESSAGE, extensions: { code: 'NOT_ACCEPTABLE' } }] });
      expect(JSON.stringify(body)).not.toMatch(/<html|<script/i);
    }
    expect(NO_SANDBOX_MESSAGE).toMatch(/Apollo Sandbox is off in production/);
  });

  it('answers GraphQL GETs and POSTs as before: only a request preferring HTML gets that answer', async () => {
    const get = await fetch(`${prod.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/graphql-response+json, application/json;q=0.9, text/html;q=0.5', 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });
    const post = await gql(prod.url, '{ __typename }', undefined, undefined, { accept: BROWSER_ACCEPT });
    expect(post.data).toEqual({ __typename: 'Query' });
  });

  it('refuses introspection, naming GRAPHQL_INTROSPECTION=true', async () => {
    const res = await gql(prod.url, INTROSPECTION);
    expect(res.status).toBe(400);
    expect(res.data ?? undefined).toBeUndefined();
    expect(res.errors).toEqual([
      expect.objectContaining({ message: INTROSPECTION_OFF_MESSAGE, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', validationErrorCode: 'INTROSPECTION_DISABLED' } }),
    ]);
    expect(res.errors?.[0]?.message).toContain('GRAPHQL_INTROSPECTION=true');
    expect(res.errors?.[0]?.message).not.toMatch(/ApolloServer/);
    // __type is introspection too.
    expect((await gql(prod.url, '{ __type(name: "User") { name } }')).errors?.[0]?.message).toBe(INTROSPECTION_OFF_MESSAGE);
  });

  it('still serves `_service { sdl }`, which is not introspection: rover and gateways compose from it', async () => {
    const res = await gql(prod.url, '{ _service { sdl } }');
    expect(res.errors).toBeUndefined();
    expect(res.data!._service.sdl).toContain('@key(fields: "id")');
  });

  it('allows only the origins CORS_ORIGINS lists: not Sandbox’s', async () => {
    const sandbox = await preflight(`${prod.url}/graphql`, SANDBOX_ORIGIN);
    expect(sandbox.headers.get('access-control-allow-origin')).toBeNull();
    const app = await preflight(`${prod.url}/graphql`, APP_ORIGIN);
    expect(app.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });

  it('keeps CSRF prevention on', async () => {
    const res = await fetch(`${prod.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(res.status).toBe(400);
  });
});

describe('in production with GRAPHQL_INTROSPECTION=true', () => {
  let prod: TestApp;
  beforeAll(async () => {
    prod = await startTestApp({ NODE_ENV: 'production', SMTP_URL: NO_SMTP, GRAPHQL_INTROSPECTION: 'true' });
  });
  afterAll(async () => {
    await prod?.close();
  });

  it('answers introspection, still with no landing page', async () => {
    const res = await gql(prod.url, INTROSPECTION);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const html = await getHtml(prod.url);
    expect(html.headers.get('content-type') ?? '').not.toMatch(/html/);
  });
});
