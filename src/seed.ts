import { randomBytes } from 'node:crypto';
import type { Repositories } from './db/repositories.js';
import type { SessionService } from './domain/SessionService.js';

export const DEMO_EMAIL = 'demo@example.com';

/** On an empty database: an active demo user, logged in. Returns its token and password, else null. */
export async function seedDemoUser(repos: Repositories, sessions: SessionService): Promise<{ token: string; password: string } | null> {
  if (await repos.users.anyExists()) return null;
  const password = randomBytes(12).toString('base64url');
  const { token, user } = await sessions.signUp({ email: DEMO_EMAIL, password, name: 'Demo User' }, { userAgent: 'demo seed' });
  // Active means its default email is verified; it has no mailbox, so no message goes to it.
  const [email] = await repos.emails.ofUser(user.id);
  if (email) await repos.emails.markVerified(email.id);
  await repos.outbox.deleteUnsentOfUser(user.id);
  await repos.users.setStatus(user.id, 'active');
  return { token, password };
}
