import { randomUUID } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import { Session, User, UserEmail, type Profile } from '../db/entities/index.js';
import { preparedQuery } from '../db/raw.js';
import { ACCOUNT_FACTS_COLUMNS, USER_COLUMNS, profileFromRow, type AccountFactsRow } from '../db/sql.js';
import { ConflictError, UnauthenticatedError, ValidationError, type FieldError } from './errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { generateToken, hashToken } from './tokens.js';
import { emailKey, normalizeEmail, normalizeName, normalizePhoneNumber, validatePassword } from './validation.js';

/** Facts about an account that live outside its row. */
export interface AccountFacts {
  /** Sessions neither revoked nor expired. */
  activeSessions: number;
  defaultEmail: string | null;
}

/** Who is calling: the user their token was issued to, and that session. */
export interface Viewer {
  user: Profile;
  sessionId: string;
  /** Present when authenticate() was asked for it: read in the same statement. */
  account?: AccountFacts;
}

export interface AuthResult {
  token: string;
  expiresAt: Date;
  user: User;
}

export interface SignUpInput {
  email: unknown;
  password: unknown;
  name: unknown;
  phoneNumber?: unknown;
}

export interface ClientInfo {
  userAgent?: string | undefined;
}

// One indexed lookup per authenticated request: token hash → live session ⋈ its user.
// last_seen_at is kept to five minutes' resolution, so most requests write nothing.
const AUTHENTICATE_FROM = `from sessions s join users u on u.id = s.user_id
  where s.token_hash = $1 and s.revoked_at is null and s.expires_at > now() and u.status <> 'deleted'`;
const SESSION_COLUMNS = "s.id as session_id, s.last_seen_at < now() - interval '5 minutes' as session_stale";
const AUTHENTICATE_SQL = `select ${SESSION_COLUMNS}, ${USER_COLUMNS} ${AUTHENTICATE_FROM}`;
const AUTHENTICATE_WITH_ACCOUNT_SQL = `select ${SESSION_COLUMNS}, ${USER_COLUMNS}, ${ACCOUNT_FACTS_COLUMNS} ${AUTHENTICATE_FROM}`;

const TOUCH_SQL = 'update sessions set last_seen_at = now() where id = $1';
const accountFactsSql = (parameter: '$1' | '?') => `select ${ACCOUNT_FACTS_COLUMNS} from users u where u.id = ${parameter}`;

const INVALID_CREDENTIALS = 'Invalid email or password.';

export class SessionService {
  constructor(
    private readonly orm: MikroORM,
    private readonly options: { sessionTtlMs: number; onBackgroundError?: (error: unknown) => void },
  ) {}

  /**
   * The viewer whose token has this hash (tokens.ts hashToken), or null when the token is unknown,
   * revoked or expired. With `withAccount`, the account facts come in the same statement.
   */
  async authenticate(tokenHash: Buffer | null, { withAccount = false } = {}): Promise<Viewer | null> {
    if (!tokenHash) return null;
    const [row] = withAccount
      ? await preparedQuery(this.orm, 'pgw_authenticate_account', AUTHENTICATE_WITH_ACCOUNT_SQL, [tokenHash])
      : await preparedQuery(this.orm, 'pgw_authenticate', AUTHENTICATE_SQL, [tokenHash]);
    if (!row) return null;
    const { session_id: sessionId, session_stale: stale } = row;
    if (stale) {
      preparedQuery(this.orm, 'pgw_touch_session', TOUCH_SQL, [sessionId]).catch((error: unknown) =>
        this.options.onBackgroundError?.(error),
      );
    }
    const viewer: Viewer = { user: profileFromRow(row), sessionId: String(sessionId) };
    if (withAccount) viewer.account = toAccountFacts(row);
    return viewer;
  }

  /**
   * The account facts of a user. Pass the transaction's EntityManager to read them inside it (the
   * embedded database has one connection, which an open transaction holds).
   */
  async accountFacts(userId: string, tx?: EntityManager): Promise<AccountFacts> {
    const [row] = tx?.isInTransaction()
      ? await tx.execute(accountFactsSql('?'), [userId])
      : await preparedQuery(this.orm, 'pgw_account_facts', accountFactsSql('$1'), [userId]);
    return toAccountFacts(row ?? {});
  }

