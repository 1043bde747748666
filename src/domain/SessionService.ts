import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/database.js';
import type { Profile } from '../db/entities/index.js';
import { isUniqueViolation } from '../db/errors.js';
import type { Repositories } from '../db/repositories.js';
import type { AccountFacts } from '../db/sql.js';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError, type FieldError } from './errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { generateToken, hashToken } from './tokens.js';
import { emailKey, isUuid, normalizeEmail, normalizeName, normalizePhoneNumber, validatePassword } from './validation.js';

export type { AccountFacts } from '../db/sql.js';

/** Who is calling: the user their token was issued to, and that session. */
export interface Viewer {
  user: Profile;
  sessionId: string;
  /** Present when authenticate() was asked for it: read in the same statement. */
  account?: AccountFacts;
}

export interface AuthResult {
  token: string;
  /** The new session's id. */
  sessionId: string;
  expiresAt: Date;
  user: Profile;
}

export interface SignUpInput {
  email: unknown;
  password: unknown;
  name: unknown;
  phoneNumber?: unknown;
}

/** A live session, as its owner sees it. */
export interface SessionView {
  id: string;
  /** The session of the token the request came with. */
  current: boolean;
  createdAt: Date;
  /** Kept to five minutes' resolution (sessions.touch). */
  lastSeenAt: Date;
  expiresAt: Date;
  userAgent: string | null;
}

export interface ClientInfo {
  userAgent?: string | undefined;
}

const INVALID_CREDENTIALS = 'Invalid email or password.';

/** Only for the right password: a wrong one gets INVALID_CREDENTIALS, as for any account. */
const accountSuspended = () => new ForbiddenError('This account is suspended; contact support.', 'ACCOUNT_SUSPENDED');

export class SessionService {
  constructor(
    private readonly repos: Repositories,
    private readonly options: { sessionTtlMs: number; onBackgroundError?: (error: unknown) => void },
  ) {}

  /**
   * The viewer whose token has this hash (tokens.ts hashToken), or null when the token is unknown,
   * revoked or expired. With `withAccount`, the account facts come in the same statement.
   */
  async authenticate(tokenHash: Buffer | null, { withAccount = false } = {}): Promise<Viewer | null> {
    if (!tokenHash) return null;
    const found = await this.repos.sessions.lookup(tokenHash, { withAccount });
    if (!found) return null;
    if (found.stale) this.repos.sessions.touch(found.sessionId).catch((error: unknown) => this.options.onBackgroundError?.(error));
    const viewer: Viewer = { user: found.user, sessionId: found.sessionId };
    if (found.account) viewer.account = found.account;
    return viewer;
  }

  /** activeSessions and defaultEmail of a user. */
  accountFacts(userId: string): Promise<AccountFacts> {
    return this.repos.sessions.accountFacts(userId);
  }

  /** Creates a pending user whose email becomes its default one, and logs it in. */
  async signUp(input: SignUpInput, client: ClientInfo = {}): Promise<AuthResult> {
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
    const { users, emails } = this.repos;
    try {
      return await this.repos.db.transaction(async (tx) => {
        if (await emails.taken(emailKey(email!), tx)) throw emailTaken();
        const user = await users.insert({ id: randomUUID(), name: name!, phoneNumber: phoneNumber ?? null, passwordHash }, tx);
        const emailId = randomUUID();
        await emails.insert({ id: emailId, userId: user.id, address: email!, isDefault: true }, tx);
        // Sign-up sends the new address a verification message (the mail worker makes it).
        await this.repos.outbox.enqueue({ id: randomUUID(), kind: 'verify_email', userId: user.id, emailId, recipient: email! }, tx);
        return this.startSession(tx, user, client);
      });
    } catch (error) {
      // Two sign-ups racing for one address: the unique index decides.
      if (isUniqueViolation(error)) throw emailTaken();
      throw error;
    }
  }

