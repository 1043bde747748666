import { graphql } from '../gql/index.js';

/** Changes the caller's profile: a field left out is unchanged, `null` clears it. */
export const UpdateMe = graphql(`
  mutation UpdateMe($input: UpdateMeInput!) {
    updateMe(input: $input) {
      id
      name
      bio
      avatarUrl
      locale
      timezone
      updatedAt
    }
  }
`);
