/**
 * The pages links in messages open, GET /verify-email and GET /password-reset: what they send
 * (a strict CSP, no referrer, nothing loaded from anywhere, a form that POSTs the token), and, in
 * headless Chromium with JavaScript off, the whole flow from a message captured by a real SMTP
 * server: open the link, press the button, see the account become active / log in with the new
 * password.
 */
import type { Page, Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PAGE_CSP } from '../../src/rest/pages.js';
import { describeInChromium } from '../browser.js';
import { gql, PASSWORD, useTestApp } from '../helpers.js';
import { useMailServer } from '../mail-server.js';
import { useRestClient } from './rest-client.js';

const mail = useMailServer();
const env = {
  get SMTP_URL() {
    return mail.url;
  },
} as unknown as Record<string, string>;
const t = useTestApp(env, { mailWorker: true });
const { api } = useRestClient(t);

const TOKEN = `pgv_${'A'.repeat(43)}`;
const RESET_TOKEN = `pgr_${'B'.repeat(43)}`;

/** A message as its recipient gets it, once the transaction that sent it has committed. */
async function received(address: string, subject: string) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const message = mail.to(address).find((m) => m.subject === subject);
    if (message) {
      await t.mail!.sweep();
      return message;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no "${subject}" to ${address}`);
}

describe('the pages over HTTP', () => {
  it('GET /verify-email: a form that POSTs the token to /verify-email, a strict CSP, no referrer, nothing external', async () => {
    const res = await api.get(`/verify-email?token=${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(PAGE_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.text).toContain('<form method="post" action="/verify-email">');
    expect(res.text).toContain(`<input type="hidden" name="token" value="${TOKEN}">`);
    expect(res.text).toContain('<meta name="referrer" content="no-referrer">');
    // Nothing to load from anywhere: no scripts, no links out, no images.
    expect(res.text).not.toMatch(/<script|<link|<img|<iframe|https?:\/\/|src=|href=/i);
  });

  it('GET /password-reset: the new password twice and the token, posted to /password-reset/confirm', async () => {
    const res = await api.get(`/password-reset?token=${RESET_TOKEN}&outcome=mismatch`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(res.text).toContain('<form method="post" action="/password-reset/confirm">');
    expect(res.text.match(/type="password"/g)).toHaveLength(2);
    expect(res.text).toContain('name="newPassword"');
    expect(res.text).toContain('name="confirmPassword"');
    expect(res.text).toContain('The two passwords differ');
    expect(res.text).not.toMatch(/<script|<link|<img|<iframe|https?:\/\/|src=|href=/i);
  });

  it('show an outcome without a form, and refuse a missing, malformed or other-kind token without a form', async () => {
    for (const [path, text] of [
      ['/verify-email?outcome=verified', 'Your email address is confirmed'],
      ['/verify-email?outcome=invalid', 'This link is invalid'],
      ['/verify-email', 'needs the whole link'],
      [`/verify-email?token=${RESET_TOKEN}`, 'This link is invalid'],
      ['/verify-email?token=%22%3E%3Cscript%3Ealert(1)%3C/script%3E', 'This link is invalid'],
      ['/password-reset?outcome=done', 'Your password is changed'],
      [`/password-reset?token=${TOKEN}`, 'This link is invalid'],
      ['/password-reset?token=a&token=b', 'needs the whole link'],
    ] as const) {
      const res = await api.get(path);
      expect(res.status, path).toBe(200);
      expect(res.text, path).toContain(text);
      expect(res.text, path).not.toContain('<form');
      expect(res.text, path).not.toContain('<script');
    }
  });

  it('the verification form post answers 303 to the page with the outcome', async () => {
    const user = await api.signUp();
    const message = await received(user.email, 'Confirm your email address');
    const post = (token: string) =>
      api.request('POST', '/verify-email', { raw: new URLSearchParams({ token }).toString(), contentType: 'application/x-www-form-urlencoded' });
    const done = await post(message.token);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/verify-email?outcome=verified');
    expect((await post(message.token)).headers.get('location')).toBe('/verify-email?outcome=invalid');
    expect((await api.get('/me', { token: user.token })).body.status).toBe('active');
  });
});

