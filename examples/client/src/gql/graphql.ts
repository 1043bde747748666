/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An RFC 3339 date-time in UTC with millisecond precision, e.g. `2026-01-31T12:00:00.000Z`. */
  DateTime: { input: string; output: string; }
  /** An email address, e.g. `ada@example.com`. */
  EmailAddress: { input: string; output: string; }
  /** A BCP 47 language tag, stored and returned in canonical form, e.g. `en-GB`. */
  Locale: { input: string; output: string; }
  /** A phone number in E.164 form, e.g. `+14155552671`. */
  PhoneNumber: { input: string; output: string; }
  /** An IANA time zone name, stored and returned in canonical form, e.g. `Europe/Paris`. */
  TimeZone: { input: string; output: string; }
  /** An absolute `https:` or `http:` URL without credentials, at most 2048 characters. */
  URL: { input: string; output: string; }
  /** A UUID, lower-case, e.g. `0b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b`. */
  UUID: { input: string; output: string; }
};

/** A new session: the token authorises every later call as `Authorization: Bearer <token>`. */
export type AuthPayload = {
  __typename?: 'AuthPayload';
  /** When the session ends unless revoked before. */
  expiresAt: Scalars['DateTime']['output'];
  /** The session's secret token. Shown once; keep it safe. */
  token: Scalars['String']['output'];
  /** The user the session belongs to. */
  user: User;
};

/** The answer to an accepted account deletion. */
export type DeleteMePayload = {
  __typename?: 'DeleteMePayload';
  /** The id of the deleted user. */
  id: Scalars['UUID']['output'];
  /** Always `DELETED`. */
  status: UserStatus;
};

/** An email address of a user. One is the default: the address `logIn` knows the account by. */
export type Email = {
  __typename?: 'Email';
  /** The address, as the user gave it (trimmed). Unique across accounts, compared case-insensitively. */
  address: Scalars['EmailAddress']['output'];
  /** When it was added. */
  createdAt: Scalars['DateTime']['output'];
  /** The address's id. */
  id: Scalars['UUID']['output'];
  /** Whether this is the user's default address. */
  isDefault: Scalars['Boolean']['output'];
  /** Whether its owner has proven it is theirs, by a link sent to it. */
  verified: Scalars['Boolean']['output'];
  /** When it was verified; null while it is not. */
  verifiedAt?: Maybe<Scalars['DateTime']['output']>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Adds an unverified address to the caller's account and sends it a verification message. */
  addEmail: Email;
  /** Changes the caller's password; every other session of the user ends, the calling one stays. */
  changePassword: Scalars['Boolean']['output'];
  /** Deletes the caller's account: every session ends now, and the data is purged soon after. */
  deleteMe: DeleteMePayload;
  /**
   * Starts a new session for an email (the default or any verified address) and password. Every
   * failure is one UNAUTHENTICATED error, but a suspended account with the right password is
   * FORBIDDEN with `extensions.reason` ACCOUNT_SUSPENDED.
   */
  logIn: AuthPayload;
  /** Ends the calling session only. */
  logOut: Scalars['Boolean']['output'];
  /** Removes one of the caller's addresses (not the default). */
  removeEmail: Scalars['Boolean']['output'];
  /** Sends a password-reset link to the address if it belongs to a live account. Answers true either way, alike for known and unknown addresses. */
  requestPasswordReset: Scalars['Boolean']['output'];
  /** Sets a new password with the token of a reset link; every session of the user ends, and the address the link went to counts as verified. */
  resetPassword: Scalars['Boolean']['output'];
  /** Ends every live session of the caller but the calling one; returns how many ended. */
  revokeOtherSessions: Scalars['Int']['output'];
  /** Ends one of the caller's live sessions (the calling one included). */
  revokeSession: Scalars['Boolean']['output'];
  /** Sends a new verification message to one of the caller's unverified addresses (at most 3 an hour per address); the previous link stops working. */
  sendEmailVerification: Scalars['Boolean']['output'];
  /** Makes a verified address of the caller's the default one, the address `logIn` knows the account by. */
  setDefaultEmail: User;
  /** Creates a pending account and logs it in. */
  signUp: AuthPayload;
  /** Changes the caller's profile and returns it. */
  updateMe: User;
  /** Marks the address a verification token was sent to as verified, and returns it. Needs no Authorization: the token is the proof. */
  verifyEmail: Email;
};


