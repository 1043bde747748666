/**
 * The demo user, outside production only: created (active, logged in) on an empty database, and
 * given a fresh session at every later start, so a newcomer always has a token to try.
 */
import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from './db/entities/index.js';
import type { SessionService } from './domain/SessionService.js';

export const DEMO_EMAIL = 'demo@example.com';

export type DemoSession =
  /** `password` only when the user was just created: the one time it is known. */
  | { state: 'ready'; email: string; token: string; password?: string }
  /** The database has users, but the demo user is gone (deleted by whoever held its token). */
  | { state: 'absent'; email: string };

export async function demoSession(em: EntityManager, sessions: SessionService): Promise<DemoSession> {
  if ((await em.count(User, {})) === 0) {
    const password = randomBytes(12).toString('base64url');
    const { token, user } = await sessions.signUp(em, { email: DEMO_EMAIL, password, name: 'Demo User' }, { userAgent: 'demo seed' });
    await em.nativeUpdate(User, { id: user.id }, { status: 'active' });
    return { state: 'ready', email: DEMO_EMAIL, token, password };
  }
  const [demo] = await em.execute<{ id: string }[]>(
    `select e.user_id as id from user_emails e where lower(e.address) = ?`,
    [DEMO_EMAIL],
  );
  const session = demo ? await sessions.startSessionFor(em, demo.id, { userAgent: 'demo seed' }) : null;
  return session ? { state: 'ready', email: DEMO_EMAIL, token: session.token } : { state: 'absent', email: DEMO_EMAIL };
}
