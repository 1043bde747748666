/**
 * examples/client, the app client teams copy, against the running service: its typed GraphQL
 * operations through @apollo/client, its REST client through openapi-fetch, and its demo script run
 * as a process. Also: its generated types map every custom scalar to string and hold no federation
 * internals, and its REST types are those of the served /openapi.json.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, fieldErrors } from '../../examples/client/src/client.js';
import { Emails } from '../../examples/client/src/operations/emails.js';
import { Me } from '../../examples/client/src/operations/me.js';
import { ChangePassword, RevokeOtherSessions, RevokeSession, Sessions } from '../../examples/client/src/operations/sessions.js';
import { SignUp } from '../../examples/client/src/operations/signUp.js';
import { UpdateMe } from '../../examples/client/src/operations/updateMe.js';
import { createRestClient } from '../../examples/client/src/rest.js';
import { startTestApp, uniqueEmail, type TestApp } from '../helpers.js';

const run = promisify(execFile);
const EXAMPLE = path.resolve('examples/client');
const bin = (name: string) => path.resolve('node_modules/.bin', name);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('examples/client', () => {
  it('signs up, reads me and updates the profile through its typed operations', async () => {
    const session: { token?: string } = {};
    const client = createClient({ url: t.url, token: () => session.token });
    const email = uniqueEmail('example');

    const signedUp = await client.mutate({ mutation: SignUp, variables: { input: { email, password: 'a long passphrase', name: 'Example' } } });
    session.token = signedUp.data!.signUp.token;
    expect(session.token).toMatch(/^pgw_/);
    expect(signedUp.data!.signUp.user).toMatchObject({ name: 'Example', status: 'PENDING', defaultEmail: email });

    const { data } = await client.query({ query: Me, fetchPolicy: 'network-only' });
    expect(data!.me).toMatchObject({ id: signedUp.data!.signUp.user.id, name: 'Example', status: 'PENDING', activeSessions: 1, defaultEmail: email });

    const refused = await client.mutate({ mutation: UpdateMe, variables: { input: { locale: 'english', timezone: 'Mars/Base', bio: 'ok' } } }).catch((error: unknown) => error);
    expect(fieldErrors(refused)).toEqual({
      locale: 'has an unknown language "english"',
      timezone: 'must be an IANA time zone name, such as Europe/Paris',
    });

    const updated = await client.mutate({ mutation: UpdateMe, variables: { input: { bio: 'Hello', locale: 'en-gb', timezone: 'europe/paris' } } });
    expect(updated.data!.updateMe).toMatchObject({ bio: 'Hello', locale: 'en-GB', timezone: 'Europe/Paris' });
  });

  it('lists and ends sessions, changes the password and reads the emails through its typed operations', async () => {
    const email = uniqueEmail('example-sessions');
    const tokens: { first?: string; second?: string } = {};
    const first = createClient({ url: t.url, token: () => tokens.first });
    const second = createClient({ url: t.url, token: () => tokens.second });
    tokens.first = (await first.mutate({ mutation: SignUp, variables: { input: { email, password: 'a long passphrase', name: 'Sessions' } } })).data!.signUp.token;
    tokens.second = (await second.mutate({ mutation: SignUp, variables: { input: { email: uniqueEmail('other'), password: 'a long passphrase', name: 'Other' } } })).data!.signUp.token;

    const listed = (await first.query({ query: Sessions, fetchPolicy: 'network-only' })).data!.me!;
    expect(listed.activeSessions).toBe(1);
    expect(listed.sessions).toEqual([expect.objectContaining({ current: true, userAgent: expect.any(String) })]);
    const notMine = (await second.query({ query: Sessions, fetchPolicy: 'network-only' })).data!.me!.sessions![0]!.id;
    const refused = await first.mutate({ mutation: RevokeSession, variables: { id: notMine } }).catch((error: unknown) => error);
    expect(String(refused)).toContain('No such session');

    expect((await first.mutate({ mutation: RevokeOtherSessions })).data!.revokeOtherSessions).toBe(0);
    const changed = await first.mutate({ mutation: ChangePassword, variables: { currentPassword: 'a long passphrase', newPassword: 'another long passphrase' } });
    expect(changed.data!.changePassword).toBe(true);

    const emails = (await first.query({ query: Emails, fetchPolicy: 'network-only' })).data!.me!;
    expect(emails).toMatchObject({ status: 'PENDING', defaultEmail: email, emails: [{ address: email, isDefault: true, verified: false, verifiedAt: null }] });
    expect((await first.mutate({ mutation: RevokeSession, variables: { id: listed.sessions![0]!.id } })).data!.revokeSession).toBe(true);
  });

  it('reads and updates the same profile through its REST client, typed from /openapi.json', async () => {
    const session: { token?: string } = {};
    const rest = createRestClient({ url: t.url, token: () => session.token });
    const signedUp = await rest.POST('/signup', { body: { email: uniqueEmail('rest-example'), password: 'a long passphrase', name: 'Rest' } });
    expect(signedUp.response.status).toBe(201);
    session.token = signedUp.data!.token;

    const me = await rest.GET('/me');
    expect(me.data).toMatchObject({ id: signedUp.data!.user.id, name: 'Rest', status: 'pending' });

    const refused = await rest.PATCH('/me', { body: { locale: 'english', timezone: 'Mars/Base' } });
    expect(refused.response.status).toBe(422);
    expect(refused.error?.errors?.map((e) => e.field)).toEqual(['locale', 'timezone']);

    const patched = await rest.PATCH('/me', { body: { locale: 'en-gb' } });
    expect(patched.data?.locale).toBe('en-GB');
  });

  it('runs its demo script against a started service', async () => {
    const { stdout } = await run(bin('tsx'), [path.join(EXAMPLE, 'src/main.ts')], { env: { ...process.env, PROFILE_GATEWAY_URL: t.url } });
    const steps = Object.fromEntries(stdout.trim().split('\n').map((line) => JSON.parse(line) as { step: string; value: unknown }).map((l) => [l.step, l.value]));
    expect(steps['me']).toEqual({ name: 'Example', status: 'pending' });
    expect(Object.keys(steps['updateMe refused'] as object)).toEqual(['locale', 'timezone']);
    expect(steps['updateMe']).toMatchObject({ bio: 'Hello', locale: 'en-GB', timezone: 'Europe/Paris' });
    expect(steps['GET /me']).toMatchObject({ name: 'Example', bio: 'Hello', locale: 'en-GB' });
  }, 60_000);

  it('types every custom scalar as string and has none of federation’s _Any, _Entity, _service', async () => {
    const generated = await readFile(path.join(EXAMPLE, 'src/gql/graphql.ts'), 'utf8');
    const scalars = /export type Scalars = \{([\s\S]*?)\n\};/.exec(generated)?.[1] ?? '';
    for (const scalar of ['UUID', 'DateTime', 'EmailAddress', 'URL', 'PhoneNumber', 'Locale', 'TimeZone']) {
      expect(scalars).toContain(`  ${scalar}: { input: string; output: string; }`);
    }
    expect(scalars).not.toMatch(/\b(unknown|any)\b/);
    // Descriptions may mention them; no type or field may be one of them.
    const code = generated.replace(/\/\*[\s\S]*?\*\//g, '');
    expect(code).toContain('export type User = {');
    expect(code).not.toMatch(/_Any|_Entity|_service|_entities|_Service/);
  });

  it('has the REST types of the /openapi.json the service serves (else: npm run openapi -w examples/client)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pgw-example-'));
    try {
      await writeFile(path.join(dir, 'openapi.json'), await (await fetch(`${t.url}/openapi.json`)).text());
      await run(bin('openapi-typescript'), [path.join(dir, 'openapi.json'), '-o', path.join(dir, 'api.d.ts')]);
      expect(await readFile(path.join(dir, 'api.d.ts'), 'utf8')).toBe(await readFile(path.join(EXAMPLE, 'src/rest/api.d.ts'), 'utf8'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
