/**
 * A small HTTP client for the REST shim that checks every response it receives against the
 * served OpenAPI document (status documented, required headers present, body valid against the
 * schema with ajv's JSON Schema 2020-12), plus the rules that hold for every REST response.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, expect } from 'vitest';
import { forwardTo, PASSWORD, uniqueEmail, type TestApp } from '../helpers.js';

export interface RestResponse<T = any> {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, when there is one. */
  body: T;
}

export interface RestRequest {
  token?: string;
  /** Sent as JSON (unless `raw` is given). */
  json?: unknown;
  /** Sent as is. */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

type Doc = Record<string, any>;

const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** Validates responses against one OpenAPI document. */
export class OpenApiChecker {
  private readonly ajv: Ajv2020;
  readonly checked = new Set<string>();

  constructor(readonly doc: Doc) {
    // strict: false because the document is added whole, with OpenAPI's own keys around the schemas.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(this.ajv);
    this.ajv.addSchema(doc, 'openapi.json');
  }

  /** The document's path (template) a concrete path falls under: `/me/emails/{id}` for `/me/emails/<uuid>`. */
  private templateOf(path: string): string {
    if (this.doc.paths[path]) return path;
    const template = Object.keys(this.doc.paths).find((t) =>
      t.includes('{') && new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
    );
    return template ?? path;
  }

  check(method: string, url: string, res: RestResponse): void {
    const path = this.templateOf(new URL(url, 'http://x').pathname);
    const where = `${method} ${path} → ${res.status}: ${res.text.slice(0, 300)}`;
    const operation = this.doc.paths[path]?.[method === 'HEAD' ? 'get' : method.toLowerCase()];
    let base: string;
    let spec: Doc | undefined;
    if (operation) {
      const opPointer = pointer('paths', path, method === 'HEAD' ? 'get' : method.toLowerCase(), 'responses');
      const key = operation.responses[String(res.status)] ? String(res.status) : 'default';
      spec = operation.responses[key];
      expect(spec, `undocumented status: ${where}`).toBeDefined();
      expect(res.status === 500 && key === 'default', `a 500: ${where}`).toBe(false);
      base = `${opPointer}/${pointer(key)}`;
    } else {
      // Methods a path does not have, and unknown paths, are not operations.
      expect([404, 405], `no operation for ${method} ${path}: ${where}`).toContain(res.status);
      base = pointer('components', 'responses', res.status === 405 ? 'MethodNotAllowed' : 'NotFound');
      spec = this.doc.components.responses[res.status === 405 ? 'MethodNotAllowed' : 'NotFound'];
    }
    if (spec?.$ref) {
      const name = String(spec.$ref).split('/').at(-1)!;
      base = pointer('components', 'responses', name);
      spec = this.doc.components.responses[name];
    }
    this.checked.add(`${method} ${path} ${res.status}`);

    for (const [name, header] of Object.entries<Doc>(spec!.headers ?? {})) {
      if (header.required) expect(res.headers.get(name), `required header ${name}: ${where}`).not.toBeNull();
    }
    const contentType = res.headers.get('content-type');
    if (!spec!.content) {
      expect(res.text, `no body expected: ${where}`).toBe('');
      return;
    }
    if (method === 'HEAD') return;
    expect(contentType, where).not.toBeNull();
    const mediaType = contentType!.split(';')[0]!.trim();
    expect(Object.keys(spec!.content), `undocumented content type ${contentType}: ${where}`).toContain(mediaType);
    expect(contentType, where).toBe(`${mediaType}; charset=utf-8`);
    const validate = this.ajv.getSchema(`openapi.json#/${base}/content/${pointer(mediaType)}/schema`);
    expect(validate, `schema for ${where}`).toBeDefined();
    // JSON bodies are checked parsed; anything else (the HTML pages) as its text.
    if (!validate!(/json/.test(mediaType) ? res.body : res.text)) {
      throw new Error(`response does not match the OpenAPI document: ${where}\n${JSON.stringify(validate!.errors, null, 2)}`);
    }
  }
}

export function restClient(baseUrl: string, checker: OpenApiChecker) {
  async function request<T = any>(method: string, path: string, options: RestRequest = {}): Promise<RestResponse<T>> {
    const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
    let body: string | undefined;
    if (options.raw !== undefined || options.json !== undefined) {
      body = options.raw ?? JSON.stringify(options.json);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    Object.assign(headers, options.headers);
    // Redirects (the pages' 303s) are what is checked, not followed.
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    const res: RestResponse<T> = {
      status: response.status,
      headers: response.headers,
      text,
      body: text && /json/.test(contentType) ? JSON.parse(text) : (undefined as T),
    };
    expect(res.status, `${method} ${path} answered 500: ${text}`).not.toBe(500);
    // On every response of the REST plugin, errors and 304 included (the health routes are app.ts's).
    if (!/^\/(healthz|readyz)\b/.test(path)) {
      expect(res.headers.get('cache-control'), `${method} ${path}`).toBe('no-store');
      expect(res.headers.get('x-content-type-options'), `${method} ${path}`).toBe('nosniff');
    }
    checker.check(method, path, res);
    return res;
  }
  return {
    request,
    get: <T = any>(path: string, options?: RestRequest) => request<T>('GET', path, options),
    patch: <T = any>(path: string, json: unknown, options?: RestRequest) => request<T>('PATCH', path, { json, ...options }),
    delete: (path: string, options?: RestRequest) => request('DELETE', path, options),
    put: <T = any>(path: string, options?: RestRequest) => request<T>('PUT', path, options),
    post: <T = any>(path: string, json?: unknown, options?: RestRequest) => request<T>('POST', path, { json, ...options }),
    /** POST /signup with a fresh email; returns the response and what was sent. */
    async signUp(overrides: Record<string, unknown> = {}) {
      const input = { email: uniqueEmail('rest'), password: PASSWORD, name: 'Rest User', ...overrides };
      const res = await request<{ token: string; expiresAt: string; user: Record<string, any> }>('POST', '/signup', { json: input });
      expect(res.status, res.text).toBe(201);
      return { ...res.body, email: input.email as string, password: input.password as string };
    },
  };
}

export type RestClient = ReturnType<typeof restClient>;

/** The served document and a client checking against it. */
export async function restClientFor(baseUrl: string): Promise<{ api: RestClient; checker: OpenApiChecker }> {
  const doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as Doc;
  const checker = new OpenApiChecker(doc);
  return { api: restClient(baseUrl, checker), checker };
}

/** A client of `t` (see useTestApp) made in a beforeAll, checking against the document `t` serves. */
export function useRestClient(t: TestApp): { api: RestClient; checker: OpenApiChecker } {
  let made: { api: RestClient; checker: OpenApiChecker } | undefined;
  beforeAll(async () => {
    made = await restClientFor(t.url);
  });
  return { api: forwardTo(() => made?.api, 'the REST client'), checker: forwardTo(() => made?.checker, 'the OpenAPI checker') };
}
