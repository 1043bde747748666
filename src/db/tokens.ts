/**
 * Every statement on `email_tokens`: one-time tokens sent to an address (verification, password
 * reset). Only a token's SHA-256 is stored, and it is looked up by that hash.
 */
import { statement, type Database, type Tx } from './database.js';
import type { EmailTokenKind } from './entities/EmailToken.js';
import { LIVE_USER } from './sql.js';

export type { EmailTokenKind } from './entities/EmailToken.js';

/** Outstanding: neither used, voided nor expired. */
const OUTSTANDING = 't.used_at is null and t.voided_at is null and t.expires_at > now()';

const INSERT = statement(
  'insert_email_token',
  `insert into email_tokens (id, kind, token_hash, user_id, email_id, created_at, expires_at)
   values ($1, $2, $3, $4, $5, now(), now() + $6 * interval '1 millisecond')`,
);
const VOID_FOR_EMAIL = statement(
  'void_email_tokens',
  `update email_tokens t set voided_at = now() where t.email_id = $1 and t.kind = $2 and t.used_at is null and t.voided_at is null`,
);
const VOID_OF_USER = statement(
  'void_user_tokens',
  'update email_tokens t set voided_at = now() where t.user_id = $1 and t.used_at is null and t.voided_at is null',
);
const VOID_KIND_OF_USER = statement(
  'void_user_tokens_of_kind',
  'update email_tokens t set voided_at = now() where t.user_id = $1 and t.kind = $2 and t.used_at is null and t.voided_at is null',
);
const OWNER = statement('email_token_owner', 'select t.user_id from email_tokens t where t.token_hash = $1');
// One statement: of two requests using one token at once, the second finds it used.
const USE = statement(
  'use_email_token',
  `update email_tokens t set used_at = now()
   from users u where u.id = t.user_id and ${LIVE_USER}
     and t.token_hash = $1 and t.kind = $2 and ${OUTSTANDING}
   returning t.user_id, t.email_id`,
);

export class TokensRepository {
  constructor(private readonly db: Database) {}

  /** A new token (by its hash) for one address of a user, valid `ttlMs` from now. */
  async insert(token: { id: string; kind: EmailTokenKind; hash: Buffer; userId: string; emailId: string; ttlMs: number }, tx?: Tx): Promise<void> {
    await this.db.query(INSERT, [token.id, token.kind, token.hash, token.userId, token.emailId, token.ttlMs], tx);
  }

  /** Voids the address's outstanding tokens of this kind (a new one replaces them). */
  async voidForEmail(emailId: string, kind: EmailTokenKind, tx?: Tx): Promise<void> {
    await this.db.query(VOID_FOR_EMAIL, [emailId, kind], tx);
  }

  /** Voids every outstanding token of a user, or only those of one kind. */
  async voidOfUser(userId: string, tx?: Tx, kind?: EmailTokenKind): Promise<void> {
    if (kind) await this.db.query(VOID_KIND_OF_USER, [userId, kind], tx);
    else await this.db.query(VOID_OF_USER, [userId], tx);
  }

  /** Whose token this hash is (used or not), so the caller can lock that user before using it. */
  async ownerOf(hash: Buffer, tx?: Tx): Promise<string | undefined> {
    return (await this.db.one<{ user_id: string }>(OWNER, [hash], tx))?.user_id;
  }

  /**
   * Uses an outstanding token of `kind` of a live user: marks it used and returns whose and for
   * which address; undefined for anything else (unknown, used, voided, expired, another kind).
   */
  async use(hash: Buffer, kind: EmailTokenKind, tx: Tx): Promise<{ userId: string; emailId: string } | undefined> {
    const row = await this.db.one<{ user_id: string; email_id: string }>(USE, [hash, kind], tx);
    return row && { userId: row.user_id, emailId: row.email_id };
  }
}
