import { graphql } from '../gql/index.js';

/** The caller's addresses: the default first, then by when they were added. */
export const Emails = graphql(`
  query Emails {
    me {
      id
      status
      defaultEmail
      emails {
        id
        address
        verified
        isDefault
        createdAt
        verifiedAt
      }
    }
  }
`);

/** Adds an unverified address; a verification message goes to it. */
export const AddEmail = graphql(`
  mutation AddEmail($address: EmailAddress!) {
    addEmail(address: $address) {
      id
      address
      verified
      isDefault
    }
  }
`);

/** A new verification message (at most 3 an hour per address). */
export const SendEmailVerification = graphql(`
  mutation SendEmailVerification($id: UUID!) {
    sendEmailVerification(id: $id)
  }
`);

/** Verifies the address a token was sent to; needs no Authorization. */
export const VerifyEmail = graphql(`
  mutation VerifyEmail($token: String!) {
    verifyEmail(token: $token) {
      id
      address
      verified
      verifiedAt
    }
  }
`);

/** Makes a verified address the default; returns the user. */
export const SetDefaultEmail = graphql(`
  mutation SetDefaultEmail($id: UUID!) {
    setDefaultEmail(id: $id) {
      id
      status
      defaultEmail
    }
  }
`);

/** Removes an address that is not the default. */
export const RemoveEmail = graphql(`
  mutation RemoveEmail($id: UUID!) {
    removeEmail(id: $id)
  }
`);
