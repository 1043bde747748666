/**
 * What the two peers share: the GraphQL schema of `me` (the service's field names and JSON
 * shapes, nothing else), the REST `GET /me` route, readiness and shutdown. Both answer from the
 * ceiling's statement (bench/lookup.ts), one lookup per request.
 */
import type { FastifyInstance } from 'fastify';
import {
  GraphQLEnumType,
  GraphQLError,
  GraphQLID,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLResolveInfo,
} from 'graphql';
import { lookup, pool, port, restUser, UNAUTHENTICATED, type Row } from '../lookup.js';

export interface PeerContext {
  authorization: string | undefined;
}

const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => (value as Date).toISOString(),
});

const UserStatus = new GraphQLEnumType({
  name: 'UserStatus',
  values: { PENDING: { value: 'pending' }, ACTIVE: { value: 'active' }, SUSPENDED: { value: 'suspended' }, DELETED: { value: 'deleted' } },
});

const User = new GraphQLObjectType<Row, PeerContext>({
  name: 'User',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID) },
    status: { type: UserStatus },
    name: { type: new GraphQLNonNull(GraphQLString) },
    bio: { type: GraphQLString },
    activeSessions: { type: GraphQLInt, resolve: (row) => row.active_sessions },
    createdAt: { type: DateTime, resolve: (row) => row.created_at },
    updatedAt: { type: DateTime, resolve: (row) => row.updated_at },
    defaultEmail: { type: GraphQLString, resolve: (row) => row.default_email },
    avatarUrl: { type: GraphQLString, resolve: (row) => row.avatar_url },
    phoneNumber: { type: GraphQLString, resolve: (row) => row.phone_number },
    locale: { type: GraphQLString },
    timezone: { type: GraphQLString },
  },
});

/** The account facts come from the larger statement, as in the service: only when asked for. */
function wantsAccountFacts(info: GraphQLResolveInfo): boolean {
  for (const node of info.fieldNodes) {
    for (const selection of node.selectionSet?.selections ?? []) {
      if (selection.kind !== 'Field') return true; // a fragment: take the larger statement
      if (selection.name.value === 'activeSessions' || selection.name.value === 'defaultEmail') return true;
    }
  }
  return false;
}

export const schema = new GraphQLSchema({
  query: new GraphQLObjectType<unknown, PeerContext>({
    name: 'Query',
    fields: {
      me: {
        type: User,
        async resolve(_root, _args, context, info) {
          const row = await lookup(context.authorization, wantsAccountFacts(info));
          if (!row) throw new GraphQLError('Not authenticated', { extensions: { code: 'UNAUTHENTICATED' } });
          return row;
        },
      },
    },
  }),
});

/** GET /me (the service's REST shape) and /readyz. */
export function restRoutes(app: FastifyInstance): void {
  app.get('/me', async (request, reply) => {
    const row = await lookup(request.headers.authorization, true);
    if (!row) return reply.code(401).send(UNAUTHENTICATED);
    return restUser(row);
  });
  app.get('/readyz', async () => {
    await pool.query('select 1');
    return { status: 'ok' };
  });
}

export async function listen(app: FastifyInstance): Promise<void> {
  await app.listen({ port, host: '127.0.0.1' });
  const shutdown = () => {
    void app
      .close()
      .then(() => pool.end())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
