import { UnauthenticatedError } from '../../domain/errors.js';
import type { AuthResult, Viewer } from '../../domain/SessionService.js';
import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import type { Context } from '../context.js';

function requireViewer({ viewer }: Context): Viewer {
  if (!viewer) throw new UnauthenticatedError();
  return viewer;
}

/** The AuthPayload's user is whoever just proved who they are: they may see their own fields. */
function asSelf(ctx: Context, result: AuthResult): AuthResult {
  ctx.selves.set(result.user.id, result.sessionId);
  return result;
}

export const Mutation: MutationResolvers = {
  updateMe: async (_parent, { input }, ctx) =>
    (await ctx.services.profiles.updateProfile(requireViewer(ctx).user.id, input)).user,

  deleteMe: (_parent, _args, ctx) => ctx.services.profiles.deleteAccount(requireViewer(ctx).user.id),

  signUp: async (_parent, { input }, ctx) => asSelf(ctx, await ctx.services.sessions.signUp(input, ctx.client)),

  logIn: async (_parent, { email, password }, ctx) => asSelf(ctx, await ctx.services.sessions.logIn(email, password, ctx.client)),

  logOut: async (_parent, _args, ctx) => {
    await ctx.services.sessions.logOut(requireViewer(ctx).sessionId);
    return true;
  },
};
