import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, signUp, startTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('smoke', () => {
  it('signs up and reads me', async () => {
    const user = await signUp(t.url);
    const res = await gql(t.url, '{ me { id name status activeSessions } }', undefined, user.token);
    expect(res.data?.me).toMatchObject({ id: user.id, name: 'Test User', status: 'PENDING', activeSessions: 1 });
  });
});
