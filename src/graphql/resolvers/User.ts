import type { GraphQLResolveInfo } from 'graphql';
import { ForbiddenError, ValidationError } from '../../domain/errors.js';
import type { Profile } from '../../db/entities/User.js';
import type { AccountFacts } from '../../domain/SessionService.js';
import type { UserResolvers } from '../../__generated__/resolvers-types.js';
import type { Context } from '../context.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Private fields answer only to the user themself; for anyone else they are FORBIDDEN. The check
 * is here, in the subgraph, so it holds for `_entities` called directly as well as via a router.
 */
export function own<T>(resolve: (user: Profile, ctx: Context, info: GraphQLResolveInfo) => T) {
  return (user: Profile, _args: unknown, ctx: Context, info: GraphQLResolveInfo): T => {
    if (ctx.viewer?.user.id !== user.id && !ctx.selves.has(user.id)) {
      throw new ForbiddenError('This field is private to its user.');
    }
    return resolve(user, ctx, info);
  };
}

/**
 * activeSessions and defaultEmail of one user in one request: one statement, however many fields
 * ask. A query's viewer has them already when its document asked (context.ts): read with the
 * session. A mutation reads them afresh, after its writes (logIn adds a session).
 */
const accountFactsOf = new WeakMap<Context, Map<string, Promise<AccountFacts>>>();
function accountFacts(user: Profile, ctx: Context, info: GraphQLResolveInfo): Promise<AccountFacts> | AccountFacts {
  const { viewer } = ctx;
  if (viewer?.account && viewer.user.id === user.id && info.operation.operation === 'query') return viewer.account;
  let byUser = accountFactsOf.get(ctx);
  if (!byUser) accountFactsOf.set(ctx, (byUser = new Map()));
  let facts = byUser.get(user.id);
  if (!facts) byUser.set(user.id, (facts = ctx.services.sessions.accountFacts(user.id)));
  return facts;
}

export const User: UserResolvers = {
  // Async, so a bad representation fails its own entry of `_entities`, not the whole list.
  __resolveReference: async (reference, { users }) => {
    const id: unknown = (reference as { id?: unknown }).id;
    if (typeof id !== 'string' || !UUID.test(id)) {
      throw ValidationError.field('id', 'A User representation needs an `id` that is a UUID.');
    }
    return users.load(id.toLowerCase());
  },
  status: own((user) => user.status),
  activeSessions: own(async (user, ctx, info) => (await accountFacts(user, ctx, info)).activeSessions),
  defaultEmail: own(async (user, ctx, info) => (await accountFacts(user, ctx, info)).defaultEmail),
  phoneNumber: own((user) => user.phoneNumber ?? null),
  locale: own((user) => user.locale ?? null),
  timezone: own((user) => user.timezone ?? null),
};
