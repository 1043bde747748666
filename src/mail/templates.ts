/**
 * The messages the service sends. Plain text: every mail client shows it, and a link in it works
 * as it is. The link is PUBLIC_URL + the page that takes the token (GET /verify-email,
 * GET /password-reset), whose form POSTs it back.
 */

export type MessageKind = 'verify_email' | 'reset_password';

/** A message ready for a transport. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface MessageInput {
  kind: MessageKind;
  to: string;
  /** The user's display name. */
  name: string;
  token: string;
  /** PUBLIC_URL, without a trailing slash. */
  publicUrl: string;
  /** How long the token is valid. */
  ttlMs: number;
}

const PATHS: Record<MessageKind, string> = { verify_email: '/verify-email', reset_password: '/password-reset' };

/** The link a message carries. */
export function linkFor(kind: MessageKind, publicUrl: string, token: string): string {
  return `${publicUrl}${PATHS[kind]}?token=${encodeURIComponent(token)}`;
}

/** "24 hours", "3 days", "1 hour", "30 minutes", "45 seconds": the largest unit that says it exactly. */
export function describeDuration(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) {
    const hours = ms / 3_600_000;
    return hours > 24 && hours % 24 === 0 ? plural(hours / 24, 'day') : plural(hours, 'hour');
  }
  if (ms >= 60_000 && ms % 60_000 === 0) return plural(ms / 60_000, 'minute');
  return plural(Math.max(1, Math.round(ms / 1000)), 'second');
}

export function renderMessage(input: MessageInput): MailMessage {
  const link = linkFor(input.kind, input.publicUrl, input.token);
  const valid = describeDuration(input.ttlMs);
  // A name is the user's own text: kept to one line so it cannot forge the rest of the message.
  const name = input.name.replace(/\s+/g, ' ').trim();
  if (input.kind === 'verify_email') {
    return {
      to: input.to,
      subject: 'Confirm your email address',
      text: [
        `Hello ${name},`,
        '',
        `Please confirm that ${input.to} is your email address: open this link and press the button on the page.`,
        '',
        link,
        '',
        `The link works once, for ${valid}. If you did not ask for it, ignore this message: nothing changes.`,
        '',
      ].join('\n'),
    };
  }
  return {
    to: input.to,
    subject: 'Reset your password',
    text: [
      `Hello ${name},`,
      '',
      'Someone (we hope you) asked to reset the password of the account with this address. To choose a new password, open this link:',
      '',
      link,
      '',
      `The link works once, for ${valid}. Setting a new password logs out every session of the account. If you did not ask for it, ignore this message: your password stays as it is.`,
      '',
    ].join('\n'),
  };
}
