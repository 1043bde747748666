/**
 * The subgraph as a router (or anyone who can reach it without one) sees it: `_service { sdl }`,
 * and `_entities` with its batching, its nulls, its errors and the privacy of User's fields.
 */
import { randomUUID } from 'node:crypto';
import { Kind, parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeDueAccounts } from '../../src/jobs/purge.js';
import { gql, signUp, startTestApp, statementCounter, type SignedUp, type TestApp } from '../helpers.js';

const PUBLIC = 'id name bio avatarUrl createdAt updatedAt';
const PRIVATE = ['status', 'activeSessions', 'defaultEmail', 'phoneNumber', 'locale', 'timezone'] as const;
/** Every private field, the lists (which need a selection of their own) included. */
const PRIVATE_FIELDS = [...PRIVATE, 'emails', 'sessions'];

const ENTITIES = (selection: string) =>
  `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { ${selection} } } }`;
const users = (...ids: unknown[]) => ({ representations: ids.map((id) => ({ __typename: 'User', id })) });

let t: TestApp;
let ada: SignedUp;
let bob: SignedUp;

let statements: ReturnType<typeof statementCounter>;

beforeAll(async () => {
  t = await startTestApp();
  ada = await signUp(t.url, { name: 'Ada', phoneNumber: '+14155552671' });
  bob = await signUp(t.url, { name: 'Bob' });
  await gql(t.url, 'mutation { updateMe(input: { bio: "Hi", locale: "en-gb", timezone: "Europe/Paris" }) { id } }', undefined, ada.token);
  statements = statementCounter();
});
afterAll(async () => {
  statements?.restore();
  await t?.close();
});

