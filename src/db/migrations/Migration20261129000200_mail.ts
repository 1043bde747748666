import { Migration } from '@mikro-orm/migrations';

/**
 * The mail outbox as the mail worker uses it (issue 11, emails):
 * - a message whose address is removed keeps its row (email_id set null) instead of vanishing with
 *   it, so "at most 3 verification messages per address per hour" cannot be reset by removing and
 *   re-adding the address; the rate limit counts rows by recipient, hence the index on it;
 * - `failed_at`: a message the mail server refused for good, or that could not go out in time,
 *   stops being retried (and is cleaned up with the sent ones).
 */
export class Migration20261129000200_mail extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table mail_outbox drop constraint mail_outbox_email_id_fkey;');
    this.addSql(`alter table mail_outbox add constraint mail_outbox_email_id_fkey
      foreign key (email_id) references user_emails (id) on delete set null;`);
    this.addSql('alter table mail_outbox add column failed_at timestamptz(3);');
    this.addSql('drop index mail_outbox_due_idx;');
    this.addSql('create index mail_outbox_due_idx on mail_outbox (next_attempt_at) where sent_at is null and failed_at is null;');
    this.addSql('create index mail_outbox_recipient_idx on mail_outbox (lower(recipient), kind, created_at);');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists mail_outbox_recipient_idx;');
    this.addSql('drop index if exists mail_outbox_due_idx;');
    this.addSql('create index mail_outbox_due_idx on mail_outbox (next_attempt_at) where sent_at is null;');
    this.addSql('alter table mail_outbox drop column if exists failed_at;');
    this.addSql('alter table mail_outbox drop constraint mail_outbox_email_id_fkey;');
    this.addSql(`alter table mail_outbox add constraint mail_outbox_email_id_fkey
      foreign key (email_id) references user_emails (id) on delete cascade;`);
  }
}
