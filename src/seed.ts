/**
 * The demo user, outside production only: created (active, logged in) on an empty database, and
 * given a fresh session at every later start, so a newcomer always has a token to try.
 */
import { randomBytes } from 'node:crypto';
import type { Repositories } from './db/repositories.js';
import type { SessionService } from './domain/SessionService.js';
import { emailKey } from './domain/validation.js';

export const DEMO_EMAIL = 'demo@example.com';

export type DemoSession =
  /** `password` only when the user was just created: the one time it is known. */
  | { state: 'ready'; email: string; token: string; password?: string }
  /** The database has users, but the demo user is gone (deleted by whoever held its token). */
  | { state: 'absent'; email: string };

export async function demoSession(repos: Repositories, sessions: SessionService): Promise<DemoSession> {
  if (!(await repos.users.anyExists())) {
    const password = randomBytes(12).toString('base64url');
    const { token, user } = await sessions.signUp({ email: DEMO_EMAIL, password, name: 'Demo User' }, { userAgent: 'demo seed' });
    // Active means its default email is verified; it has no mailbox, so no message goes to it.
    const [email] = await repos.emails.ofUser(user.id);
    if (email) await repos.emails.markVerified(email.id);
    await repos.outbox.deleteUnsentOfUser(user.id);
    await repos.users.setStatus(user.id, 'active');
    return { state: 'ready', email: DEMO_EMAIL, token, password };
  }
  const demo = await repos.users.credentialsByEmail(emailKey(DEMO_EMAIL));
  const session = demo ? await sessions.startSessionFor(demo.id, { userAgent: 'demo seed' }) : null;
  return session ? { state: 'ready', email: DEMO_EMAIL, token: session.token } : { state: 'absent', email: DEMO_EMAIL };
}