export type MutationAddEmailArgs = {
  address: Scalars['EmailAddress']['input'];
};


export type MutationChangePasswordArgs = {
  currentPassword: Scalars['String']['input'];
  newPassword: Scalars['String']['input'];
};


export type MutationLogInArgs = {
  email: Scalars['EmailAddress']['input'];
  password: Scalars['String']['input'];
};


export type MutationRemoveEmailArgs = {
  id: Scalars['UUID']['input'];
};


export type MutationRequestPasswordResetArgs = {
  email: Scalars['EmailAddress']['input'];
};


export type MutationResetPasswordArgs = {
  newPassword: Scalars['String']['input'];
  token: Scalars['String']['input'];
};


export type MutationRevokeSessionArgs = {
  id: Scalars['UUID']['input'];
};


export type MutationSendEmailVerificationArgs = {
  id: Scalars['UUID']['input'];
};


export type MutationSetDefaultEmailArgs = {
  id: Scalars['UUID']['input'];
};


export type MutationSignUpArgs = {
  input: SignUpInput;
};


export type MutationUpdateMeArgs = {
  input: UpdateMeInput;
};


export type MutationVerifyEmailArgs = {
  token: Scalars['String']['input'];
};

export type Query = {
  __typename?: 'Query';
  /** The user the request's token was issued to. */
  me?: Maybe<User>;
};

/** A live session of the user: one login, and the token it issued. */
export type Session = {
  __typename?: 'Session';
  /** When it began (the login). */
  createdAt: Scalars['DateTime']['output'];
  /** Whether this is the session of the request's own token. */
  current: Scalars['Boolean']['output'];
  /** When it ends unless revoked before. */
  expiresAt: Scalars['DateTime']['output'];
  /** The session's id. */
  id: Scalars['UUID']['output'];
  /** When it was last used; may lag by up to five minutes. */
  lastSeenAt: Scalars['DateTime']['output'];
  /** The User-Agent of the client that logged in, if it sent one. */
  userAgent?: Maybe<Scalars['String']['output']>;
};

/** What a new account starts with. */
export type SignUpInput = {
  /** The account's email; it becomes the default email. Compared case-insensitively. */
  email: Scalars['EmailAddress']['input'];
  /** Display name: 1 to 100 characters. */
  name: Scalars['String']['input'];
  /** 8 to 256 characters. Stored only as a slow salted hash. */
  password: Scalars['String']['input'];
  /** Optional phone number; any international notation, stored in E.164. */
  phoneNumber?: InputMaybe<Scalars['PhoneNumber']['input']>;
};

/** Changes to the caller's profile. A field left out is unchanged; `null` clears an optional field. */
export type UpdateMeInput = {
  /** New avatar URL (`https:` or `http:`); `null` clears it. */
  avatarUrl?: InputMaybe<Scalars['URL']['input']>;
  /** New bio, up to 1000 characters; `null` clears it. */
  bio?: InputMaybe<Scalars['String']['input']>;
  /** New locale (BCP 47, e.g. `en-GB`); `null` clears it. */
  locale?: InputMaybe<Scalars['Locale']['input']>;
  /** New display name: 1 to 100 characters after trimming. Cannot be cleared. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** New time zone (IANA, e.g. `Europe/Paris`); `null` clears it. */
  timezone?: InputMaybe<Scalars['TimeZone']['input']>;
};

/**
 * A user of the platform. Private fields answer only to the user themself: through `me`, the `user`
 * of the AuthPayload they were just given, or `_entities` with their own token. For anyone else each
 * private field asked for is null, with a FORBIDDEN error on its path; the rest of the User resolves.
 */
