/**
 * Bad input to updateMe and signUp is reported the same way whichever field is bad: every
 * offending field of one request at once, one BAD_USER_INPUT error per field with its
 * `extensions.field`, HTTP 200, and the same fields and messages REST lists in its 422 — whether
 * the value came in a variable or as a literal, and whether a graphql-scalars syntax check would
 * have refused it (`Mars/Base`, `not a url`) or not (`english`, `ftp://x`). A value of the wrong
 * JSON type (a number for a string) is still a malformed request: 400 (hostile.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, PASSWORD, signUp, startTestApp, uniqueEmail, type GraphQLResponse, type SignedUp, type TestApp } from '../helpers.js';
import { restClientFor, type RestClient } from './rest-client.js';

const UPDATE = 'mutation ($input: UpdateMeInput!) { updateMe(input: $input) { id } }';
const SIGN_UP = 'mutation ($input: SignUpInput!) { signUp(input: $input) { token } }';
const ME = '{ me { name bio avatarUrl locale timezone updatedAt } }';

let t: TestApp;
let api: RestClient;
let user: SignedUp;

beforeAll(async () => {
  t = await startTestApp();
  ({ api } = await restClientFor(t.url));
  user = await signUp(t.url);
});
afterAll(async () => {
  await t?.close();
});

/** The `{ field, message }` list a GraphQL answer gives, in the REST shape. */
function fieldErrors(res: GraphQLResponse, operation: string) {
  expect(res.status).toBe(200);
  expect(res.data).toBeNull();
  return (res.errors ?? []).map((error) => {
    expect(error.path).toEqual([operation]);
    expect(Object.keys(error.extensions ?? {}).sort()).toEqual(['code', 'field']);
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    const field = error.extensions!.field as string;
    expect(error.message.startsWith(`${field}: `), error.message).toBe(true);
    return { field, message: error.message.slice(field.length + 2) };
  });
}

const me = async () => (await gql(t.url, ME, undefined, user.token)).data!.me;

describe('updateMe', () => {
  const bad = { name: '', avatarUrl: 'ftp://x', locale: 'english', timezone: 'Mars/Base' };

  it('reports every bad field at once, each with extensions.field, as REST does, and writes nothing', async () => {
    const before = await me();
    const res = await gql(t.url, UPDATE, { input: { bio: 'would be fine', ...bad } }, user.token);
    const errors = fieldErrors(res, 'updateMe');
    expect(errors.map((e) => e.field)).toEqual(['name', 'avatarUrl', 'locale', 'timezone']);

    const rest = await api.patch('/me', { bio: 'would be fine', ...bad }, { token: user.token });
    expect(rest.status).toBe(422);
    expect(errors).toEqual(rest.body.errors);
    expect(await me()).toEqual(before);
  });

  it('the same from literals in the document', async () => {
    const res = await gql(
      t.url,
      'mutation { updateMe(input: { name: "", avatarUrl: "ftp://x", locale: "english", timezone: "Mars/Base" }) { id } }',
      undefined,
      user.token,
    );
    expect(fieldErrors(res, 'updateMe').map((e) => e.field)).toEqual(['name', 'avatarUrl', 'locale', 'timezone']);
  });

  it('gives the same status and shape whichever single field is bad, syntax or meaning', async () => {
    const cases: [string, string][] = [
      ['timezone', 'Mars/Base'],
      ['timezone', 'not a zone'],
      ['locale', 'english'],
      ['locale', 'en_US'],
      ['locale', '!!'],
      ['avatarUrl', 'ftp://x'],
      ['avatarUrl', 'not a url'],
      ['name', ' '],
    ];
    for (const [field, value] of cases) {
      const viaVariable = await gql(t.url, UPDATE, { input: { [field]: value } }, user.token);
      expect(fieldErrors(viaVariable, 'updateMe').map((e) => e.field), `${field}: ${value}`).toEqual([field]);
      const viaLiteral = await gql(t.url, `mutation { updateMe(input: { ${field}: ${JSON.stringify(value)} }) { id } }`, undefined, user.token);
      expect(fieldErrors(viaLiteral, 'updateMe'), `${field}: ${value}`).toEqual(fieldErrors(viaVariable, 'updateMe'));
    }
  });

  it('still normalises what the scalars no longer check', async () => {
    const res = await gql(
      t.url,
      'mutation ($input: UpdateMeInput!) { updateMe(input: $input) { avatarUrl locale timezone } }',
      { input: { avatarUrl: 'HTTPS://Example.com/a b', locale: 'EN-gb', timezone: 'europe/paris' } },
      user.token,
    );
    // A space is refused (REST alike); the rest is stored canonical.
    expect(fieldErrors(res, 'updateMe')).toEqual([{ field: 'avatarUrl', message: 'must not contain whitespace or control characters' }]);
    const ok = await gql(
      t.url,
      'mutation ($input: UpdateMeInput!) { updateMe(input: $input) { avatarUrl locale timezone } }',
      { input: { avatarUrl: 'HTTPS://Example.com/a', locale: 'EN-gb', timezone: 'europe/paris' } },
      user.token,
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.updateMe).toEqual({ avatarUrl: 'https://example.com/a', locale: 'en-GB', timezone: 'Europe/Paris' });
  });
});

describe('signUp', () => {
  it('reports every bad field at once, as POST /signup does, and creates nothing', async () => {
    const email = 'not-an-email';
    const input = { email, password: 'short', name: '', phoneNumber: '415-555-2671' };
    const res = await gql(t.url, SIGN_UP, { input });
    const errors = fieldErrors(res, 'signUp');
    expect(errors.map((e) => e.field)).toEqual(['email', 'password', 'name', 'phoneNumber']);

    const rest = await api.post('/signup', input);
    expect(rest.status).toBe(422);
    expect(errors).toEqual(rest.body.errors);
  });

  it('a bad email or phone number alone is a 200 with that one field, like a bad password', async () => {
    for (const [field, value] of [
      ['email', 'a@b@c'],
      ['phoneNumber', '+1 555'],
      ['password', 'short'],
    ] as const) {
      const input = { email: uniqueEmail('one'), password: PASSWORD, name: 'One', [field]: value };
      const res = await gql(t.url, SIGN_UP, { input });
      expect(fieldErrors(res, 'signUp').map((e) => e.field), field).toEqual([field]);
    }
  });
});
