import type { Config } from '../config.js';
import type { Repositories } from '../db/repositories.js';
import { AccountService } from './AccountService.js';
import { EmailService } from './EmailService.js';
import { PasswordService } from './PasswordService.js';
import { ProfileService } from './ProfileService.js';
import { SessionService } from './SessionService.js';

/** The domain services both transports call. They own the database work; transports never touch it. */
export interface Services {
  sessions: SessionService;
  profiles: ProfileService;
  emails: EmailService;
  passwords: PasswordService;
  accounts: AccountService;
}

export function createServices(
  repos: Repositories,
  config: Pick<Config, 'sessionTtlMs' | 'accountPurgeAfterMs' | 'emailsPerUser'>,
  onBackgroundError?: (error: unknown) => void,
): Services {
  return {
    sessions: new SessionService(repos, { sessionTtlMs: config.sessionTtlMs, onBackgroundError }),
    profiles: new ProfileService(repos, { accountPurgeAfterMs: config.accountPurgeAfterMs }),
    emails: new EmailService(repos, { emailsPerUser: config.emailsPerUser }),
    passwords: new PasswordService(repos),
    accounts: new AccountService(repos),
  };
}
