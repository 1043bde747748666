import { graphql } from '../gql/index.js';

/** The caller's profile. Through `me`, `status` and `activeSessions` are never null. */
export const Me = graphql(`
  query Me {
    me {
      id
      name
      bio
      status
      activeSessions
      defaultEmail
      avatarUrl
      locale
      timezone
      updatedAt
    }
  }
`);
