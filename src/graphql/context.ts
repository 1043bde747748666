import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClientInfo, Viewer } from '../domain/SessionService.js';
import type { Services } from '../services.js';

/** What every resolver gets: a request-scoped EntityManager, the viewer (if any), the services. */
export interface Context {
  em: EntityManager;
  viewer: Viewer | null;
  services: Services;
  client: ClientInfo;
  requestId: string;
}
