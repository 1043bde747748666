/**
 * The program's log on stdout goes through a buffer (http/logging.ts, bufferedStdout): a line is
 * out within LOG_FLUSH_MS even when too few lines wait to fill the buffer, and nothing is lost at
 * exit, SIGTERM's drain included.
 */
import { describe, expect, it } from 'vitest';
import { LOG_FLUSH_MS } from '../../src/http/logging.js';
import { NO_SMTP, useServiceDatabase } from '../helpers.js';
import { PROCESS_TEST_TIMEOUT_MS } from '../service-process.js';

const { testDb, startService } = useServiceDatabase();

const requestLines = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string; path?: string; reqId?: string })
    .filter((line) => line.msg === 'request');

describe('the log on stdout', () => {
  it('writes a line within the flush interval, and every line by the time the process exits', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
    const service = await startService({
      NODE_ENV: 'production',
      SMTP_URL: NO_SMTP,
      LOG_LEVEL: 'info',
      DATA_DIR: testDb.dataDir,
      ...(testDb.databaseUrl ? { DATABASE_URL: testDb.databaseUrl } : {}),
    });
    // Three lines, far less than the buffer holds: out on the timer.
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await fetch(`${service.base}/healthz`)).headers.get('x-request-id')!);
    const sent = performance.now();
    while (requestLines(service.output()).length < 3 && performance.now() - sent < 20 * LOG_FLUSH_MS) await new Promise((r) => setTimeout(r, 10));
    const waited = performance.now() - sent;
    expect(requestLines(service.output()).map((l) => l.reqId)).toEqual(ids);
    // The timer's interval, and some slack for a busy machine.
    expect(waited).toBeLessThan(4 * LOG_FLUSH_MS);

    // Lines still in the buffer when SIGTERM comes are written before the exit.
    for (let i = 0; i < 5; i++) ids.push((await fetch(`${service.base}/healthz`)).headers.get('x-request-id')!);
    expect(await service.stop('SIGTERM')).toBe(0);
    expect(requestLines(service.output()).map((l) => l.reqId)).toEqual(ids);
    expect(service.output()).toContain('"msg":"shutting down: draining requests"');
  });
});
