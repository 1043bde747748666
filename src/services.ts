import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config.js';
import { ProfileService } from './domain/ProfileService.js';
import { SessionService } from './domain/SessionService.js';

/** The domain services both transports call. */
export interface Services {
  orm: MikroORM;
  sessions: SessionService;
  profiles: ProfileService;
}

export function createServices(
  orm: MikroORM,
  config: Pick<Config, 'sessionTtlMs' | 'accountPurgeAfterMs'>,
  onBackgroundError?: (error: unknown) => void,
): Services {
  const sessions = new SessionService(orm, { sessionTtlMs: config.sessionTtlMs, onBackgroundError });
  return { orm, sessions, profiles: new ProfileService(orm, sessions, { accountPurgeAfterMs: config.accountPurgeAfterMs }) };
}
