import type { Database } from './database.js';
import { EmailsRepository } from './emails.js';
import { OutboxRepository } from './outbox.js';
import { PurgesRepository } from './purges.js';
import { SessionsRepository } from './sessions.js';
import { StatusChangesRepository } from './status-changes.js';
import { TokensRepository } from './tokens.js';
import { UsersRepository } from './users.js';

/** One repository per table, over one database. */
export interface Repositories {
  db: Database;
  users: UsersRepository;
  sessions: SessionsRepository;
  emails: EmailsRepository;
  purges: PurgesRepository;
  tokens: TokensRepository;
  outbox: OutboxRepository;
  statusChanges: StatusChangesRepository;
}

export function createRepositories(db: Database): Repositories {
  return {
    db,
    users: new UsersRepository(db),
    sessions: new SessionsRepository(db),
    emails: new EmailsRepository(db),
    purges: new PurgesRepository(db),
    tokens: new TokensRepository(db),
    outbox: new OutboxRepository(db),
    statusChanges: new StatusChangesRepository(db),
  };
}
