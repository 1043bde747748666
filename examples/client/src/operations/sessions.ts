import { graphql } from '../gql/index.js';

/** The caller's live sessions: the calling one first (`current`), then the most recently used. */
export const Sessions = graphql(`
  query Sessions {
    me {
      id
      activeSessions
      sessions {
        id
        current
        createdAt
        lastSeenAt
        expiresAt
        userAgent
      }
    }
  }
`);

/** Ends one of the caller's live sessions (NOT_FOUND for any other id). */
export const RevokeSession = graphql(`
  mutation RevokeSession($id: UUID!) {
    revokeSession(id: $id)
  }
`);

/** Ends every live session of the caller but the calling one; answers how many ended. */
export const RevokeOtherSessions = graphql(`
  mutation RevokeOtherSessions {
    revokeOtherSessions
  }
`);

/** A wrong current password is BAD_USER_INPUT on `currentPassword`; on success the other sessions end. */
export const ChangePassword = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`);
