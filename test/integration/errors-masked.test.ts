/**
 * A programming error and a SQL error, provoked through deliberately broken services, in
 * development, test and production: the client gets INTERNAL_SERVER_ERROR with a request id and
 * nothing else (no message, stack trace, SQL, table or file name); the log has the details under
 * that request id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/db/repositories.js';
import type { Services } from '../../src/domain/services.js';
import { createTestDatabase, gql, PASSWORD, signUp, startTestApp, uniqueEmail, type SignedUp, type TestApp, type TestDatabase, logLines, NO_SMTP } from '../helpers.js';

const SECRET = 'pgw-internal-detail-7f3a';
/** What must never reach a client: our marker, SQL, the table, stack frames, paths. */
const LEAKS = [SECRET, /select\b/i, /no_such_table/, /\bat \S+ \(/, /\.ts:\d+/, /node_modules/, /stack/i, /relation/i, /syntax error/i];

/** Services whose profile update throws a TypeError and whose logIn/signUp run broken SQL. */
function broken(services: Services, repos: Repositories): Services {
  const brokenSql = async (): Promise<never> => {
    await repos.db.query(`select ${SECRET.replaceAll('-', '_')} from no_such_table where secret = $1`, [SECRET]);
    throw new Error('unreachable');
  };
  const profiles = Object.create(services.profiles) as Services['profiles'];
  profiles.updateProfile = async () => {
    const missing = undefined as unknown as { bio: string };
    return (missing.bio + SECRET) as never; // TypeError: Cannot read properties of undefined
  };
  const sessions = Object.create(services.sessions) as Services['sessions'];
  sessions.logIn = brokenSql;
  sessions.signUp = brokenSql;
  return { ...services, profiles, sessions };
}

function expectNoLeak(text: string, what: string): void {
  for (const leak of LEAKS) expect(text, `${what} leaks ${leak}`).not.toMatch(leak);
}

/** One database for the file: a healthy app signs the user up, then each broken app opens it. */
let testDb: TestDatabase;
let user: SignedUp;
beforeAll(async () => {
  testDb = await createTestDatabase();
  const healthy = await startTestApp({}, testDb);
  user = await signUp(healthy.url);
  await healthy.close();
});
afterAll(async () => {
  await testDb?.drop();
});

for (const nodeEnv of ['development', 'test', 'production']) {
  describe(`NODE_ENV=${nodeEnv}`, () => {
    let t: TestApp;
    const lines: string[] = [];
    beforeAll(async () => {
      const logStream = logLines(lines);
      t = await startTestApp({ NODE_ENV: nodeEnv, SMTP_URL: NO_SMTP, LOG_LEVEL: 'info' }, testDb, { logStream, services: broken });
    });
    afterAll(async () => {
      await t?.close();
    });

    const loggedFor = (requestId: string) => lines.map((l) => JSON.parse(l)).filter((l) => l.reqId === requestId);

    it('a programming error in a resolver: INTERNAL_SERVER_ERROR with the request id, details only in the log', async () => {
      const res = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
        body: JSON.stringify({ query: 'mutation { updateMe(input: { bio: "x" }) { id } }' }),
      });
      const text = await res.text();
      const requestId = res.headers.get('x-request-id')!;
      expect(JSON.parse(text)).toEqual({
        data: null,
        errors: [{ message: 'Internal server error.', locations: [{ line: 1, column: 12 }], path: ['updateMe'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }],
      });
      expectNoLeak(text, 'GraphQL body');
      const logged = JSON.stringify(loggedFor(requestId));
      expect(logged).toContain('TypeError');
      expect(logged).toContain('Cannot read properties of undefined');
    });

    it('a SQL error in a resolver: the same, and the SQL only in the log', async () => {
      const res = await gql(t.url, 'mutation ($e: EmailAddress!, $p: String!) { logIn(email: $e, password: $p) { token } }', { e: user.email, p: PASSWORD });
      const requestId = res.headers.get('x-request-id')!;
      expect(res.data).toBeNull();
      expect(res.errors).toEqual([expect.objectContaining({ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } })]);
      expectNoLeak(JSON.stringify(res), 'GraphQL body');
      expect(JSON.stringify(loggedFor(requestId))).toMatch(/no_such_table/);
    });

    it('REST: 500 problem+json with the request id, for a programming error and a SQL error', async () => {
      const answers = [
        await fetch(`${t.url}/me`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
          body: JSON.stringify({ bio: 'x' }),
        }),
        await fetch(`${t.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: PASSWORD }) }),
        await fetch(`${t.url}/signup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD, name: 'Broken' }),
        }),
      ];
      for (const res of answers) {
        const text = await res.text();
        const requestId = res.headers.get('x-request-id')!;
        expect(res.status).toBe(500);
        expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
        expect(JSON.parse(text)).toEqual({
          type: 'about:blank',
          title: 'Internal Server Error',
          status: 500,
          detail: 'Internal server error.',
          code: 'INTERNAL_SERVER_ERROR',
          requestId,
        });
        expectNoLeak(text, `REST ${res.url}`);
        expect(loggedFor(requestId).some((l) => l.level === 50 && l.err)).toBe(true);
      }
    });

    it('an error while authenticating (before any resolver) is masked too', async () => {
      const authenticate = t.services.sessions.authenticate;
      t.services.sessions.authenticate = async () => {
        throw new TypeError(`${SECRET} in authenticate`);
      };
      try {
        const graphql = await fetch(`${t.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
          body: JSON.stringify({ query: '{ me { id } }' }),
        });
        const graphqlText = await graphql.text();
        expect(graphql.status).toBe(500);
        expect(JSON.parse(graphqlText).errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
        expectNoLeak(graphqlText, 'GraphQL context');
        const rest = await fetch(`${t.url}/me`, { headers: { authorization: `Bearer ${user.token}` } });
        const restText = await rest.text();
        expect(rest.status).toBe(500);
        expectNoLeak(restText, 'REST authenticate');
      } finally {
        t.services.sessions.authenticate = authenticate;
      }
    });
  });
}