export type User = {
  __typename?: 'User';
  /** Private; never null through `me`. How many sessions of this user are neither revoked nor expired. */
  activeSessions?: Maybe<Scalars['Int']['output']>;
  /** Where the user's picture is. The server never fetches it. */
  avatarUrl?: Maybe<Scalars['URL']['output']>;
  /** A short text about the user: up to 1000 characters; newlines allowed. */
  bio?: Maybe<Scalars['String']['output']>;
  /** When the account was created. Never changes. */
  createdAt: Scalars['DateTime']['output'];
  /** Private. The default address among the user's emails. */
  defaultEmail?: Maybe<Scalars['EmailAddress']['output']>;
  /** Private. The user's email addresses: the default first, then by when they were added. Never null through `me`. */
  emails?: Maybe<Array<Email>>;
  /** The user's id. */
  id: Scalars['UUID']['output'];
  /** Private. The user's preferred language, in canonical BCP 47 form. */
  locale?: Maybe<Scalars['Locale']['output']>;
  /** Display name: 1 to 100 characters. */
  name: Scalars['String']['output'];
  /** Private. The user's phone number in E.164 form. */
  phoneNumber?: Maybe<Scalars['PhoneNumber']['output']>;
  /** Private. The user's live sessions: the calling one first, then by when they were last used. Never null through `me`. */
  sessions?: Maybe<Array<Session>>;
  /** Private; never null through `me`. Where the account stands. */
  status?: Maybe<UserStatus>;
  /** Private. The user's time zone, in canonical IANA form. */
  timezone?: Maybe<Scalars['TimeZone']['output']>;
  /** When the profile last changed. Never goes back. */
  updatedAt: Scalars['DateTime']['output'];
};

/** Where a user's account stands. */
export type UserStatus =
  /** Activated and in good standing. */
  | 'ACTIVE'
  /** Deleted by its owner; the account is being purged. */
  | 'DELETED'
  /** Signed up; not yet activated. The default for a new account. */
  | 'PENDING'
  /** Blocked by an operator: its sessions ended and it cannot log in; its public fields remain. */
  | 'SUSPENDED';

export type EmailsQueryVariables = Exact<{ [key: string]: never; }>;


export type EmailsQuery = { __typename?: 'Query', me?: { __typename?: 'User', id: string, status?: UserStatus | null, defaultEmail?: string | null, emails?: Array<{ __typename?: 'Email', id: string, address: string, verified: boolean, isDefault: boolean, createdAt: string, verifiedAt?: string | null }> | null } | null };

export type AddEmailMutationVariables = Exact<{
  address: Scalars['EmailAddress']['input'];
}>;


export type AddEmailMutation = { __typename?: 'Mutation', addEmail: { __typename?: 'Email', id: string, address: string, verified: boolean, isDefault: boolean } };

export type SendEmailVerificationMutationVariables = Exact<{
  id: Scalars['UUID']['input'];
}>;


export type SendEmailVerificationMutation = { __typename?: 'Mutation', sendEmailVerification: boolean };

export type VerifyEmailMutationVariables = Exact<{
  token: Scalars['String']['input'];
}>;


export type VerifyEmailMutation = { __typename?: 'Mutation', verifyEmail: { __typename?: 'Email', id: string, address: string, verified: boolean, verifiedAt?: string | null } };

export type SetDefaultEmailMutationVariables = Exact<{
  id: Scalars['UUID']['input'];
}>;


export type SetDefaultEmailMutation = { __typename?: 'Mutation', setDefaultEmail: { __typename?: 'User', id: string, status?: UserStatus | null, defaultEmail?: string | null } };

export type RemoveEmailMutationVariables = Exact<{
  id: Scalars['UUID']['input'];
}>;


export type RemoveEmailMutation = { __typename?: 'Mutation', removeEmail: boolean };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { __typename?: 'Query', me?: { __typename?: 'User', id: string, name: string, bio?: string | null, status?: UserStatus | null, activeSessions?: number | null, defaultEmail?: string | null, avatarUrl?: string | null, locale?: string | null, timezone?: string | null, updatedAt: string } | null };

export type SessionsQueryVariables = Exact<{ [key: string]: never; }>;


export type SessionsQuery = { __typename?: 'Query', me?: { __typename?: 'User', id: string, activeSessions?: number | null, sessions?: Array<{ __typename?: 'Session', id: string, current: boolean, createdAt: string, lastSeenAt: string, expiresAt: string, userAgent?: string | null }> | null } | null };

export type RevokeSessionMutationVariables = Exact<{
  id: Scalars['UUID']['input'];
}>;


export type RevokeSessionMutation = { __typename?: 'Mutation', revokeSession: boolean };

export type RevokeOtherSessionsMutationVariables = Exact<{ [key: string]: never; }>;


export type RevokeOtherSessionsMutation = { __typename?: 'Mutation', revokeOtherSessions: number };

export type ChangePasswordMutationVariables = Exact<{
  currentPassword: Scalars['String']['input'];
  newPassword: Scalars['String']['input'];
}>;


