import { describe, expect, it } from 'vitest';
import { describeDuration, linkFor, renderMessage } from '../../src/mail/templates.js';
import { consoleTransport, isPermanentMailError, mailErrorSummary } from '../../src/mail/transports.js';
import { EMAIL_TOKEN_PREFIXES, generateEmailToken, generateToken, isWellFormedEmailToken } from '../../src/domain/tokens.js';

describe('email tokens', () => {
  it('are pgv_ / pgr_ + 256 random bits in base64url, never taken for one another or for a session token', () => {
    const verify = generateEmailToken('verify_email');
    const reset = generateEmailToken('reset_password');
    expect(verify).toMatch(/^pgv_[A-Za-z0-9_-]{43}$/);
    expect(reset).toMatch(/^pgr_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(verify.slice(4), 'base64url')).toHaveLength(32);
    expect(new Set(Array.from({ length: 1000 }, () => generateEmailToken('verify_email'))).size).toBe(1000);
    expect(isWellFormedEmailToken(verify, 'verify_email')).toBe(true);
    expect(isWellFormedEmailToken(reset, 'reset_password')).toBe(true);
    expect(isWellFormedEmailToken(verify, 'reset_password')).toBe(false);
    expect(isWellFormedEmailToken(reset, 'verify_email')).toBe(false);
    expect(isWellFormedEmailToken(generateToken(), 'verify_email')).toBe(false);
    for (const bad of [undefined, null, 42, '', `${verify}x`, verify.slice(0, -1), `${EMAIL_TOKEN_PREFIXES.verify_email}${'!'.repeat(43)}`]) {
      expect(isWellFormedEmailToken(bad, 'verify_email')).toBe(false);
    }
  });
});

describe('messages', () => {
  const token = generateEmailToken('verify_email');
  it('carry the link PUBLIC_URL + the page + the token, the recipient, a subject and how long the link works', () => {
    const message = renderMessage({ kind: 'verify_email', to: 'ada@example.com', name: 'Ada', token, publicUrl: 'https://accounts.example.com', ttlMs: 86_400_000 });
    expect(message).toMatchObject({ to: 'ada@example.com', subject: 'Confirm your email address' });
    expect(message.text).toContain(`https://accounts.example.com/verify-email?token=${token}\n`);
    expect(message.text).toContain('24 hours');
    const reset = renderMessage({ kind: 'reset_password', to: 'ada@example.com', name: 'Ada', token, publicUrl: 'http://127.0.0.1:4000', ttlMs: 3_600_000 });
    expect(reset.subject).toBe('Reset your password');
    expect(reset.text).toContain(`http://127.0.0.1:4000/password-reset?token=${token}\n`);
    expect(reset.text).toContain('1 hour');
  });

  it('keep a name to one line, so it cannot forge the rest of the message', () => {
    const message = renderMessage({ kind: 'verify_email', to: 'a@example.com', name: 'Eve\n\nhttp://evil.example/verify-email?token=x', token, publicUrl: 'https://a.example', ttlMs: 60_000 });
    expect(message.text.split('\n')[0]).toBe('Hello Eve http://evil.example/verify-email?token=x,');
    expect(message.text.match(/^https?:\/\//gm)).toEqual(['https://']);
  });

  it('say durations as people do', () => {
    expect(describeDuration(86_400_000)).toBe('24 hours');
    expect(describeDuration(3 * 86_400_000)).toBe('3 days');
    expect(describeDuration(3_600_000)).toBe('1 hour');
    expect(describeDuration(30 * 60_000)).toBe('30 minutes');
    expect(describeDuration(45_000)).toBe('45 seconds');
    expect(linkFor('reset_password', 'https://x.example', 'pgr_a+b')).toBe('https://x.example/password-reset?token=pgr_a%2Bb');
  });
});

describe('transports', () => {
  it('the console transport prints the whole message: from, to, subject, the text with its link', async () => {
    let printed = '';
    const transport = consoleTransport('Profiles <no-reply@example.com>', (text) => (printed += text));
    const token = generateEmailToken('verify_email');
    await transport.send(renderMessage({ kind: 'verify_email', to: 'ada@example.com', name: 'Ada', token, publicUrl: 'http://127.0.0.1:4000', ttlMs: 60_000 }));
    expect(printed).toContain('From: Profiles <no-reply@example.com>\nTo: ada@example.com\nSubject: Confirm your email address\n\nHello Ada,');
    expect(printed).toContain(`http://127.0.0.1:4000/verify-email?token=${token}`);
    expect(printed).toContain('SMTP_URL is unset');
  });

  it('a 5xx reply is a refusal for good; anything else may be retried; summaries carry no token', () => {
    expect(isPermanentMailError(Object.assign(new Error('550 no such user'), { responseCode: 550 }))).toBe(true);
    expect(isPermanentMailError(Object.assign(new Error('451 try later'), { responseCode: 451 }))).toBe(false);
    expect(isPermanentMailError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
    const token = generateEmailToken('reset_password');
    const summary = mailErrorSummary(Object.assign(new Error(`rejected message with ${token}`), { code: 'EMESSAGE', responseCode: 554 }));
    expect(summary).toBe('EMESSAGE 554 rejected message with [token]');
  });
});
