import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from './entities/index.js';
import type { SessionService } from '../domain/SessionService.js';

export const DEMO_EMAIL = 'demo@example.com';

/** On an empty database: an active demo user, logged in. Returns its token and password, else null. */
export async function seedDemoUser(em: EntityManager, sessions: SessionService): Promise<{ token: string; password: string } | null> {
  if ((await em.count(User, {})) > 0) return null;
  const password = randomBytes(12).toString('base64url');
  const { token, user } = await sessions.signUp(em, { email: DEMO_EMAIL, password, name: 'Demo User' }, { userAgent: 'demo seed' });
  await em.nativeUpdate(User, { id: user.id }, { status: 'active' });
  return { token, password };
}