  /** Creates a pending user whose email becomes its default one, and logs it in. */
  async signUp(em: EntityManager, input: SignUpInput, client: ClientInfo = {}): Promise<AuthResult> {
    const errors: FieldError[] = [];
    const attempt = <T>(fn: () => T): T | undefined => {
      try {
        return fn();
      } catch (error) {
        if (error instanceof ValidationError) errors.push(...error.errors);
        else throw error;
        return undefined;
      }
    };
    const email = attempt(() => normalizeEmail(input.email));
    const password = attempt(() => validatePassword(input.password));
    const name = attempt(() => normalizeName(input.name));
    const phoneNumber = input.phoneNumber == null ? null : attempt(() => normalizePhoneNumber(input.phoneNumber));
    if (errors.length > 0) throw new ValidationError(errors);

    const passwordHash = await hashPassword(password!);
    try {
      return await em.transactional(async (tx) => {
        if (await this.emailTaken(tx, email!)) throw emailTaken();
        const now = new Date();
        const user = tx.create(User, {
          id: randomUUID(),
          status: 'pending',
          name: name!,
          phoneNumber,
          passwordHash,
          createdAt: now,
          updatedAt: now,
        });
        tx.create(UserEmail, { id: randomUUID(), user, address: email!, isDefault: true, createdAt: now });
        return this.startSession(tx, user, client);
      });
    } catch (error) {
      // Two sign-ups racing for one address: the unique index decides.
      if (error instanceof UniqueConstraintViolationException) throw emailTaken();
      throw error;
    }
  }

  /** A wrong email, a wrong password and a deleted account give the same error. */
  async logIn(em: EntityManager, emailInput: unknown, password: unknown, client: ClientInfo = {}): Promise<AuthResult> {
    if (typeof emailInput !== 'string' || typeof password !== 'string') throw new UnauthenticatedError(INVALID_CREDENTIALS);
    const found = await em.execute<{ id: string; password_hash: string }[]>(
      `select u.id, u.password_hash from user_emails e join users u on u.id = e.user_id
       where lower(e.address) = ? and u.status <> 'deleted'`,
      [emailKey(emailInput.trim())],
    );
    const candidate = found[0];
    if (!(await verifyPassword(candidate?.password_hash, password)) || !candidate) {
      throw new UnauthenticatedError(INVALID_CREDENTIALS);
    }
    return em.transactional(async (tx) => {
      // FOR SHARE makes a racing deleteMe wait for this session, then revoke it too.
      const user = await tx.findOne(User, { id: candidate.id }, { lockMode: LockMode.PESSIMISTIC_READ, refresh: true });
      if (!user || user.status === 'deleted') throw new UnauthenticatedError(INVALID_CREDENTIALS);
      return this.startSession(tx, user, client);
    });
  }

  /** A new session for a live account, without its password: the demo user's token at each start. */
  async startSessionFor(em: EntityManager, userId: string, client: ClientInfo = {}): Promise<AuthResult | null> {
    return em.transactional(async (tx) => {
      const user = await tx.findOne(User, { id: userId }, { lockMode: LockMode.PESSIMISTIC_READ, refresh: true });
      if (!user || user.status === 'deleted' || user.status === 'suspended') return null;
      return this.startSession(tx, user, client);
    });
  }

  /** Ends one session. */
  async logOut(em: EntityManager, sessionId: string): Promise<void> {
    await em.nativeUpdate(Session, { id: sessionId, revokedAt: null }, { revokedAt: new Date() });
  }

  private startSession(tx: EntityManager, user: User, client: ClientInfo): AuthResult {
    const token = generateToken();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.options.sessionTtlMs);
    tx.create(Session, {
      id: randomUUID(),
      user,
      tokenHash: hashToken(token),
      createdAt: now,
      expiresAt,
      lastSeenAt: now,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
    });
    return { token, expiresAt, user };
  }

  private async emailTaken(em: EntityManager, email: string): Promise<boolean> {
    const rows = await em.execute('select 1 from user_emails where lower(address) = ?', [emailKey(email)]);
    return rows.length > 0;
  }
}

export function toAccountFacts(row: AccountFactsRow): AccountFacts {
  return { activeSessions: Number(row.active_sessions ?? 0), defaultEmail: (row.default_email as string | null) ?? null };
}

function emailTaken(): ConflictError {
  return new ConflictError('An account with this email already exists.', 'email');
}
