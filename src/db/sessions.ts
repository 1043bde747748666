/** Every statement on `sessions`. */
import { statement, type Database, type Tx } from './database.js';
import { ACCOUNT_FACTS_COLUMNS, SIGNED_IN_USER, USER_COLUMNS, accountFactsFromRow, asDate, liveSession, profileFromRow, type AccountFacts } from './sql.js';
import type { Profile } from './entities/User.js';

/** A live session of a user, as its owner sees it. */
export interface SessionRow {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  userAgent: string | null;
}

/** The session a token hash opens, and its user. */
export interface SessionLookup {
  sessionId: string;
  user: Profile;
  /** Present when asked for: read in the same statement. */
  account?: AccountFacts;
  /** last_seen_at is over five minutes old: worth a write (touch). */
  stale: boolean;
}

// One indexed lookup per authenticated request: token hash → live session ⋈ its user, if that
// user may be signed in (a suspended account's sessions are revoked, and this holds regardless).
// last_seen_at is kept to five minutes' resolution, so most requests write nothing.
const AUTHENTICATE_FROM = `from sessions s join users u on u.id = s.user_id where s.token_hash = $1 and ${liveSession('s')} and ${SIGNED_IN_USER}`;
const LOOKUP_COLUMNS = "s.id as session_id, s.last_seen_at < now() - interval '5 minutes' as session_stale";
const AUTHENTICATE = statement('authenticate', `select ${LOOKUP_COLUMNS}, ${USER_COLUMNS} ${AUTHENTICATE_FROM}`);
const AUTHENTICATE_WITH_ACCOUNT = statement('authenticate_account', `select ${LOOKUP_COLUMNS}, ${USER_COLUMNS}, ${ACCOUNT_FACTS_COLUMNS} ${AUTHENTICATE_FROM}`);
const TOUCH = statement('touch_session', 'update sessions set last_seen_at = now() where id = $1');
const INSERT = statement(
  'insert_session',
  `insert into sessions (id, user_id, token_hash, created_at, expires_at, last_seen_at, user_agent)
   values ($1, $2, $3, now(), now() + $4 * interval '1 millisecond', now(), $5) returning expires_at`,
);
const REVOKE = statement('revoke_session', 'update sessions set revoked_at = now() where id = $1 and revoked_at is null');
const REVOKE_ALL_OF_USER = statement('revoke_user_sessions', 'update sessions set revoked_at = now() where user_id = $1 and revoked_at is null returning id');
const LIVE_OF_USER = statement(
  'live_sessions_of_user',
  `select s.id, s.created_at, s.last_seen_at, s.expires_at, s.user_agent from sessions s
   where s.user_id = $1 and ${liveSession('s')} order by s.last_seen_at desc, s.created_at desc, s.id`,
);
// Only a live session of this user: another user's, an ended or an unknown id changes nothing.
const REVOKE_OWN = statement(
  'revoke_own_session',
  `update sessions s set revoked_at = now() where s.id = $1 and s.user_id = $2 and ${liveSession('s')} returning s.id`,
);
const REVOKE_OTHERS = statement(
  'revoke_other_sessions',
  `update sessions s set revoked_at = now() where s.user_id = $1 and s.id <> $2 and ${liveSession('s')} returning s.id`,
);
// FOR SHARE: a racing revocation of this session waits for the transaction holding it, or wins first.
const LOCK_LIVE = statement('lock_live_session', `select s.id from sessions s where s.id = $1 and ${liveSession('s')} for share`);
const ACCOUNT_FACTS = statement('account_facts', `select ${ACCOUNT_FACTS_COLUMNS} from users u where u.id = $1`);

export class SessionsRepository {
  constructor(private readonly db: Database) {}

  /** The live session with this token hash, and its live user; undefined when there is none. */
  async lookup(tokenHash: Buffer, { withAccount = false } = {}): Promise<SessionLookup | undefined> {
    const row = await this.db.one(withAccount ? AUTHENTICATE_WITH_ACCOUNT : AUTHENTICATE, [tokenHash]);
    if (!row) return undefined;
    const found: SessionLookup = { sessionId: String(row.session_id), user: profileFromRow(row), stale: Boolean(row.session_stale) };
    if (withAccount) found.account = accountFactsFromRow(row);
    return found;
  }

  /** Records that a session was just used. */
  async touch(id: string, tx?: Tx): Promise<void> {
    await this.db.query(TOUCH, [id], tx);
  }

  /** A new session of `ttlMs` from now; returns when it expires. */
  async insert(session: { id: string; userId: string; tokenHash: Buffer; ttlMs: number; userAgent: string | null }, tx?: Tx): Promise<Date> {
    const row = await this.db.one(INSERT, [session.id, session.userId, session.tokenHash, session.ttlMs, session.userAgent], tx);
    return asDate(row!.expires_at);
  }

  async revoke(id: string, tx?: Tx): Promise<void> {
    await this.db.query(REVOKE, [id], tx);
  }

  /** Ends every live session of a user; returns how many there were. */
  async revokeAllOfUser(userId: string, tx?: Tx): Promise<number> {
    return (await this.db.query(REVOKE_ALL_OF_USER, [userId], tx)).length;
  }

  /** A user's live sessions, the most recently used first. */
  async liveOfUser(userId: string, tx?: Tx): Promise<SessionRow[]> {
    return (await this.db.query(LIVE_OF_USER, [userId], tx)).map((row) => ({
      id: row.id as string,
      createdAt: asDate(row.created_at),
      lastSeenAt: asDate(row.last_seen_at),
      expiresAt: asDate(row.expires_at),
      userAgent: (row.user_agent as string | null) ?? null,
    }));
  }

  /** Ends one live session of `userId`; false when `id` is none of its live sessions. */
  async revokeOwn(userId: string, id: string, tx?: Tx): Promise<boolean> {
    return (await this.db.query(REVOKE_OWN, [id, userId], tx)).length > 0;
  }

  /** Ends every live session of `userId` but `keepId`; returns how many ended. */
  async revokeOthers(userId: string, keepId: string, tx?: Tx): Promise<number> {
    return (await this.db.query(REVOKE_OTHERS, [userId, keepId], tx)).length;
  }

  /** Whether the session is live, holding it against revocation until `tx` ends. */
  async lockLive(id: string, tx: Tx): Promise<boolean> {
    return (await this.db.query(LOCK_LIVE, [id], tx)).length > 0;
  }

  /** activeSessions and defaultEmail of a user (a user that does not exist has none of either). */
  async accountFacts(userId: string, tx?: Tx): Promise<AccountFacts> {
    return accountFactsFromRow((await this.db.one(ACCOUNT_FACTS, [userId], tx)) ?? {});
  }
}