export type ChangePasswordMutation = { __typename?: 'Mutation', changePassword: boolean };

export type SignUpMutationVariables = Exact<{
  input: SignUpInput;
}>;


export type SignUpMutation = { __typename?: 'Mutation', signUp: { __typename?: 'AuthPayload', token: string, expiresAt: string, user: { __typename?: 'User', id: string, name: string, status?: UserStatus | null, defaultEmail?: string | null } } };

export type UpdateMeMutationVariables = Exact<{
  input: UpdateMeInput;
}>;


export type UpdateMeMutation = { __typename?: 'Mutation', updateMe: { __typename?: 'User', id: string, name: string, bio?: string | null, avatarUrl?: string | null, locale?: string | null, timezone?: string | null, updatedAt: string } };


export const EmailsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Emails"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"defaultEmail"}},{"kind":"Field","name":{"kind":"Name","value":"emails"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"verified"}},{"kind":"Field","name":{"kind":"Name","value":"isDefault"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"verifiedAt"}}]}}]}}]}}]} as unknown as DocumentNode<EmailsQuery, EmailsQueryVariables>;
export const AddEmailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AddEmail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"address"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"EmailAddress"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"address"},"value":{"kind":"Variable","name":{"kind":"Name","value":"address"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"verified"}},{"kind":"Field","name":{"kind":"Name","value":"isDefault"}}]}}]}}]} as unknown as DocumentNode<AddEmailMutation, AddEmailMutationVariables>;
export const SendEmailVerificationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SendEmailVerification"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendEmailVerification"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<SendEmailVerificationMutation, SendEmailVerificationMutationVariables>;
export const VerifyEmailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"VerifyEmail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"token"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verifyEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"token"},"value":{"kind":"Variable","name":{"kind":"Name","value":"token"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"verified"}},{"kind":"Field","name":{"kind":"Name","value":"verifiedAt"}}]}}]}}]} as unknown as DocumentNode<VerifyEmailMutation, VerifyEmailMutationVariables>;
export const SetDefaultEmailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetDefaultEmail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setDefaultEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"defaultEmail"}}]}}]}}]} as unknown as DocumentNode<SetDefaultEmailMutation, SetDefaultEmailMutationVariables>;
export const RemoveEmailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RemoveEmail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"removeEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<RemoveEmailMutation, RemoveEmailMutationVariables>;
export const MeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"bio"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"activeSessions"}},{"kind":"Field","name":{"kind":"Name","value":"defaultEmail"}},{"kind":"Field","name":{"kind":"Name","value":"avatarUrl"}},{"kind":"Field","name":{"kind":"Name","value":"locale"}},{"kind":"Field","name":{"kind":"Name","value":"timezone"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<MeQuery, MeQueryVariables>;
export const SessionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Sessions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"activeSessions"}},{"kind":"Field","name":{"kind":"Name","value":"sessions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"current"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"userAgent"}}]}}]}}]}}]} as unknown as DocumentNode<SessionsQuery, SessionsQueryVariables>;
export const RevokeSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<RevokeSessionMutation, RevokeSessionMutationVariables>;
export const RevokeOtherSessionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeOtherSessions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeOtherSessions"}}]}}]} as unknown as DocumentNode<RevokeOtherSessionsMutation, RevokeOtherSessionsMutationVariables>;
export const ChangePasswordDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ChangePassword"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"currentPassword"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"newPassword"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"changePassword"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"currentPassword"},"value":{"kind":"Variable","name":{"kind":"Name","value":"currentPassword"}}},{"kind":"Argument","name":{"kind":"Name","value":"newPassword"},"value":{"kind":"Variable","name":{"kind":"Name","value":"newPassword"}}}]}]}}]} as unknown as DocumentNode<ChangePasswordMutation, ChangePasswordMutationVariables>;
export const SignUpDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SignUp"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SignUpInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signUp"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"defaultEmail"}}]}}]}}]}}]} as unknown as DocumentNode<SignUpMutation, SignUpMutationVariables>;
export const UpdateMeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateMe"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateMeInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateMe"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"bio"}},{"kind":"Field","name":{"kind":"Name","value":"avatarUrl"}},{"kind":"Field","name":{"kind":"Name","value":"locale"}},{"kind":"Field","name":{"kind":"Name","value":"timezone"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<UpdateMeMutation, UpdateMeMutationVariables>;