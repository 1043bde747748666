/**
 * The two pages links in messages open, GET /verify-email and GET /password-reset, and what their
 * forms need. Plain HTML that works without JavaScript: the page only shows a form whose POST
 * carries the token (so a link scanner that fetches the link changes nothing), and the POST
 * answers 303 back to the page with the outcome. Their CSP allows nothing but their own inline
 * style and posting the form to this origin; nothing is loaded from anywhere, and with
 * Referrer-Policy: no-referrer the token in the URL is sent nowhere but our own POST.
 */
import { createHash } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ValidationError } from '../domain/errors.js';
import { isWellFormedEmailToken, type EmailTokenPurpose } from '../domain/tokens.js';
import { problemErrorHandler } from './problem.js';

export const FORM_TYPE = 'application/x-www-form-urlencoded';

const CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
main{max-width:28rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:1.4rem;margin-top:0}label{display:block;margin:1rem 0 .25rem}
input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font:inherit}
button{margin-top:1.25rem;padding:.6rem 1.2rem;font:inherit;border:0;border-radius:6px;background:#2457d6;color:#fff;cursor:pointer}
.note{padding:.75rem;border-radius:6px;background:#fff4e5}.ok{padding:.75rem;border-radius:6px;background:#e7f6ec}`;

/** Nothing but this page's own style, and its form posting to this origin. */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function html(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body><main>
<h1>${escapeHtml(title)}</h1>
${body}
</main></body>
</html>
`;
}

const note = (text: string) => `<p class="note" role="alert">${escapeHtml(text)}</p>`;
const ok = (text: string) => `<p class="ok" role="status">${escapeHtml(text)}</p>`;
const hiddenToken = (token: string) => `<input type="hidden" name="token" value="${escapeHtml(token)}">`;

const INVALID_LINK = 'This link is invalid, has already been used, or has expired. Ask for a new one and use the latest link you receive.';
const RATE_LIMITED = 'Too many attempts from here; wait a few minutes and try again.';
const INCOMPLETE_LINK = 'This page needs the whole link from your message: copy all of it into the address bar.';

/** Outcomes the pages show, by the `outcome` their forms' 303 names. */
const VERIFY_OUTCOMES: Record<string, string> = {
  verified: ok('Your email address is confirmed. You can close this page.'),
  invalid: note(INVALID_LINK),
  'rate-limited': note(RATE_LIMITED),
};
const RESET_OUTCOMES: Record<string, string> = {
  done: ok('Your password is changed, and every session of your account has been logged out. Log in with the new password.'),
  invalid: note(INVALID_LINK),
  'rate-limited': note(RATE_LIMITED),
};
/** Shown above the form again, with the token kept, when the new password was not accepted. */
const RESET_RETRY: Record<string, string> = {
  mismatch: note('The two passwords differ; type the same new password twice.'),
  weak: note('A password must be 8 to 256 characters.'),
};

function verifyPage(token: string | undefined, outcome: string | undefined): string {
  const title = 'Confirm your email address';
  if (outcome && VERIFY_OUTCOMES[outcome]) return html(title, VERIFY_OUTCOMES[outcome]);
  if (!isWellFormedEmailToken(token, 'verify_email')) return html(title, note(token === undefined ? INCOMPLETE_LINK : INVALID_LINK));
  return html(
    title,
    `<p>Press the button to confirm that this email address is yours.</p>
<form method="post" action="/verify-email">${hiddenToken(token)}<button type="submit">Confirm my email address</button></form>`,
  );
}

function resetPage(token: string | undefined, outcome: string | undefined): string {
  const title = 'Choose a new password';
  if (outcome && RESET_OUTCOMES[outcome]) return html(title, RESET_OUTCOMES[outcome]);
  if (!isWellFormedEmailToken(token, 'reset_password')) return html(title, note(token === undefined ? INCOMPLETE_LINK : INVALID_LINK));
  return html(
    title,
    `${(outcome && RESET_RETRY[outcome]) || ''}<form method="post" action="/password-reset/confirm">${hiddenToken(token)}
<label for="newPassword">New password (8 to 256 characters)</label>
<input id="newPassword" name="newPassword" type="password" autocomplete="new-password" minlength="8" maxlength="256" required>
<label for="confirmPassword">The same password again</label>
<input id="confirmPassword" name="confirmPassword" type="password" autocomplete="new-password" minlength="8" maxlength="256" required>
<button type="submit">Set the new password</button>
</form>
<p>Every session of your account will be logged out.</p>`,
  );
}

/** A single query parameter, or undefined (absent or repeated). */
function param(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

function sendPage(reply: FastifyReply, page: string): FastifyReply {
  return reply.header('content-security-policy', PAGE_CSP).type('text/html; charset=utf-8').send(page);
}

export const pageRoutes: FastifyPluginAsync = async (app) => {
  app.get('/verify-email', async (request, reply) => sendPage(reply, verifyPage(param(request, 'token'), param(request, 'outcome'))));
  app.get('/password-reset', async (request, reply) => sendPage(reply, resetPage(param(request, 'token'), param(request, 'outcome'))));
};

/** Lets the routes of `app` (a plugin's own context) read HTML form posts as well as JSON. */
export function acceptForms(app: FastifyInstance): void {
  app.addContentTypeParser(FORM_TYPE, { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

/** Whether the request is a form post from one of the pages (not a JSON client). */
export function isFormPost(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith(FORM_TYPE);
}

/** 303 to `page` with the outcome (and, to try again, the token). */
export function seeOutcome(reply: FastifyReply, page: string, outcome: string, token?: string): FastifyReply {
  const query = new URLSearchParams({ ...(token ? { token } : {}), outcome });
  return reply.code(303).header('location', `${page}?${query}`).send();
}

/**
 * A route's error handler: a form post's mistakes go back to the page as an outcome (a bad token
 * is `invalid`; a refused field is `retryOutcome(field)`, with the token so the form shows again;
 * too many attempts is `rate-limited`); anything else, and every JSON request, is a problem.
 */
export function formErrorHandler(page: string, purpose: EmailTokenPurpose, retryOutcome: (field: string) => string | undefined = () => undefined) {
  return function handleFormError(this: unknown, error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    if (isFormPost(request) && error instanceof DomainError) {
      if (error.code === 'RATE_LIMITED') return seeOutcome(reply, page, 'rate-limited');
      if (error instanceof ValidationError) {
        const token = (request.body as Record<string, unknown> | undefined)?.token;
        const retry = error.field === 'token' ? undefined : retryOutcome(error.field);
        if (retry && isWellFormedEmailToken(token, purpose)) return seeOutcome(reply, page, retry, token);
        return seeOutcome(reply, page, 'invalid');
      }
    }
    return problemErrorHandler.call(this, error, request, reply);
  };
}