  /**
   * A wrong email, a wrong password and a deleted account give the same error; a suspended
   * account with the right password is FORBIDDEN (reason ACCOUNT_SUSPENDED).
   */
  async logIn(emailInput: unknown, password: unknown, client: ClientInfo = {}): Promise<AuthResult> {
    if (typeof emailInput !== 'string' || typeof password !== 'string') throw new UnauthenticatedError(INVALID_CREDENTIALS);
    const candidate = await this.repos.users.credentialsByEmail(emailKey(emailInput.trim()));
    if (!(await verifyPassword(candidate?.passwordHash, password)) || !candidate) {
      throw new UnauthenticatedError(INVALID_CREDENTIALS);
    }
    if (candidate.status === 'suspended') throw accountSuspended();
    return this.repos.db.transaction(async (tx) => {
      // FOR SHARE makes a racing deleteMe or suspension wait for this session, then revoke it too.
      const user = await this.repos.users.lockLiveShared(candidate.id, tx);
      if (!user) throw new UnauthenticatedError(INVALID_CREDENTIALS);
      if (user.status === 'suspended') throw accountSuspended();
      return this.startSession(tx, user, client);
    });
  }

  /** The user's live sessions: `currentSessionId`'s first, then the most recently used. */
  async listSessions(userId: string, currentSessionId: string | undefined): Promise<SessionView[]> {
    const views = (await this.repos.sessions.liveOfUser(userId)).map((row) => ({ ...row, current: row.id === currentSessionId }));
    return [...views.filter((view) => view.current), ...views.filter((view) => !view.current)];
  }

  /** Ends one of the user's live sessions (the calling one included); NOT_FOUND for any other id. */
  async revokeSession(userId: string, id: unknown): Promise<void> {
    if (!isUuid(id)) throw sessionNotFound();
    const revoked = await this.withUserLocked(userId, (tx) => this.repos.sessions.revokeOwn(userId, id, tx));
    if (!revoked) throw sessionNotFound();
  }

  /** Ends every live session of the viewer's user but the viewer's own; returns how many ended. */
  revokeOtherSessions(viewer: Pick<Viewer, 'user' | 'sessionId'>): Promise<number> {
    return this.withUserLocked(viewer.user.id, (tx) => this.repos.sessions.revokeOthers(viewer.user.id, viewer.sessionId, tx));
  }

  /**
   * Runs `fn` with the user's row locked, as every write that ends several of a user's sessions
   * does (changePassword, suspension, deletion, reset): they take turns, so two of them updating
   * the same session rows in different orders never deadlock.
   */
  private withUserLocked<T>(userId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.repos.db.transaction(async (tx) => {
      if (!(await this.repos.users.lockLive(userId, tx))) throw new UnauthenticatedError();
      return fn(tx);
    });
  }

  /** A new session for a live account, without its password: the demo user's token at each start. */
  async startSessionFor(userId: string, client: ClientInfo = {}): Promise<AuthResult | null> {
    return this.repos.db.transaction(async (tx) => {
      // FOR SHARE, as logIn: a racing deleteMe waits for this session, then revokes it too.
      const user = await this.repos.users.lockLiveShared(userId, tx);
      if (!user || user.status === 'suspended') return null;
      return this.startSession(tx, user, client);
    });
  }

  /** Ends one session. */
  async logOut(sessionId: string): Promise<void> {
    await this.repos.sessions.revoke(sessionId);
  }

  private async startSession(tx: Tx, user: Profile, client: ClientInfo): Promise<AuthResult> {
    const token = generateToken();
    const sessionId = randomUUID();
    const expiresAt = await this.repos.sessions.insert(
      {
        id: sessionId,
        userId: user.id,
        tokenHash: hashToken(token),
        ttlMs: this.options.sessionTtlMs,
        userAgent: client.userAgent?.slice(0, 512) ?? null,
      },
      tx,
    );
    return { token, sessionId, expiresAt, user };
  }
}

function sessionNotFound(): NotFoundError {
  return new NotFoundError('No such session among your live ones.');
}

function emailTaken(): ConflictError {
  return new ConflictError('An account with this email already exists.', 'email');
}
