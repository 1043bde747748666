import { ForbiddenError } from '../../domain/errors.js';
import { User as UserEntityRef, type User as UserEntity } from '../../db/entities/User.js';
import type { UserResolvers } from '../../__generated__/resolvers-types.js';
import type { Context } from '../context.js';

/** Private fields answer only to the user themself; for anyone else they are FORBIDDEN. */
function own<T>(resolve: (user: UserEntity, ctx: Context) => T) {
  return (user: UserEntity, _args: unknown, ctx: Context): T => {
    if (ctx.viewer?.user.id !== user.id) throw new ForbiddenError('This field is private to its user.');
    return resolve(user, ctx);
  };
}

export const User: UserResolvers = {
  __resolveReference: (reference, { em }) => em.findOne(UserEntityRef, { id: reference.id, status: { $ne: 'deleted' } }),
  status: own((user) => user.status),
  activeSessions: own((user, ctx) => ctx.services.sessions.countActiveSessions(user.id)),
  defaultEmail: own((user, ctx) => ctx.services.sessions.defaultEmail(user.id)),
  phoneNumber: own((user) => user.phoneNumber ?? null),
  locale: own((user) => user.locale ?? null),
  timezone: own((user) => user.timezone ?? null),
};
