import { UnauthenticatedError } from '../../domain/errors.js';
import type { QueryResolvers } from '../../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  me: (_parent, _args, { viewer }) => {
    if (!viewer) throw new UnauthenticatedError();
    return viewer.user;
  },
};
