/**
 * GraphQL's limits over real HTTP (API.md: depth 10 with Sandbox's introspection excepted, aliases
 * 15, tokens 1000, document 100 KB, no batched arrays, a body over 1 MB is a 413; directives 50):
 * each is a 400 with a message naming the limit, before any resolver runs (the mutations tried
 * here would change the user's bio; it never changes), and each is configurable.
 */
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, signUp, startTestApp, type SignedUp, type TestApp, NO_SMTP } from '../helpers.js';

let t: TestApp;
let user: SignedUp;
beforeAll(async () => {
  t = await startTestApp();
  user = await signUp(t.url);
});
afterAll(async () => {
  await t?.close();
});

const bioOf = async (base: string, token: string) => (await gql(base, '{ me { bio } }', undefined, token)).data?.me?.bio ?? null;

/** `__type` is not `__schema`: its nesting counts. Depth = fields nested, `name` at `depth`. */
function typeQuery(depth: number): string {
  return `{ __type(name: "User") { fields { type { ${'ofType { '.repeat(depth - 4)}name${' }'.repeat(depth - 4)} } } } }`;
}

/** A 400 from Apollo (parse or validation) with exactly this one error. */
function expectRefused(res: Awaited<ReturnType<typeof gql>>, code: string, message: RegExp): void {
  expect(res.status).toBe(400);
  expect(res.data ?? undefined).toBeUndefined();
  expect(res.errors).toHaveLength(1);
  expect(res.errors![0]!.extensions?.code).toBe(code);
  expect(res.errors![0]!.message).toMatch(message);
}

describe('depth (GRAPHQL_MAX_DEPTH, default 10)', () => {
  it('allows 10, refuses 11 and a depth bomb, naming the limit', async () => {
    expect((await gql(t.url, typeQuery(10))).errors).toBeUndefined();
    expectRefused(await gql(t.url, typeQuery(11)), 'GRAPHQL_VALIDATION_FAILED', /^Query depth limit of 10 exceeded, found 11\.$/);
    // As deep as 1000 tokens allow.
    expectRefused(await gql(t.url, typeQuery(300)), 'GRAPHQL_VALIDATION_FAILED', /^Query depth limit of 10 exceeded, found 300\.$/);
  });

  it('counts fields through fragments, inline or named', async () => {
    const viaFragments = `{ __type(name: "User") { ...F } } fragment F on __Type { fields { type { ... on __Type { ${'ofType { '.repeat(7)}name${' }'.repeat(7)} } } } }`;
    expectRefused(await gql(t.url, viaFragments), 'GRAPHQL_VALIDATION_FAILED', /depth limit of 10 exceeded, found 11/);
  });

  it('excepts the introspection query as Sandbox sends it', async () => {
    const full = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    const res = await gql(t.url, full);
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data!.__schema.queryType.name).toBe('Query');
  });

  it('refuses the whole document before any resolver runs, even the operation that was within limits', async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: `mutation M { updateMe(input: { bio: "deep" }) { id } } query Q ${typeQuery(12)}`, operationName: 'M' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].message).toMatch(/depth limit of 10 exceeded, found 12/);
    expect(await bioOf(t.url, user.token)).toBeNull();
  });
});

