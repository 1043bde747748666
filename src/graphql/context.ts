import DataLoader from 'dataloader';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Profile } from '../db/entities/User.js';
import { isAwaitingDatabase, isDatabaseUnavailable } from '../db/errors.js';
import type { ClientInfo, Viewer } from '../domain/SessionService.js';
import { authenticate } from '../http/auth.js';
import { noteErrorCode } from '../http/metrics.js';
import type { RateLimits } from '../http/rate-limit.js';
import type { Services } from '../domain/services.js';
import { serviceUnavailableError } from './errors.js';
import { documentOf } from './limits.js';

/** What every resolver gets: the viewer (if any), the services, and per-request loaders. */
export interface Context {
  viewer: Viewer | null;
  services: Services;
  client: ClientInfo;
  requestId: string;
  /** Live users by (lower-case) id, batched: every lookup of one request is one query. */
  readonly users: DataLoader<string, Profile | null>;
  /**
   * Users this request has just authenticated as (signUp, logIn) besides the viewer, each with the
   * session it was just given: the user in their AuthPayload is the caller themself, so its
   * private fields answer, and that new session is its `current` one.
   */
  selves: Map<string, string>;
  /** Counts an attempt at this user's password (changePassword) against the account's rate limit. */
  countAccountAttempt(userId: string): Promise<void>;
}

/** A field name cannot be escaped in GraphQL: a document without these words asks for neither. */
const ACCOUNT_FIELDS = /\b(?:activeSessions|defaultEmail)\b/;

/**
 * Builds the context of one GraphQL request: token → viewer; the rest is made when first used.
 * A document that mentions activeSessions or defaultEmail gets the viewer's account facts in the
 * same statement as the authentication (as GET /me does), instead of a second one.
 */
export async function createContext(services: Services, request: FastifyRequest, reply: FastifyReply, limits: RateLimits): Promise<Context> {
  const query = documentOf(request);
  const withAccount = typeof query === 'string' && ACCOUNT_FIELDS.test(query);
  let viewer: Viewer | null;
  try {
    viewer = await authenticate(request, services.sessions, { withAccount });
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    if (!isAwaitingDatabase(error)) request.log.error({ err: error }, 'GraphQL request failed: database unavailable');
    // Apollo answers a failed context itself, past every hook that counts errors: count it here.
    noteErrorCode(request, 'SERVICE_UNAVAILABLE');
    throw serviceUnavailableError(request.id, error);
  }
  return new RequestContext(services, viewer, { userAgent: request.headers['user-agent'] }, request.id, (userId) =>
    limits.checkAccountAttempt(reply, userId),
  );
}

/** `me` needs no loader: it is made on first use. */
class RequestContext implements Context {
  private loader?: DataLoader<string, Profile | null>;
  readonly selves = new Map<string, string>();

  constructor(
    readonly services: Services,
    public viewer: Viewer | null,
    readonly client: ClientInfo,
    readonly requestId: string,
    readonly countAccountAttempt: (userId: string) => Promise<void>,
  ) {}

  get users(): DataLoader<string, Profile | null> {
    return (this.loader ??= new DataLoader(async (ids) => {
      const found = await this.services.profiles.findLiveByIds(ids);
      const byId = new Map(found.map((user) => [user.id, user]));
      return ids.map((id) => byId.get(id) ?? null);
    }));
  }
}
