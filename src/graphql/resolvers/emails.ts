/** The caller's email addresses (User.emails and the mutations on them), and password reset. */
import { UnauthenticatedError } from '../../domain/errors.js';
import type { Viewer } from '../../domain/SessionService.js';
import type { MutationResolvers, UserResolvers } from '../../__generated__/resolvers-types.js';
import type { Context } from '../context.js';
import { own } from './User.js';

function requireViewer({ viewer }: Context): Viewer {
  if (!viewer) throw new UnauthenticatedError();
  return viewer;
}

export const emailUserFields: Pick<UserResolvers, 'emails'> = {
  emails: own((user, ctx) => ctx.services.emails.list(user.id)),
};

export const emailMutations: Pick<MutationResolvers, 'addEmail' | 'sendEmailVerification' | 'verifyEmail' | 'setDefaultEmail' | 'removeEmail'> = {
  addEmail: (_parent, { address }, ctx) => ctx.services.emails.add(requireViewer(ctx).user.id, address),

  sendEmailVerification: async (_parent, { id }, ctx) => {
    await ctx.services.emails.sendVerification(requireViewer(ctx).user.id, id);
    return true;
  },

  // No Authorization needed: the token is the proof (a link opened on another device).
  verifyEmail: (_parent, { token }, ctx) => ctx.services.emails.verify(token),

  setDefaultEmail: (_parent, { id }, ctx) => ctx.services.emails.setDefault(requireViewer(ctx).user.id, id),

  removeEmail: async (_parent, { id }, ctx) => {
    await ctx.services.emails.remove(requireViewer(ctx).user.id, id);
    return true;
  },
};

export const passwordResetMutations: Pick<MutationResolvers, 'requestPasswordReset' | 'resetPassword'> = {
  requestPasswordReset: (_parent, { email }, ctx) => ctx.services.passwords.requestReset(email),
  resetPassword: (_parent, { token, newPassword }, ctx) => ctx.services.passwords.reset(token, newPassword),
};
