import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggedPath, loggerOptions } from '../../src/http/logging.js';

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

describe('log redaction', () => {
  const secret = 'pgw_SECRET-never-in-a-log-line-0123456789abcdefghijk';

  it('censors secrets wherever a request, error or GraphQL call could carry them', () => {
    const { log, lines } = capture();
    const shapes: Record<string, unknown>[] = [
      { password: secret, token: secret, authorization: `Bearer ${secret}` },
      { req: { headers: { authorization: `Bearer ${secret}`, cookie: `s=${secret}` }, body: { password: secret } } },
      { request: { headers: { authorization: secret }, body: { newPassword: secret } } },
      { headers: { authorization: secret, cookie: secret } },
      { variables: { password: secret, token: secret }, input: { password: secret } },
      { args: { accessToken: secret }, query: { access_token: secret }, params: { token: secret } },
      { err: { message: 'boom', config: { headers: { authorization: secret } }, headers: { cookie: secret }, password: secret } },
      { error: { token: secret }, extensions: { password: secret }, body: { password: secret } },
    ];
    for (const shape of shapes) log.info(shape, 'line');
    expect(lines).toHaveLength(shapes.length);
    for (const line of lines) {
      expect(line).not.toContain('SECRET');
      expect(line).toContain('[redacted]');
    }
  });

  it('leaves everything else as it was', () => {
    const { log, lines } = capture();
    log.info({ method: 'GET', path: '/me', status: 200, durationMs: 1.5, err: { message: 'boom' } }, 'request');
    expect(JSON.parse(lines[0]!)).toMatchObject({ method: 'GET', path: '/me', status: 200, durationMs: 1.5, err: { message: 'boom' }, msg: 'request' });
  });

  it('masks token-shaped text in a logged path and drops the query string', () => {
    expect(loggedPath(`/me/${secret}?access_token=${secret}`)).toBe('/me/pgw_[redacted]');
  });
});
