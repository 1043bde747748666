/**
 * The program as a newcomer runs it: `npm start`'s entry point in a child process on a fresh
 * embedded database, a demo token printed, Sandbox served, and a clean exit on SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, NO_SMTP } from '../helpers.js';
import { PROCESS_TEST_TIMEOUT_MS, startService, type ServiceProcess } from '../service-process.js';

// The banner is one write after "listening on"; give the pipe a moment to deliver all of it.
async function start(env: Record<string, string>): Promise<ServiceProcess> {
  const running = await startService({ LOG_LEVEL: 'warn', ...env });
  await new Promise((resolve) => setTimeout(resolve, 200));
  return running;
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'pgw-first-run-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

// Each test starts the program (some twice): generous bounds for a machine shared with other runs.
describe('first run on an embedded database', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let token: string;

  it('seeds an active demo user, prints its token, Sandbox URL and a curl line', async () => {
    const running = await start({ DATA_DIR: dataDir });
    try {
      const out = running.output();
      token = /Demo token:\s+(pgw_[A-Za-z0-9_-]{43})/.exec(out)?.[1] ?? '';
      expect(token, out).not.toBe('');
      expect(out).toContain('demo@example.com');
      expect(out).toContain(`${running.base}/graphql`);
      expect(out).toMatch(/curl -s \S+\/graphql .*authorization: Bearer pgw_/);

      const me = await gql(running.base, '{ me { id name status activeSessions createdAt defaultEmail } }', undefined, token);
      expect(me.data?.me).toMatchObject({ status: 'ACTIVE', activeSessions: 1, defaultEmail: 'demo@example.com' });

      const sandbox = await fetch(`${running.base}/graphql`, { headers: { accept: 'text/html' } });
      expect(sandbox.status).toBe(200);
      expect(sandbox.headers.get('content-type')).toContain('text/html');
      expect(await sandbox.text()).toMatch(/sandbox/i);

      expect((await fetch(`${running.base}/healthz`)).status).toBe(200);
      expect((await fetch(`${running.base}/readyz`)).status).toBe(200);
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('keeps its data across a restart, and prints a fresh demo token (a new session), not a new user', async () => {
    const running = await start({ DATA_DIR: dataDir });
    try {
      const out = running.output();
      const fresh = /Demo token:\s+(pgw_[A-Za-z0-9_-]{43})/.exec(out)?.[1] ?? '';
      expect(fresh, out).not.toBe('');
      expect(fresh).not.toBe(token);
      expect(out).toContain('demo@example.com (its password was printed at its first start)');
      expect(out).toMatch(/curl -s \S+\/me -H 'authorization: Bearer pgw_/);
      // Both sessions work: the same user, now with two.
      const me = await gql(running.base, '{ me { id name activeSessions } }', undefined, fresh);
      expect(me.data?.me).toMatchObject({ name: 'Demo User', activeSessions: 2 });
      expect((await gql(running.base, '{ me { id } }', undefined, token)).data?.me).toEqual({ id: me.data?.me.id });
      token = fresh;
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('once the demo user is deleted, a start says how to get a token instead', async () => {
    // Purged only an hour after deletion: the account stays, deleted, across the restart.
    const env = { DATA_DIR: dataDir, ACCOUNT_PURGE_AFTER: '1h' };
    let running = await start(env);
    try {
      const deleted = await fetch(`${running.base}/me`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
      expect(deleted.status).toBe(202);
    } finally {
      expect(await running.stop()).toBe(0);
    }
    running = await start(env);
    try {
      expect(running.output()).not.toContain('Demo token');
      expect(running.output()).toContain('demo@example.com was deleted; sign up for a token');
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('never seeds, nor serves Sandbox, in production', async () => {
    const prodDir = await mkdtemp(path.join(tmpdir(), 'pgw-prod-'));
    const running = await start({ DATA_DIR: prodDir, NODE_ENV: 'production', SMTP_URL: NO_SMTP, HOST: '127.0.0.1' });
    try {
      expect(running.output()).not.toMatch(/Demo token|pgw_/);
      const page = await fetch(`${running.base}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    } finally {
      expect(await running.stop()).toBe(0);
      await rm(prodDir, { recursive: true, force: true });
    }
  });
});
