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
  return {
    orm,
    sessions: new SessionService(orm, { sessionTtlMs: config.sessionTtlMs, onBackgroundError }),
    profiles: new ProfileService({ accountPurgeAfterMs: config.accountPurgeAfterMs }),
  };
}
