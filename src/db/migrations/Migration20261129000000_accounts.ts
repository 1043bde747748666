import { Migration } from '@mikro-orm/migrations';

/**
 * The account around the profile: verified emails, one-time tokens (email verification, password
 * reset), the mail outbox, and the record of status changes (suspension). SQL that both
 * PostgreSQL 15 (servers) and PGlite (PostgreSQL 18) accept.
 */
export class Migration20261129000000_accounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table user_emails add column verified_at timestamptz(3);`);
    // What `unsuspend` restores.
    this.addSql(`alter table users add column status_before_suspension text
      check (status_before_suspension in ('pending', 'active'));`);
    this.addSql(`
      create table account_status_changes (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        from_status text not null,
        to_status text not null,
        reason text,
        actor text not null,
        changed_at timestamptz(3) not null
      );`);
    this.addSql(`create index account_status_changes_user_idx on account_status_changes (user_id, changed_at);`);
    // Only the SHA-256 of a token is kept. A token is for one address of one user, of one kind.
    this.addSql(`
      create table email_tokens (
        id uuid primary key,
        kind text not null check (kind in ('verify_email', 'reset_password')),
        token_hash bytea not null,
        user_id uuid not null references users (id) on delete cascade,
        email_id uuid not null references user_emails (id) on delete cascade,
        created_at timestamptz(3) not null,
        expires_at timestamptz(3) not null,
        used_at timestamptz(3),
        voided_at timestamptz(3)
      );`);
    this.addSql(`create unique index email_tokens_token_hash_key on email_tokens (token_hash);`);
    this.addSql(`create index email_tokens_email_idx on email_tokens (email_id, kind, created_at);`);
    this.addSql(`create index email_tokens_user_idx on email_tokens (user_id);`);
    // Messages waiting to go out (and, until cleaned up, those that went). Written in the same
    // transaction as the change that causes them; delivered by the mail worker of any instance.
    this.addSql(`
      create table mail_outbox (
        id uuid primary key,
        kind text not null,
        user_id uuid references users (id) on delete cascade,
        email_id uuid references user_emails (id) on delete cascade,
        recipient varchar(254) not null,
        created_at timestamptz(3) not null,
        next_attempt_at timestamptz(3) not null,
        attempts integer not null default 0,
        last_error text,
        sent_at timestamptz(3)
      );`);
    this.addSql(`create index mail_outbox_due_idx on mail_outbox (next_attempt_at) where sent_at is null;`);
    this.addSql(`create index mail_outbox_email_idx on mail_outbox (email_id, kind, created_at);`);
    this.addSql(`create index mail_outbox_user_idx on mail_outbox (user_id);`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists mail_outbox;');
    this.addSql('drop table if exists email_tokens;');
    this.addSql('drop table if exists account_status_changes;');
    this.addSql('alter table users drop column if exists status_before_suspension;');
    this.addSql('alter table user_emails drop column if exists verified_at;');
  }
}