describe('_service', () => {
  it('carries the federation v2.7 @link and User @key(fields: "id")', async () => {
    const res = await gql(t.url, '{ _service { sdl } }');
    expect(res.errors).toBeUndefined();
    const sdl = parse(res.data!._service.sdl as string);
    const links = sdl.definitions
      .filter((d) => d.kind === Kind.SCHEMA_EXTENSION)
      .flatMap((d) => d.directives ?? [])
      .filter((d) => d.name.value === 'link')
      .map((d) => print(d));
    expect(links).toContainEqual('@link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@tag", "@authenticated"])');
    const user = sdl.definitions.find((d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'User');
    expect(user && 'directives' in user ? user.directives?.map((d) => print(d)) : []).toEqual(['@key(fields: "id")']);
  });

  it('marks exactly the private User fields @tag(name: "private") @authenticated, and makes them nullable', async () => {
    const res = await gql(t.url, '{ _service { sdl } }');
    const sdl = parse(res.data!._service.sdl as string);
    const user = sdl.definitions.find((d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'User');
    const fields = user && 'fields' in user ? (user.fields ?? []) : [];
    const marked = fields.filter((f) => f.directives?.some((d) => d.name.value === 'tag'));
    expect(marked.map((f) => f.name.value).sort()).toEqual([...PRIVATE_FIELDS].sort());
    for (const field of marked) {
      expect(field.directives?.map((d) => print(d)), field.name.value).toEqual(['@tag(name: "private")', '@authenticated']);
      expect(field.type.kind, field.name.value).not.toBe(Kind.NON_NULL_TYPE);
    }
    expect(fields.filter((f) => f.directives?.some((d) => d.name.value === 'authenticated')).length).toBe(PRIVATE_FIELDS.length);
  });
});

describe('_entities', () => {
  it('resolves public fields of any user, without a token', async () => {
    const res = await gql(t.url, ENTITIES(PUBLIC), users(ada.id, bob.id));
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([
      expect.objectContaining({ id: ada.id, name: 'Ada', bio: 'Hi', avatarUrl: null }),
      expect.objectContaining({ id: bob.id, name: 'Bob', bio: null }),
    ]);
  });

  it('loads many representations with ONE database query', async () => {
    const others = await Promise.all([1, 2, 3].map((n) => signUp(t.url, { name: `User ${n}` })));
    const ids = [ada.id, bob.id, ...others.map((o) => o.id), randomUUID(), ada.id];
    // Warm up: the first request of a connection may run set-up statements of its own.
    await gql(t.url, ENTITIES('id'), users(ada.id));

    const { result, queries } = await statements.count(() => gql(t.url, ENTITIES('id name'), users(...ids)));
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((u: { id: string } | null) => u?.id ?? null)).toEqual([...ids.slice(0, 5), null, ada.id]);
    expect(queries).toHaveLength(1);
    expect(queries[0]).toMatch(/from users u where u.id = any/);

    // With a token: the session lookup, then still one query for all of them.
    const authed = await statements.count(() => gql(t.url, ENTITIES('id name'), users(...ids), ada.token));
    expect(authed.result.errors).toBeUndefined();
    expect(authed.queries.filter((q) => /from users u where u.id = any/.test(q))).toHaveLength(1);
    expect(authed.queries.filter((q) => /from sessions/.test(q))).toHaveLength(1);
  });

  it('gives null for an unknown id', async () => {
    const res = await gql(t.url, ENTITIES(PUBLIC), users(randomUUID()));
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([null]);
  });

  it('gives null for a deleted user, and for a purged one', async () => {
    const carol = await signUp(t.url, { name: 'Carol' });
    const deleted = await gql(t.url, 'mutation { deleteMe { id status } }', undefined, carol.token);
    expect(deleted.data?.deleteMe).toEqual({ id: carol.id, status: 'DELETED' });
    const afterDelete = await gql(t.url, ENTITIES(PUBLIC), users(carol.id, bob.id));
    expect(afterDelete.errors).toBeUndefined();
    expect(afterDelete.data!._entities).toEqual([null, expect.objectContaining({ id: bob.id })]);

    expect(await purgeDueAccounts(t.repos)).toBeGreaterThanOrEqual(1);
    const rows = await t.sql('select id from users where id = $1', [carol.id]);
    expect(rows).toEqual([]);
    const afterPurge = await gql(t.url, ENTITIES(PUBLIC), users(carol.id));
    expect(afterPurge.errors).toBeUndefined();
    expect(afterPurge.data!._entities).toEqual([null]);
  });

  it('accepts an upper-case id and answers with the canonical lower-case one', async () => {
    const res = await gql(t.url, ENTITIES('id name'), users(bob.id.toUpperCase()));
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([{ id: bob.id, name: 'Bob' }]);
  });

  it('refuses a malformed id with a clear BAD_USER_INPUT on that entry only, never a 500', async () => {
    const bad = ['not-a-uuid', 42, null, "' or 1=1 --", `${ada.id}x`];
    const res = await gql(t.url, ENTITIES('id name'), users(bob.id, ...bad));
    expect(res.status).toBe(200);
    expect(res.data!._entities).toEqual([{ id: bob.id, name: 'Bob' }, null, null, null, null, null]);
    expect(res.errors).toHaveLength(bad.length);
    for (const [i, error] of res.errors!.entries()) {
      expect(error).toMatchObject({
        message: 'id: A User representation needs an `id` that is a UUID.',
        path: ['_entities', i + 1],
        extensions: { code: 'BAD_USER_INPUT', field: 'id' },
      });
    }

    const missing = await gql(t.url, ENTITIES('id'), { representations: [{ __typename: 'User' }] });
    expect(missing.status).toBe(200);
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('refuses a representation of a type this subgraph does not resolve, as the caller’s mistake', async () => {
    for (const representation of [{ __typename: 'Review', id: '1' }, { id: ada.id }, { __typename: 'UUID', id: ada.id }]) {
      const res = await gql(t.url, ENTITIES('id'), { representations: [representation] });
      expect(res.status).toBe(200);
      expect(res.data).toBeNull(); // _entities is non-null
      expect(res.errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/^Representation 0 has __typename .*; this subgraph resolves User\.$/),
          extensions: { code: 'BAD_USER_INPUT', field: 'representations' },
        }),
      ]);
    }
  });
});

