/** Every statement on `user_emails`. Addresses are unique in lower case (a unique index). */
import { statement, type Database, type Tx } from './database.js';

const INSERT = statement(
  'insert_email',
  'insert into user_emails (id, user_id, address, is_default, created_at) values ($1, $2, $3, $4, now())',
);
const TAKEN = statement('email_taken', 'select exists (select 1 from user_emails where lower(address) = $1) as taken');

export class EmailsRepository {
  constructor(private readonly db: Database) {}

  async insert(email: { id: string; userId: string; address: string; isDefault: boolean }, tx?: Tx): Promise<void> {
    await this.db.query(INSERT, [email.id, email.userId, email.address, email.isDefault], tx);
  }

  /** Whether any account has this address (given in its lower-case key). */
  async taken(emailKey: string, tx?: Tx): Promise<boolean> {
    return Boolean((await this.db.one<{ taken: boolean }>(TAKEN, [emailKey], tx))?.taken);
  }
}
