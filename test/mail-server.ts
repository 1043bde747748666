/**
 * A real SMTP server in the test process (the `smtp-server` package), so tests read the messages
 * the service sends as a mailbox would: parsed with `mailparser`, with their link and token.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll } from 'vitest';
import { forwardTo } from './helpers.js';

export interface CapturedMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** The first link in the text, and the token in it. */
  link: string;
  token: string;
}

export interface MailServer {
  /** SMTP_URL for the service. */
  url: string;
  port: number;
  readonly messages: CapturedMessage[];
  /** The messages to `address` (compared case-insensitively). */
  to(address: string): CapturedMessage[];
  /** Waits for the `count`-th message to `address` (1: the first). */
  waitFor(address: string, count?: number, timeoutMs?: number): Promise<CapturedMessage>;
  /** When set, every message is refused with this SMTP reply code (e.g. 451, 550). */
  refuseWith: number | undefined;
  close(): Promise<void>;
}

/** Starts one on `port` (default: any free port). */
export async function startMailServer(port = 0): Promise<MailServer> {
  const messages: CapturedMessage[] = [];
  const state = { refuseWith: undefined as number | undefined };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          if (state.refuseWith) {
            callback(Object.assign(new Error('refused by the test'), { responseCode: state.refuseWith }));
            return;
          }
          const text = parsed.text ?? '';
          const link = /https?:\/\/\S+/.exec(text)?.[0] ?? '';
          const token = link ? (new URL(link).searchParams.get('token') ?? '') : '';
          const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? '');
          messages.push({ from: parsed.from?.text ?? '', to, subject: parsed.subject ?? '', text, link, token });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  server.on('error', () => undefined);
  const actual = (server.server.address() as AddressInfo).port;
  const to = (address: string) => messages.filter((m) => m.to.toLowerCase().includes(address.toLowerCase()));
  return {
    url: `smtp://127.0.0.1:${actual}`,
    port: actual,
    messages,
    to,
    get refuseWith() {
      return state.refuseWith;
    },
    set refuseWith(code) {
      state.refuseWith = code;
    },
    async waitFor(address, count = 1, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = to(address);
        if (found.length >= count) return found[count - 1]!;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`no message #${count} to ${address} within ${timeoutMs} ms (have ${to(address).length}; all: ${messages.map((m) => m.to).join(', ')})`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A mail server for the tests of one file: started in a beforeAll, closed in an afterAll. */
export function useMailServer(): MailServer {
  let server: MailServer | undefined;
  beforeAll(async () => {
    server = await startMailServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  return forwardTo(() => server, 'the mail server');
}
