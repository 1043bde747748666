import { Migration } from '@mikro-orm/migrations';

// SQL that both PostgreSQL 15 (servers) and PGlite (PostgreSQL 18) accept.
export class Migration20261127000000_init extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table users (
        id uuid primary key,
        status text not null default 'pending'
          check (status in ('pending', 'active', 'suspended', 'deleted')),
        name varchar(100) not null check (char_length(name) >= 1),
        bio varchar(1000),
        avatar_url varchar(2048),
        phone_number varchar(16),
        locale varchar(35),
        timezone varchar(64),
        password_hash text not null,
        created_at timestamptz(3) not null,
        updated_at timestamptz(3) not null
      );`);
    this.addSql(`
      create table user_emails (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        address varchar(254) not null,
        is_default boolean not null default false,
        created_at timestamptz(3) not null
      );`);
    this.addSql(`create unique index user_emails_address_key on user_emails (lower(address));`);
    this.addSql(`create unique index user_emails_one_default on user_emails (user_id) where is_default;`);
    this.addSql(`create index user_emails_user_id_idx on user_emails (user_id);`);
    this.addSql(`
      create table sessions (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        token_hash bytea not null,
        created_at timestamptz(3) not null,
        expires_at timestamptz(3) not null,
        revoked_at timestamptz(3),
        last_seen_at timestamptz(3) not null,
        user_agent varchar(512)
      );`);
    this.addSql(`create unique index sessions_token_hash_key on sessions (token_hash);`);
    this.addSql(`create index sessions_user_live_idx on sessions (user_id, expires_at) where revoked_at is null;`);
    this.addSql(`
      create table account_purges (
        user_id uuid primary key,
        requested_at timestamptz(3) not null,
        due_at timestamptz(3) not null,
        attempts integer not null default 0,
        last_error text
      );`);
    this.addSql(`create index account_purges_due_idx on account_purges (due_at);`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists account_purges;');
    this.addSql('drop table if exists sessions;');
    this.addSql('drop table if exists user_emails;');
    this.addSql('drop table if exists users;');
  }
}
