/**
 * The newcomer's path, as `npm start` runs it (the entry point in a child process, a fresh data
 * directory, no SMTP_URL, not production): sign up, find the verification message printed in
 * the console (the development mail catcher), open its link in a browser, press the button, and
 * `status` is `active`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium } from '../browser.js';
import { PASSWORD } from '../helpers.js';
import { startService, type ServiceProcess } from '../service-process.js';

let dataDir: string;
let service: ServiceProcess | undefined;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'pgw-newcomer-'));
  service = await startService({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  if (service) expect(await service.stop()).toBe(0);
  await rm(dataDir, { recursive: true, force: true });
});

async function printed(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(service!.output());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`not printed: ${pattern}\n${service!.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeInChromium('npm start, sign up, the link from the console, the button', (browser) => {
  it('makes the account active', async () => {
    const base = service!.base;
    expect(service!.output()).toContain('SMTP_URL is unset: messages (verification and reset links) are printed here');
    // The demo user is active already: no message for it.
    expect(service!.output()).not.toContain('To: demo@example.com');

    const email = `newcomer.${Date.now()}@example.com`;
    const signup = await fetch(`${base}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD, name: 'New Comer' }),
    });
    expect(signup.status).toBe(201);
    const { token, user } = (await signup.json()) as { token: string; user: { status: string } };
    expect(user.status).toBe('pending');

    // The message, printed in full: who it is for, its subject, and the link.
    const [, link] = await printed(new RegExp(`To: ${email.replace(/\./g, '\\.')}\\nSubject: Confirm your email address\\n[\\s\\S]*?(${base}/verify-email\\?token=pgv_[A-Za-z0-9_-]{43})`));
    // The worker prints it, then commits the transaction that stored its token: a person reading
    // the console takes longer than that; the test waits a second for it.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const context = await browser.current.newContext();
    try {
      const page = await context.newPage();
      await page.goto(link!);
      await Promise.all([page.waitForURL(`${base}/verify-email?outcome=verified`), page.getByRole('button', { name: 'Confirm my email address' }).click()]);
      expect(await page.locator('[role=status]').textContent()).toContain('confirmed');
    } finally {
      await context.close();
    }
    const me = (await (await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as { status: string };
    expect(me.status).toBe('active');
  });
});
