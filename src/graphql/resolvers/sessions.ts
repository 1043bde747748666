/** The caller's sessions (User.sessions, revokeSession, revokeOtherSessions) and changePassword. */
import { UnauthenticatedError } from '../../domain/errors.js';
import type { Viewer } from '../../domain/SessionService.js';
import type { MutationResolvers, UserResolvers } from '../../__generated__/resolvers-types.js';
import type { Context } from '../context.js';
import { own } from './User.js';

function requireViewer({ viewer }: Context): Viewer {
  if (!viewer) throw new UnauthenticatedError();
  return viewer;
}

export const sessionUserFields: Pick<UserResolvers, 'sessions'> = {
  // `current`: the request's own session, or the one signUp/logIn just issued to this user.
  sessions: own((user, ctx) =>
    ctx.services.sessions.listSessions(user.id, ctx.viewer?.user.id === user.id ? ctx.viewer.sessionId : ctx.selves.get(user.id)),
  ),
};

export const sessionMutations: Pick<MutationResolvers, 'revokeSession' | 'revokeOtherSessions' | 'changePassword'> = {
  revokeSession: async (_parent, { id }, ctx) => {
    await ctx.services.sessions.revokeSession(requireViewer(ctx).user.id, id);
    return true;
  },

  revokeOtherSessions: (_parent, _args, ctx) => ctx.services.sessions.revokeOtherSessions(requireViewer(ctx)),

  changePassword: async (_parent, { currentPassword, newPassword }, ctx) => {
    const viewer = requireViewer(ctx);
    // Per client IP it was counted before the request ran (auth-attempts.ts); per account here.
    await ctx.countAccountAttempt(viewer.user.id);
    await ctx.services.passwords.change({ userId: viewer.user.id, sessionId: viewer.sessionId }, currentPassword, newPassword);
    return true;
  },
};
