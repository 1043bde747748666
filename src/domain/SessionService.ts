import { randomUUID } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import { Session, User, UserEmail } from '../db/entities/index.js';
import { preparedQuery } from '../db/raw.js';
import { ConflictError, UnauthenticatedError, ValidationError, type FieldError } from './errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { generateToken, hashToken } from './tokens.js';
import { emailKey, normalizeEmail, normalizeName, normalizePhoneNumber, validatePassword } from './validation.js';

/** Who is calling: the user their token was issued to, and that session. */
export interface Viewer {
  user: User;
  sessionId: string;
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

const USER_COLUMNS = 'u.id, u.status, u.name, u.bio, u.avatar_url, u.phone_number, u.locale, u.timezone, u.created_at, u.updated_at';

// One indexed lookup per authenticated request: token hash → live session ⋈ its user.
// last_seen_at is kept to five minutes' resolution, so most requests write nothing.
const AUTHENTICATE_SQL = `select s.id as session_id, s.last_seen_at < now() - interval '5 minutes' as session_stale, ${USER_COLUMNS}
  from sessions s join users u on u.id = s.user_id
  where s.token_hash = $1 and s.revoked_at is null and s.expires_at > now() and u.status <> 'deleted'`;

const TOUCH_SQL = 'update sessions set last_seen_at = now() where id = $1';
const ACTIVE_SESSIONS_SQL = 'select count(*)::int as n from sessions where user_id = $1 and revoked_at is null and expires_at > now()';
const DEFAULT_EMAIL_SQL = 'select address from user_emails where user_id = $1 and is_default';

const INVALID_CREDENTIALS = 'Invalid email or password.';

export class SessionService {
  constructor(
    private readonly orm: MikroORM,
    private readonly options: { sessionTtlMs: number; onBackgroundError?: (error: unknown) => void },
  ) {}

  /** The viewer a token belongs to, or null when the token is unknown, revoked or expired. */
  async authenticate(em: EntityManager, token: string | null): Promise<Viewer | null> {
    if (!token) return null;
    const [row] = await preparedQuery(this.orm, 'pgw_authenticate', AUTHENTICATE_SQL, [hashToken(token)]);
    if (!row) return null;
    const { session_id: sessionId, session_stale: stale, ...userRow } = row;
    if (stale) {
      preparedQuery(this.orm, 'pgw_touch_session', TOUCH_SQL, [sessionId]).catch((error: unknown) =>
        this.options.onBackgroundError?.(error),
      );
    }
    return { user: em.map(User, userRow), sessionId: String(sessionId) };
  }

  async countActiveSessions(userId: string): Promise<number> {
    const [row] = await preparedQuery<{ n: number }>(this.orm, 'pgw_active_sessions', ACTIVE_SESSIONS_SQL, [userId]);
    return row?.n ?? 0;
  }

  async defaultEmail(userId: string): Promise<string | null> {
    const [row] = await preparedQuery<{ address: string }>(this.orm, 'pgw_default_email', DEFAULT_EMAIL_SQL, [userId]);
    return row?.address ?? null;
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

function emailTaken(): ConflictError {
  return new ConflictError('An account with this email already exists.', 'email');
}
