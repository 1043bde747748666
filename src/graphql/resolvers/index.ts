import type { Resolvers } from '../../__generated__/resolvers-types.js';
import { scalars } from '../scalars.js';
import { emailMutations, emailUserFields, passwordResetMutations } from './emails.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { sessionMutations, sessionUserFields } from './sessions.js';
import { User } from './User.js';

export const resolvers: Resolvers = {
  ...scalars,
  UserStatus: { PENDING: 'pending', ACTIVE: 'active', SUSPENDED: 'suspended', DELETED: 'deleted' },
  Query,
  Mutation: { ...Mutation, ...emailMutations, ...passwordResetMutations, ...sessionMutations },
  User: { ...User, ...emailUserFields, ...sessionUserFields },
};