describe('aliases (GRAPHQL_MAX_ALIASES, default 15)', () => {
  const aliased = (n: number) => `mutation { ${Array.from({ length: n }, (_, i) => `a${i}: updateMe(input: { bio: "alias ${i}" }) { id }`).join(' ')} }`;

  it('refuses 16 before any resolver runs, naming the limit', async () => {
    expectRefused(await gql(t.url, aliased(16), undefined, user.token), 'GRAPHQL_VALIDATION_FAILED', /^Aliases limit of 15 exceeded, found 16\.$/);
    expect(await bioOf(t.url, user.token)).toBeNull();
  });

  it('allows 15', async () => {
    const res = await gql(t.url, `{ ${Array.from({ length: 15 }, (_, i) => `m${i}: me { id }`).join(' ')} }`, undefined, user.token);
    expect(res.errors).toBeUndefined();
    expect(Object.keys(res.data!)).toHaveLength(15);
  });

  it('5,000 aliases are refused while parsing (the token limit)', async () => {
    const started = Date.now();
    const query = `{ ${Array.from({ length: 5_000 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    expect(Buffer.byteLength(query)).toBeLessThan(102_400);
    const res = await gql(t.url, query, undefined, user.token);
    expectRefused(res, 'GRAPHQL_PARSE_FAILED', /more th\w+ 1000 tokens/);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await bioOf(t.url, user.token)).toBeNull();
  });
});

describe('tokens (GRAPHQL_MAX_TOKENS, default 1000)', () => {
  it('refuses a document over 1000 tokens as a parse failure (400), allows one under it', async () => {
    // `{` + n × `__typename` + `}` is n + 2 tokens. 1000 parse (graphql-js's own budget for
    // comparing so many same-named fields then stops validation, also with a 400).
    const within = await gql(t.url, `{ ${'__typename '.repeat(998)}}`);
    expect(within.errors?.[0]?.extensions?.code).not.toBe('GRAPHQL_PARSE_FAILED');
    expectRefused(await gql(t.url, `{ ${'__typename '.repeat(999)}}`), 'GRAPHQL_PARSE_FAILED', /^Syntax Error: Document contains more th\w+ 1000 tokens\. Parsing aborted\.$/);
  });
});

describe('directives (GRAPHQL_MAX_DIRECTIVES, default 50)', () => {
  it('refuses 51, allows 50', async () => {
    const withDirectives = (n: number) => `{ me { ${'id @include(if: true) '.repeat(n)}} }`;
    expect((await gql(t.url, withDirectives(50), undefined, user.token)).errors).toBeUndefined();
    expectRefused(await gql(t.url, withDirectives(51), undefined, user.token), 'GRAPHQL_VALIDATION_FAILED', /^Directives limit of 50 exceeded, found 51\.$/);
  });
});

describe('document size (GRAPHQL_MAX_DOCUMENT_BYTES, default 100 KB) and body size (1 MB)', () => {
  it('refuses a document over 100 KB before parsing it, with its size and the limit', async () => {
    const fits = `mutation { updateMe(input: { bio: "fits" }) { id } } # ${'x'.repeat(100 * 1024 - 60)}`;
    expect(Buffer.byteLength(fits)).toBeLessThanOrEqual(102_400);
    expect((await gql(t.url, fits, undefined, user.token)).errors).toBeUndefined();
    expect(await bioOf(t.url, user.token)).toBe('fits');
    await gql(t.url, 'mutation { updateMe(input: { bio: null }) { id } }', undefined, user.token);

    // Multi-byte characters count as the bytes they take.
    const over = `mutation { updateMe(input: { bio: "over" }) { id } } # ${'é'.repeat(51_200)}`;
    const res = await gql(t.url, over, undefined, user.token);
    expect(res.status).toBe(400);
    expect(res.errors).toEqual([
      { message: `The GraphQL document is ${Buffer.byteLength(over)} bytes; the limit is 102400 bytes.`, extensions: { code: 'BAD_REQUEST' } },
    ]);
    expect(await bioOf(t.url, user.token)).toBeNull();
  });

  it('413 for a body over 1 MB, in GraphQL’s shape', async () => {
    const res = await gql(t.url, '{ __typename }', { pad: 'x'.repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.errors).toEqual([{ message: 'The request body is over 1024 KB.', extensions: { code: 'PAYLOAD_TOO_LARGE' } }]);
  });

  it('refuses batched arrays', async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify([{ query: 'mutation { updateMe(input: { bio: "batched" }) { id } }' }, { query: '{ me { id } }' }]),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } }] });
    expect(await bioOf(t.url, user.token)).toBeNull();
  });
});

describe('configured limits', () => {
  let small: TestApp;
  beforeAll(async () => {
    small = await startTestApp({
      GRAPHQL_MAX_DEPTH: '3',
      GRAPHQL_MAX_ALIASES: '2',
      GRAPHQL_MAX_TOKENS: '40',
      GRAPHQL_MAX_DIRECTIVES: '1',
      GRAPHQL_MAX_DOCUMENT_BYTES: '200',
    });
  });
  afterAll(async () => {
    await small?.close();
  });

  it('applies each', async () => {
    expectRefused(await gql(small.url, '{ __type(name: "User") { fields { type { name } } } }'), 'GRAPHQL_VALIDATION_FAILED', /depth limit of 3 exceeded, found 4/);
    expectRefused(await gql(small.url, '{ a: me { id } b: me { id } c: me { id } }'), 'GRAPHQL_VALIDATION_FAILED', /Aliases limit of 2 exceeded, found 3/);
    expectRefused(await gql(small.url, `{ ${'a '.repeat(39)}}`), 'GRAPHQL_PARSE_FAILED', /more th\w+ 40 tokens/);
    expectRefused(await gql(small.url, '{ a: __typename @skip(if: false) b: __typename @skip(if: false) }'), 'GRAPHQL_VALIDATION_FAILED', /Directives limit of 1 exceeded, found 2/);
    const long = `{ __typename } # ${'x'.repeat(200)}`;
    expect((await gql(small.url, long)).errors?.[0]?.message).toMatch(/the limit is 200 bytes/);
    // The same over GET: the query string's document is checked too.
    const get = await fetch(`${small.url}/graphql?query=${encodeURIComponent(long)}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(400);
    expect(((await get.json()) as any).errors[0].message).toMatch(/the limit is 200 bytes/);
  });

  it('still excepts introspection from a smaller depth limit', async () => {
    const roomy = await startTestApp({ GRAPHQL_MAX_DEPTH: '2' });
    try {
      const full = await gql(roomy.url, getIntrospectionQuery());
      expect(full.errors).toBeUndefined();
    } finally {
      await roomy.close();
    }
  });
});

describe('field suggestions', () => {
  it('are given outside production', async () => {
    const res = await gql(t.url, '{ mee { id } }');
    expect(res.errors?.[0]?.message).toMatch(/Did you mean "me"\?/);
  });

  it('are hidden in production', async () => {
    const prod = await startTestApp({ NODE_ENV: 'production', SMTP_URL: NO_SMTP });
    try {
      for (const query of ['{ mee { id } }', '{ me { nam } }', 'mutation { updateMe(input: { bi: "x" }) { id } }']) {
        const res = await gql(prod.url, query);
        expect(res.status, query).toBe(400);
        expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(res.errors?.[0]?.message, query).not.toMatch(/Did you mean/);
      }
    } finally {
      await prod.close();
    }
  });
});
