/**
 * Where messages go: SMTP (nodemailer) when SMTP_URL is set; otherwise, outside production only,
 * the console, the development mail catcher: each message printed in full, link and all.
 */
import nodemailer from 'nodemailer';
import type { MailConfig } from '../config.js';
import type { MailMessage } from './templates.js';

export interface MailTransport {
  /** For the log: `smtp host:port` or `console`. */
  readonly name: string;
  /** Resolves once the message is accepted; rejects when it is not (see isPermanentMailError). */
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * A send is bounded well below PostgreSQL's idle_in_transaction_session_timeout (15 s): the mail
 * worker sends inside the transaction that claimed the message.
 */
export const SEND_DEADLINE_MS = 10_000;
const SMTP_TIMEOUTS = { connectionTimeout: 4_000, greetingTimeout: 4_000, socketTimeout: 8_000, dnsTimeout: 3_000 };

export function smtpTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport({ url, ...SMTP_TIMEOUTS });
  const parsed = new URL(url);
  return {
    name: `smtp ${parsed.hostname}:${parsed.port || (parsed.protocol === 'smtps:' ? 465 : 587)}`,
    async send(message) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`SMTP send took over ${SEND_DEADLINE_MS} ms`)), SEND_DEADLINE_MS);
      });
      try {
        await Promise.race([transporter.sendMail({ from, ...message }), deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      transporter.close();
    },
  };
}

/** Prints each message in full with `write` (stdout by default): the development mail catcher. */
export function consoleTransport(from: string, write: (text: string) => void = (text) => process.stdout.write(text)): MailTransport {
  return {
    name: 'console',
    async send(message) {
      const rule = '-'.repeat(72);
      write(
        [
          `${rule}`,
          'Mail (not sent: SMTP_URL is unset, so messages are printed here instead)',
          `From: ${from}`,
          `To: ${message.to}`,
          `Subject: ${message.subject}`,
          '',
          message.text.trimEnd(),
          rule,
          '',
        ].join('\n'),
      );
    },
    close() {},
  };
}

/** The transport the configuration asks for (config.ts refuses production without SMTP_URL). */
export function createMailTransport(mail: Pick<MailConfig, 'smtpUrl' | 'from'>): MailTransport {
  return mail.smtpUrl ? smtpTransport(mail.smtpUrl, mail.from) : consoleTransport(mail.from);
}

/** A refusal the mail server means for good (a 5xx reply): retrying will not help. */
export function isPermanentMailError(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** What the outbox records about a failure: never the message or its link. */
export function mailErrorSummary(error: unknown): string {
  const { code, responseCode, message } = (error ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message.replace(/pg[vr]_[A-Za-z0-9_-]+/g, '[token]') : String(error);
  return [code, responseCode, text].filter((part) => part !== undefined && part !== '').join(' ').slice(0, 500);
}
