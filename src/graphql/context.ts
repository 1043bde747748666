import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { FastifyRequest } from 'fastify';
import { User as UserEntityRef, type User as UserEntity } from '../db/entities/User.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import type { ClientInfo, Viewer } from '../domain/SessionService.js';
import { tokenFromAuthorization } from '../domain/tokens.js';
import type { Services } from '../services.js';
import { serviceUnavailableError } from './errors.js';

/** What every resolver gets: a request-scoped EntityManager, the viewer (if any), the services. */
export interface Context {
  em: EntityManager;
  viewer: Viewer | null;
  services: Services;
  client: ClientInfo;
  requestId: string;
  /** Live users by (lower-case) id, batched: every lookup of one request is one query. */
  users: DataLoader<string, UserEntity | null>;
  /**
   * Users this request has just authenticated as (signUp, logIn) besides the viewer: the user in
   * their AuthPayload is the caller themself, so its private fields answer.
   */
  selves: Set<string>;
}

/** Builds the context of one GraphQL request: token → viewer, a forked EntityManager, loaders. */
export async function createContext(services: Services, request: FastifyRequest): Promise<Context> {
  const em = services.orm.em.fork();
  let viewer: Viewer | null;
  try {
    viewer = await services.sessions.authenticate(em, tokenFromAuthorization(request.headers.authorization));
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    request.log.error({ err: error }, 'GraphQL request failed: database unavailable');
    throw serviceUnavailableError(request.id, error);
  }
  return {
    em,
    viewer,
    services,
    client: { userAgent: request.headers['user-agent'] },
    requestId: request.id,
    users: usersLoader(em),
    selves: new Set(),
  };
}

/** Deleted users are gone as far as anyone else is concerned; purged ones have no row at all. */
function usersLoader(em: EntityManager): DataLoader<string, UserEntity | null> {
  return new DataLoader(async (ids) => {
    const found = await em.find(UserEntityRef, { id: { $in: [...ids] }, status: { $ne: 'deleted' } });
    const byId = new Map(found.map((user) => [user.id, user]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
