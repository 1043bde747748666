/**
 * Peer: Mercurius with graphql-jit (a query is compiled after its first use), serving GraphQL `me`
 * and REST `GET /me` from the ceiling's one statement. No hooks, no logging.
 */
import Fastify from 'fastify';
import mercurius from 'mercurius';
import { listen, restRoutes, schema, type PeerContext } from './shared.js';

const app = Fastify();
await app.register(mercurius, {
  schema,
  jit: 1,
  graphiql: false,
  context: (request): PeerContext => ({ authorization: request.headers.authorization }),
});
restRoutes(app);
await listen(app);
