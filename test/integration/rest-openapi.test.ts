import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { compileErrors, validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/rest/openapi.js';
import { STATUS_BY_CODE } from '../../src/http/errors.js';
import { startTestApp, type TestApp } from '../helpers.js';
import { OpenApiChecker, restClientFor, type RestClient } from './rest-client.js';

const run = promisify(execFile);
const bin = (name: string) => path.resolve('node_modules/.bin', name);

let t: TestApp;
let api: RestClient;
let doc: Record<string, any>;
beforeAll(async () => {
  t = await startTestApp();
  ({ api } = await restClientFor(t.url));
  doc = (await api.get('/openapi.json')).body;
});
afterAll(async () => {
  await t?.close();
});

const ROUTES: Record<string, string[]> = {
  '/me': ['get', 'patch', 'delete'],
  '/signup': ['post'],
  '/login': ['post'],
  '/logout': ['post'],
  '/healthz': ['get'],
  '/readyz': ['get'],
  '/openapi.json': ['get'],
  '/me/emails': ['get', 'post'],
  '/me/emails/{id}': ['get', 'delete'],
  '/me/emails/{id}/default': ['put'],
  '/me/emails/{id}/verification': ['post'],
  '/verify-email': ['get', 'post'],
  '/password-reset': ['get', 'post'],
  '/password-reset/confirm': ['post'],
  '/me/sessions': ['get'],
  '/me/sessions/{id}': ['delete'],
  '/me/sessions/revoke-others': ['post'],
  '/me/password': ['post'],
};

type ApiDocument = Parameters<typeof validate>[0];

const statuses = (p: string, method: string) => Object.keys(doc.paths[p][method].responses);

describe('GET /openapi.json', () => {
  it('serves the document as JSON', async () => {
    const res = await api.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
    expect(res.body.openapi).toBe('3.1.0');
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(structuredClone(doc) as ApiDocument);
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(result.warnings).toEqual([]);
    expect(result.specification).toBe('OpenAPI');
    // And it does catch a broken document.
    const broken = structuredClone(doc);
    broken.paths['/me'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Nope' };
    expect((await validate(broken as ApiDocument)).valid).toBe(false);
  });

  it('documents every REST route, and exactly the methods each path has', async () => {
    expect(Object.keys(doc.paths).sort()).toEqual(Object.keys(ROUTES).sort());
    for (const [p, methods] of Object.entries(ROUTES)) {
      expect(Object.keys(doc.paths[p]).sort(), p).toEqual([...methods].sort());
      // What 405 says the path has is what the document says (plus HEAD for GET).
      const res = await api.request(methods.includes('put') ? 'PATCH' : 'PUT', p.replace('{id}', '00000000-0000-4000-8000-000000000000'));
      const allow = res.headers.get('allow')!.split(', ').map((m) => m.toLowerCase());
      expect(allow.filter((m) => m !== 'head').sort(), p).toEqual([...methods].sort());
    }
  });

  it('has the schemas, the bearer scheme, and every status of the contract', () => {
    for (const name of ['User', 'SignUpRequest', 'LoginRequest', 'AuthResponse', 'Problem', 'MergePatch', 'Email', 'EmailList', 'ResetPasswordRequest', 'Session', 'SessionList', 'ChangePasswordRequest']) {
      expect(doc.components.schemas, name).toHaveProperty(name);
    }
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [p, method] of [
      ['/me', 'get'],
      ['/me', 'patch'],
      ['/me', 'delete'],
      ['/logout', 'post'],
    ] as const) {
      expect(doc.paths[p][method].security, `${method} ${p}`).toEqual([{ bearerAuth: [] }]);
    }
    expect(statuses('/me', 'get')).toEqual(expect.arrayContaining(['200', '304', '401', '412', '429', '503']));
    expect(statuses('/me', 'patch')).toEqual(expect.arrayContaining(['200', '400', '401', '412', '413', '415', '422', '429', '503']));
    expect(statuses('/me', 'delete')).toEqual(expect.arrayContaining(['202', '401', '412']));
    expect(statuses('/signup', 'post')).toEqual(expect.arrayContaining(['201', '400', '409', '413', '415', '422']));
    expect(statuses('/login', 'post')).toEqual(expect.arrayContaining(['200', '400', '401', '413', '415', '422']));
    expect(statuses('/logout', 'post')).toEqual(expect.arrayContaining(['204', '401']));
    expect(statuses('/login', 'post')).toContain('403');
    expect(statuses('/me/sessions', 'get')).toEqual(expect.arrayContaining(['200', '401']));
    expect(statuses('/me/sessions/{id}', 'delete')).toEqual(expect.arrayContaining(['204', '401', '404']));
    expect(statuses('/me/sessions/revoke-others', 'post')).toEqual(expect.arrayContaining(['200', '401']));
    expect(statuses('/me/password', 'post')).toEqual(expect.arrayContaining(['204', '401', '422', '429']));
    expect(statuses('/readyz', 'get')).toEqual(expect.arrayContaining(['200', '503']));
    expect(Object.keys(doc.components.responses)).toEqual(expect.arrayContaining(['MethodNotAllowed', 'NotFound']));
    expect(Object.keys(doc.paths['/me'].patch.requestBody.content).sort()).toEqual(['application/json', 'application/merge-patch+json']);
    expect(doc.components.schemas.Problem.properties.code.enum.sort()).toEqual(Object.keys(STATUS_BY_CODE).sort());
  });

  it('generates a typed client with openapi-typescript', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pgw-openapi-'));
    try {
      await writeFile(path.join(dir, 'openapi.json'), JSON.stringify(doc));
      await run(bin('openapi-typescript'), [path.join(dir, 'openapi.json'), '-o', path.join(dir, 'api.d.ts')]);
      const generated = await readFile(path.join(dir, 'api.d.ts'), 'utf8');
      expect(generated).toContain('"/me"');
      // A client written against the generated types must typecheck.
      await writeFile(
        path.join(dir, 'client.ts'),
        [
          "import type { components, paths } from './api.js';",
          "type User = components['schemas']['User'];",
          "type Me = paths['/me']['get']['responses'][200]['content']['application/json'];",
          "type Patch = NonNullable<paths['/me']['patch']['requestBody']>['content']['application/merge-patch+json'];",
          "type Auth = paths['/login']['post']['responses'][200]['content']['application/json'];",
          "const me: Me = { id: 'x', status: 'active', name: 'n', activeSessions: 1, createdAt: '', updatedAt: '' };",
          "const user: User = me;",
          "const patch: Patch = { bio: null, name: 'x' };",
          "const auth: Auth = { token: 't', expiresAt: '', user };",
          "// @ts-expect-error status is not writable",
          "const bad: Patch = { status: 'active' };",
          'export { me, patch, auth, bad };',
        ].join('\n'),
      );
      await writeFile(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', skipLibCheck: false }, files: ['client.ts'] }),
      );
      await run(bin('tsc'), ['-p', dir]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the response checker', () => {
  // The tests trust it with every response: it must refuse what the contract forbids.
  const user = { id: '0b6c1c1e-3f4a-4b1e-9c1d-2a3b4c5d6e7f', status: 'active', name: 'A', activeSessions: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
  const response = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers: new Headers({ 'content-type': 'application/json; charset=utf-8', etag: '"x"', 'cache-control': 'no-store', ...headers }),
    text: JSON.stringify(body),
    body,
  });

  it('accepts a valid user and refuses nulls, unknown fields, upper-case status and a missing ETag', () => {
    const checker = new OpenApiChecker(openApiDocument);
    expect(() => checker.check('GET', '/me', response(200, user))).not.toThrow();
    for (const bad of [{ ...user, bio: null }, { ...user, extra: 1 }, { ...user, status: 'ACTIVE' }, { ...user, createdAt: 'yesterday' }]) {
      expect(() => checker.check('GET', '/me', response(200, bad)), JSON.stringify(bad)).toThrow();
    }
    const noEtag = response(200, user);
    noEtag.headers.delete('etag');
    expect(() => checker.check('GET', '/me', noEtag)).toThrow();
    expect(() => checker.check('GET', '/me', response(418, user))).toThrow();
  });
});
