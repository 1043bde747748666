/**
 * What a client does: sign up, read `me`, update the profile (a refused update first, to show the
 * per-field errors), then the same profile through REST. `PROFILE_GATEWAY_URL` (default
 * http://127.0.0.1:4000) names the service; each step prints one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { createClient, fieldErrors } from './client.js';
import { Me } from './operations/me.js';
import { SignUp } from './operations/signUp.js';
import { UpdateMe } from './operations/updateMe.js';
import { createRestClient } from './rest.js';

const url = process.env.PROFILE_GATEWAY_URL ?? 'http://127.0.0.1:4000';
const session: { token?: string } = {};
const client = createClient({ url, token: () => session.token });
const rest = createRestClient({ url, token: () => session.token });
const print = (step: string, value: unknown) => console.log(JSON.stringify({ step, value }));

const signedUp = await client.mutate({
  mutation: SignUp,
  variables: { input: { email: `example.${randomUUID()}@example.com`, password: 'a long passphrase', name: 'Example' } },
});
session.token = signedUp.data?.signUp.token;
print('signUp', signedUp.data?.signUp.user);

const { data } = await client.query({ query: Me, fetchPolicy: 'network-only' });
// `status` is nullable in the schema (private fields are null for other users); never through `me`.
print('me', { name: data?.me?.name, status: data?.me?.status?.toLowerCase() });

try {
  await client.mutate({ mutation: UpdateMe, variables: { input: { locale: 'english', timezone: 'Mars/Base' } } });
} catch (error) {
  print('updateMe refused', fieldErrors(error));
}

const updated = await client.mutate({ mutation: UpdateMe, variables: { input: { bio: 'Hello', locale: 'en-gb', timezone: 'europe/paris' } } });
print('updateMe', updated.data?.updateMe);

const viaRest = await rest.GET('/me');
print('GET /me', viaRest.data);
