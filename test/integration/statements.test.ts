/**
 * The hot paths' database work, counted at the driver: how many statements each common request
 * sends (issue 6: every request checks its session in PostgreSQL, and does little else), and that
 * folding the account facts into the session lookup never answers stale facts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, PASSWORD, signUp, statementCounter, useTestApp, type SignedUp } from '../helpers.js';
import { useRestClient } from './rest-client.js';

const t = useTestApp();
const { api } = useRestClient(t);
let ada: SignedUp;
let statements: ReturnType<typeof statementCounter>;

beforeAll(async () => {
  ada = await signUp(t.url, { name: 'Ada' });
  statements = statementCounter();
  // Warm up: a connection's first use may run set-up statements of its own.
  for (let i = 0; i < 3; i++) {
    await gql(t.url, '{ me { id activeSessions defaultEmail } }', undefined, ada.token);
    await api.get('/me', { token: ada.token });
  }
});
afterAll(() => {
  statements?.restore();
});

describe('statements per request', () => {
  it('GraphQL me: one, the session lookup, with the account facts only when the document asks for them', async () => {
    const small = await statements.count(() => gql(t.url, '{ me { id name status createdAt } }', undefined, ada.token));
    expect(small.result.errors).toBeUndefined();
    expect(small.queries).toHaveLength(1);
    expect(small.queries[0]).toMatch(/from sessions s join users u/);
    expect(small.queries[0]).not.toMatch(/count\(\*\)/);

    const full = await statements.count(() =>
      gql(t.url, '{ me { id name status activeSessions defaultEmail createdAt updatedAt } }', undefined, ada.token),
    );
    expect(full.result.errors).toBeUndefined();
    expect(full.result.data!.me).toMatchObject({ activeSessions: 1, defaultEmail: ada.email });
    expect(full.queries).toHaveLength(1);
    expect(full.queries[0]).toMatch(/from sessions s join users u/);
    expect(full.queries[0]).toMatch(/count\(\*\)/);
  });

  it('REST GET /me: one; PATCH /me without If-Match: the lookup and one UPDATE', async () => {
    const get = await statements.count(async () => (await api.get('/me', { token: ada.token })).body);
    expect(get.result).toMatchObject({ id: ada.id, activeSessions: 1 });
    expect(get.queries).toHaveLength(1);

    const patch = await statements.count(async () => (await api.patch('/me', { bio: `bio ${Date.now()}` }, { token: ada.token })).body);
    expect(patch.result).toMatchObject({ id: ada.id });
    expect(patch.queries).toHaveLength(2);
    expect(patch.queries[1]).toMatch(/^update users u set bio = \$2/);
  });
});

describe('account facts read with the session', () => {
  it('agree with REST, through aliases, fragments and the viewer’s own _entities', async () => {
    const expected = (await api.get('/me', { token: ada.token })).body as { activeSessions: number; defaultEmail: string };
    const res = await gql(
      t.url,
      `query ($r: [_Any!]!) {
        me { n: activeSessions ...F }
        _entities(representations: $r) { ... on User { activeSessions defaultEmail } }
      }
      fragment F on User { e: defaultEmail }`,
      { r: [{ __typename: 'User', id: ada.id }] },
      ada.token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      me: { n: expected.activeSessions, e: expected.defaultEmail },
      _entities: [{ activeSessions: expected.activeSessions, defaultEmail: expected.defaultEmail }],
    });
  });

  it('a mutation reads them after its writes: logging in again as oneself counts the new session', async () => {
    const bob = await signUp(t.url, { name: 'Bob' });
    const res = await gql(
      t.url,
      'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { user { activeSessions } } }',
      { e: bob.email, p: PASSWORD },
      bob.token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.logIn.user.activeSessions).toBe(2);
    const after = await gql(t.url, '{ me { activeSessions } }', undefined, bob.token);
    expect(after.data!.me.activeSessions).toBe(2);
  });

  it('never outlive their request: a session revoked elsewhere is gone from the next answer', async () => {
    const carol = await signUp(t.url, { name: 'Carol' });
    const second = await gql(
      t.url,
      'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }',
      { e: carol.email, p: PASSWORD },
    );
    const otherToken = second.data!.logIn.token as string;
    expect((await gql(t.url, '{ me { activeSessions } }', undefined, carol.token)).data!.me.activeSessions).toBe(2);
    expect((await gql(t.url, 'mutation { logOut }', undefined, otherToken)).errors).toBeUndefined();
    expect((await gql(t.url, '{ me { activeSessions } }', undefined, carol.token)).data!.me.activeSessions).toBe(1);
    expect((await gql(t.url, '{ me { activeSessions } }', undefined, otherToken)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
