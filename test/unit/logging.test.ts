import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { lazyChildLogger, loggedPath, loggerOptions } from '../../src/http/logging.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const { redact } = loggerOptions({ logLevel: 'info' }) as { redact: pino.LoggerOptions['redact'] };
  return { log: pino({ level: 'info', redact }, stream), lines };
}

// That no secret reaches the log, whatever requests carry, is tested over HTTP: test/integration/logging.test.ts.
describe('log lines', () => {
  const secret = 'pgw_SECRET-never-in-a-log-line-0123456789abcdefghijk';

  it('leaves everything else as it was', () => {
    const { log, lines } = capture();
    log.info({ method: 'GET', path: '/me', status: 200, durationMs: 1.5, err: { message: 'boom' } }, 'request');
    expect(JSON.parse(lines[0]!)).toMatchObject({ method: 'GET', path: '/me', status: 200, durationMs: 1.5, err: { message: 'boom' }, msg: 'request' });
  });

  it('redacts every password-shaped key, where a request, error or GraphQL call would carry it', () => {
    const { log, lines } = capture();
    const passwords = { password: 'p1 secret', currentPassword: 'p2 secret', newPassword: 'p3 secret', confirmPassword: 'p4 secret' };
    log.info({ ...passwords, body: passwords, variables: passwords, err: { config: passwords } }, 'passwords');
    expect(lines[0]).not.toMatch(/p\d secret/);
    expect(JSON.parse(lines[0]!).variables).toEqual({ password: '[redacted]', currentPassword: '[redacted]', newPassword: '[redacted]', confirmPassword: '[redacted]' });
  });

  it('masks token-shaped text in a logged path and drops the query string', () => {
    expect(loggedPath(`/me/${secret}?access_token=${secret}`)).toBe('/me/pgw_[redacted]');
    // Email verification and reset tokens too; a query string (where mailed links carry them) never.
    expect(loggedPath('/verify-email/pgv_abc-_9/x/pgr_Z?token=pgv_abc')).toBe('/verify-email/pgv_[redacted]/x/pgr_[redacted]');
    expect(loggedPath('/password-reset?token=pgr_abc&outcome=weak')).toBe('/password-reset');
    expect(loggedPath('/me/emails')).toBe('/me/emails');
  });
});

describe("a request's logger (lazyChildLogger)", () => {
  it('makes no pino child until something logs through it, then logs with the request id', () => {
    const { log, lines } = capture();
    let children = 0;
    const child = log.child.bind(log);
    log.child = ((...args: Parameters<typeof log.child>) => {
      children += 1;
      return child(...args);
    }) as typeof log.child;
    const requestLog = lazyChildLogger(log, { reqId: 'r-1' }, {});
    expect(requestLog.level).toBe('info');
    expect(children).toBe(0);
    requestLog.debug('not at this level');
    requestLog.error({ err: new Error('boom'), password: 'hunter2' }, 'failed');
    requestLog.warn('again');
    expect(children).toBe(1);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: 50, reqId: 'r-1', msg: 'failed', password: '[redacted]', err: expect.objectContaining({ message: 'boom' }) }),
      expect.objectContaining({ level: 40, reqId: 'r-1', msg: 'again' }),
    ]);
  });
});
