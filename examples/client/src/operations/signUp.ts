import { graphql } from '../gql/index.js';

/** Creates an account and logs it in: keep `token` for every later call. */
export const SignUp = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      token
      expiresAt
      user {
        id
        name
        status
        defaultEmail
      }
    }
  }
`);
