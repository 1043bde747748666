/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Emails {\n    me {\n      id\n      status\n      defaultEmail\n      emails {\n        id\n        address\n        verified\n        isDefault\n        createdAt\n        verifiedAt\n      }\n    }\n  }\n": typeof types.EmailsDocument,
    "\n  mutation AddEmail($address: EmailAddress!) {\n    addEmail(address: $address) {\n      id\n      address\n      verified\n      isDefault\n    }\n  }\n": typeof types.AddEmailDocument,
    "\n  mutation SendEmailVerification($id: UUID!) {\n    sendEmailVerification(id: $id)\n  }\n": typeof types.SendEmailVerificationDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      id\n      address\n      verified\n      verifiedAt\n    }\n  }\n": typeof types.VerifyEmailDocument,
    "\n  mutation SetDefaultEmail($id: UUID!) {\n    setDefaultEmail(id: $id) {\n      id\n      status\n      defaultEmail\n    }\n  }\n": typeof types.SetDefaultEmailDocument,
    "\n  mutation RemoveEmail($id: UUID!) {\n    removeEmail(id: $id)\n  }\n": typeof types.RemoveEmailDocument,
    "\n  query Me {\n    me {\n      id\n      name\n      bio\n      status\n      activeSessions\n      defaultEmail\n      avatarUrl\n      locale\n      timezone\n      updatedAt\n    }\n  }\n": typeof types.MeDocument,
    "\n  query Sessions {\n    me {\n      id\n      activeSessions\n      sessions {\n        id\n        current\n        createdAt\n        lastSeenAt\n        expiresAt\n        userAgent\n      }\n    }\n  }\n": typeof types.SessionsDocument,
    "\n  mutation RevokeSession($id: UUID!) {\n    revokeSession(id: $id)\n  }\n": typeof types.RevokeSessionDocument,
    "\n  mutation RevokeOtherSessions {\n    revokeOtherSessions\n  }\n": typeof types.RevokeOtherSessionsDocument,
    "\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n": typeof types.ChangePasswordDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        status\n        defaultEmail\n      }\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation UpdateMe($input: UpdateMeInput!) {\n    updateMe(input: $input) {\n      id\n      name\n      bio\n      avatarUrl\n      locale\n      timezone\n      updatedAt\n    }\n  }\n": typeof types.UpdateMeDocument,
};
const documents: Documents = {
    "\n  query Emails {\n    me {\n      id\n      status\n      defaultEmail\n      emails {\n        id\n        address\n        verified\n        isDefault\n        createdAt\n        verifiedAt\n      }\n    }\n  }\n": types.EmailsDocument,
    "\n  mutation AddEmail($address: EmailAddress!) {\n    addEmail(address: $address) {\n      id\n      address\n      verified\n      isDefault\n    }\n  }\n": types.AddEmailDocument,
    "\n  mutation SendEmailVerification($id: UUID!) {\n    sendEmailVerification(id: $id)\n  }\n": types.SendEmailVerificationDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      id\n      address\n      verified\n      verifiedAt\n    }\n  }\n": types.VerifyEmailDocument,
    "\n  mutation SetDefaultEmail($id: UUID!) {\n    setDefaultEmail(id: $id) {\n      id\n      status\n      defaultEmail\n    }\n  }\n": types.SetDefaultEmailDocument,
    "\n  mutation RemoveEmail($id: UUID!) {\n    removeEmail(id: $id)\n  }\n": types.RemoveEmailDocument,
    "\n  query Me {\n    me {\n      id\n      name\n      bio\n      status\n      activeSessions\n      defaultEmail\n      avatarUrl\n      locale\n      timezone\n      updatedAt\n    }\n  }\n": types.MeDocument,
    "\n  query Sessions {\n    me {\n      id\n      activeSessions\n      sessions {\n        id\n        current\n        createdAt\n        lastSeenAt\n        expiresAt\n        userAgent\n      }\n    }\n  }\n": types.SessionsDocument,
    "\n  mutation RevokeSession($id: UUID!) {\n    revokeSession(id: $id)\n  }\n": types.RevokeSessionDocument,
    "\n  mutation RevokeOtherSessions {\n    revokeOtherSessions\n  }\n": types.RevokeOtherSessionsDocument,
    "\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n": types.ChangePasswordDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        status\n        defaultEmail\n      }\n    }\n  }\n": types.SignUpDocument,
    "\n  mutation UpdateMe($input: UpdateMeInput!) {\n    updateMe(input: $input) {\n      id\n      name\n      bio\n      avatarUrl\n      locale\n      timezone\n      updatedAt\n    }\n  }\n": types.UpdateMeDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Emails {\n    me {\n      id\n      status\n      defaultEmail\n      emails {\n        id\n        address\n        verified\n        isDefault\n        createdAt\n        verifiedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query Emails {\n    me {\n      id\n      status\n      defaultEmail\n      emails {\n        id\n        address\n        verified\n        isDefault\n        createdAt\n        verifiedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddEmail($address: EmailAddress!) {\n    addEmail(address: $address) {\n      id\n      address\n      verified\n      isDefault\n    }\n  }\n"): (typeof documents)["\n  mutation AddEmail($address: EmailAddress!) {\n    addEmail(address: $address) {\n      id\n      address\n      verified\n      isDefault\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendEmailVerification($id: UUID!) {\n    sendEmailVerification(id: $id)\n  }\n"): (typeof documents)["\n  mutation SendEmailVerification($id: UUID!) {\n    sendEmailVerification(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      id\n      address\n      verified\n      verifiedAt\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      id\n      address\n      verified\n      verifiedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetDefaultEmail($id: UUID!) {\n    setDefaultEmail(id: $id) {\n      id\n      status\n      defaultEmail\n    }\n  }\n"): (typeof documents)["\n  mutation SetDefaultEmail($id: UUID!) {\n    setDefaultEmail(id: $id) {\n      id\n      status\n      defaultEmail\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveEmail($id: UUID!) {\n    removeEmail(id: $id)\n  }\n"): (typeof documents)["\n  mutation RemoveEmail($id: UUID!) {\n    removeEmail(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      name\n      bio\n      status\n      activeSessions\n      defaultEmail\n      avatarUrl\n      locale\n      timezone\n      updatedAt\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      name\n      bio\n      status\n      activeSessions\n      defaultEmail\n      avatarUrl\n      locale\n      timezone\n      updatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Sessions {\n    me {\n      id\n      activeSessions\n      sessions {\n        id\n        current\n        createdAt\n        lastSeenAt\n        expiresAt\n        userAgent\n      }\n    }\n  }\n"): (typeof documents)["\n  query Sessions {\n    me {\n      id\n      activeSessions\n      sessions {\n        id\n        current\n        createdAt\n        lastSeenAt\n        expiresAt\n        userAgent\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeSession($id: UUID!) {\n    revokeSession(id: $id)\n  }\n"): (typeof documents)["\n  mutation RevokeSession($id: UUID!) {\n    revokeSession(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeOtherSessions {\n    revokeOtherSessions\n  }\n"): (typeof documents)["\n  mutation RevokeOtherSessions {\n    revokeOtherSessions\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n"): (typeof documents)["\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        status\n        defaultEmail\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        status\n        defaultEmail\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateMe($input: UpdateMeInput!) {\n    updateMe(input: $input) {\n      id\n      name\n      bio\n      avatarUrl\n      locale\n      timezone\n      updatedAt\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateMe($input: UpdateMeInput!) {\n    updateMe(input: $input) {\n      id\n      name\n      bio\n      avatarUrl\n      locale\n      timezone\n      updatedAt\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;