/** Every request a page makes, to check that nothing leaves our origin and no Referer is sent. */
function recordRequests(page: Page): Request[] {
  const requests: Request[] = [];
  page.on('request', (request) => requests.push(request));
  return requests;
}

describeInChromium('the pages in headless Chromium, JavaScript off', (browser) => {
  const openPage = async () => {
    const context = await browser.current.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const problems: string[] = [];
    // A CSP violation (a style or form the policy refuses) shows up as a console error.
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    return { context, page, problems, requests: recordRequests(page) };
  };

  it('verification: open the link from the message, press the button, the account is active', async () => {
    const user = await api.signUp();
    const message = await received(user.email, 'Confirm your email address');
    expect(message.link.startsWith(`${t.url}/verify-email?token=`)).toBe(true);
    const { context, page, problems, requests } = await openPage();
    try {
      const opened = await page.goto(message.link);
      expect(opened?.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe('Confirm your email address');
      // Opening the link changed nothing (a scanner that fetches it verifies nothing).
      expect((await api.get('/me', { token: user.token })).body.status).toBe('pending');
      await Promise.all([page.waitForURL(`${t.url}/verify-email?outcome=verified`), page.getByRole('button', { name: 'Confirm my email address' }).click()]);
      expect(await page.locator('[role=status]').textContent()).toContain('Your email address is confirmed');
      // The style is allowed by its hash: the page is laid out as written, nothing refused.
      expect(await page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth")).toBe('448px');
      expect(problems).toEqual([]);
      expect(requests.every((r) => r.url().startsWith(`${t.url}/`))).toBe(true);
      const posted = requests.find((r) => r.method() === 'POST')!;
      expect(posted.url()).toBe(`${t.url}/verify-email`);
      expect(posted.postData()).toBe(`token=${message.token}`);
      expect(await posted.headerValue('referer')).toBeNull();
    } finally {
      await context.close();
    }
    const me = await api.get('/me', { token: user.token });
    expect(me.body.status).toBe('active');
    const emails = await gql(t.url, '{ me { emails { verified } } }', undefined, user.token);
    expect(emails.data?.me.emails).toEqual([{ verified: true }]);
  });

  it('password reset: open the link, type the new password twice, log in with it', async () => {
    const user = await api.signUp();
    await api.post('/password-reset', { email: user.email });
    const message = await received(user.email, 'Reset your password');
    expect(message.link.startsWith(`${t.url}/password-reset?token=pgr_`)).toBe(true);
    const { context, page, problems, requests } = await openPage();
    const NEW = 'typed in a real browser';
    try {
      await page.goto(message.link);
      // Two different passwords: back to the form, told why, the link still good.
      await page.getByLabel('New password').fill(NEW);
      await page.getByLabel('The same password again').fill(`${NEW}?`);
      await Promise.all([page.waitForURL(/outcome=mismatch/), page.getByRole('button', { name: 'Set the new password' }).click()]);
      expect(await page.locator('[role=alert]').textContent()).toContain('The two passwords differ');
      await page.getByLabel('New password').fill(NEW);
      await page.getByLabel('The same password again').fill(NEW);
      await Promise.all([page.waitForURL(`${t.url}/password-reset?outcome=done`), page.getByRole('button', { name: 'Set the new password' }).click()]);
      expect(await page.locator('[role=status]').textContent()).toContain('Your password is changed');
      expect(problems).toEqual([]);
      expect(requests.every((r) => r.url().startsWith(`${t.url}/`))).toBe(true);
      for (const post of requests.filter((r) => r.method() === 'POST')) expect(await post.headerValue('referer')).toBeNull();
    } finally {
      await context.close();
    }
    expect((await api.get('/me', { token: user.token })).status).toBe(401);
    expect((await api.post('/login', { email: user.email, password: PASSWORD })).status).toBe(401);
    const login = await api.post('/login', { email: user.email, password: NEW });
    expect(login.status).toBe(200);
    // The link went to the default address: the account is active now.
    expect(login.body.user.status).toBe('active');
  });
});