describe('privacy of User fields', () => {
  const forbidden = (path: (string | number)[]) => ({
    message: 'This field is private to its user.',
    path,
    extensions: { code: 'FORBIDDEN' },
  });

  for (const [who, token] of [
    ['without a token', () => undefined],
    ['with another user’s token', () => bob.token],
    ['with a token that is not a live session', () => `pgw_${'A'.repeat(43)}`],
  ] as const) {
    describe(who, () => {
      for (const field of PRIVATE) {
        it(`${field} of someone else is null with FORBIDDEN on its path; public fields resolve`, async () => {
          const res = await gql(t.url, ENTITIES(`${PUBLIC} ${field}`), users(ada.id), token());
          expect(res.status).toBe(200);
          expect(res.errors).toEqual([expect.objectContaining(forbidden(['_entities', 0, field]))]);
          expect(res.data!._entities).toEqual([expect.objectContaining({ id: ada.id, name: 'Ada', bio: 'Hi', [field]: null })]);
        });
      }

      it('every private field at once gives one FORBIDDEN per field, nulls each, and never leaks a value', async () => {
        const res = await gql(t.url, ENTITIES(`${PUBLIC} ${PRIVATE.join(' ')}`), users(ada.id), token());
        expect((res.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code]).sort()).toEqual(
          PRIVATE.map((field) => [`_entities.0.${field}`, 'FORBIDDEN']).sort(),
        );
        expect(res.data!._entities).toEqual([
          expect.objectContaining({ id: ada.id, name: 'Ada', ...Object.fromEntries(PRIVATE.map((field) => [field, null])) }),
        ]);
        const body = JSON.stringify(res);
        for (const secret of ['+14155552671', 'en-GB', 'Europe/Paris', ada.email, 'PENDING']) expect(body).not.toContain(secret);
      });
    });
  }

  it('the user themself, with their token, sees their private fields through _entities', async () => {
    const res = await gql(t.url, ENTITIES(`${PUBLIC} ${PRIVATE.join(' ')}`), users(ada.id, bob.id), ada.token);
    expect(res.data!._entities[0]).toMatchObject({
      id: ada.id,
      name: 'Ada',
      status: 'PENDING',
      activeSessions: 1,
      defaultEmail: ada.email,
      phoneNumber: '+14155552671',
      locale: 'en-GB',
      timezone: 'Europe/Paris',
    });
    // Bob, in the same request, is someone else: his public fields resolve, each private one is refused.
    expect(res.data!._entities[1]).toMatchObject({ id: bob.id, name: 'Bob', status: null, activeSessions: null, defaultEmail: null });
    expect((res.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code]).sort()).toEqual(
      PRIVATE.map((field) => [`_entities.1.${field}`, 'FORBIDDEN']).sort(),
    );
  });

  it('me sees every private field, the required ones never null', async () => {
    const res = await gql(t.url, `{ me { ${PUBLIC} ${PRIVATE.join(' ')} } }`, undefined, ada.token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.me).toMatchObject({ id: ada.id, status: 'PENDING', activeSessions: 1, defaultEmail: ada.email, locale: 'en-GB' });
    const bobs = await gql(t.url, '{ me { status activeSessions defaultEmail phoneNumber } }', undefined, bob.token);
    expect(bobs.errors).toBeUndefined();
    expect(bobs.data!.me).toEqual({ status: 'PENDING', activeSessions: 1, defaultEmail: bob.email, phoneNumber: null });
  });

  it('the user in an AuthPayload is the caller themself: signUp and logIn show their private fields', async () => {
    const email = `self.${randomUUID()}@example.com`;
    const signed = await gql(
      t.url,
      'mutation ($input: SignUpInput!) { signUp(input: $input) { user { id status activeSessions defaultEmail } } }',
      { input: { email, password: 'a long passphrase', name: 'Self' } },
    );
    expect(signed.errors).toBeUndefined();
    expect(signed.data!.signUp.user).toMatchObject({ status: 'PENDING', activeSessions: 1, defaultEmail: email });
    // Logged in as Bob, logging in as Self: the payload's user is Self, and Self's fields are theirs.
    const logged = await gql(
      t.url,
      'mutation ($email: EmailAddress!) { logIn(email: $email, password: "a long passphrase") { user { id status defaultEmail } } }',
      { email },
      bob.token,
    );
    expect(logged.errors).toBeUndefined();
    expect(logged.data!.logIn.user).toMatchObject({ id: signed.data!.signUp.user.id, status: 'PENDING', defaultEmail: email });
  });
});
