/**
 * Peer: a bare Apollo Server 5 on Fastify (@as-integrations/fastify), tuned as production would
 * run it (cache-control plugin off, landing page off, introspection off, compact JSON), serving
 * GraphQL `me` and REST `GET /me` from the ceiling's one statement. No hooks, no logging: what
 * Apollo itself costs over the ceiling.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import Fastify from 'fastify';
import { listen, restRoutes, schema, type PeerContext } from './shared.js';

const app = Fastify();
const apollo = new ApolloServer<PeerContext>({
  schema,
  introspection: false,
  stringifyResult: JSON.stringify,
  plugins: [fastifyApolloDrainPlugin(app), ApolloServerPluginCacheControlDisabled(), ApolloServerPluginLandingPageDisabled()],
});
await apollo.start();
await app.register(fastifyApollo(apollo), { context: async (request) => ({ authorization: request.headers.authorization }) });
restRoutes(app);
await listen(app);
