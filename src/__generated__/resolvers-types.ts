import type { UserStatus } from '../db/entities/User.js';
import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { Profile as ProfileEntity } from '../db/entities/User.js';
import type { Context } from '../graphql/context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
export type EnumResolverSignature<T, AllowedValues = any> = { [key in keyof T]?: AllowedValues };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An RFC 3339 date-time in UTC with millisecond precision, e.g. `2026-01-31T12:00:00.000Z`. */
  DateTime: { input: Date; output: Date | string; }
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
  _FieldSet: { input: unknown; output: unknown; }
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

export { UserStatus };

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = ResolversObject<{
  User: User;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  User:
    ( { __typename: 'User' }
    & GraphQLRecursivePick<FederationTypes['User'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  AuthPayload: ResolverTypeWrapper<Omit<AuthPayload, 'user'> & { user: ResolversTypes['User'] }>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DeleteMePayload: ResolverTypeWrapper<DeleteMePayload>;
  Email: ResolverTypeWrapper<Email>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  EmailAddress: ResolverTypeWrapper<Scalars['EmailAddress']['output']>;
  Locale: ResolverTypeWrapper<Scalars['Locale']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  PhoneNumber: ResolverTypeWrapper<Scalars['PhoneNumber']['output']>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Session: ResolverTypeWrapper<Session>;
  SignUpInput: SignUpInput;
  TimeZone: ResolverTypeWrapper<Scalars['TimeZone']['output']>;
  URL: ResolverTypeWrapper<Scalars['URL']['output']>;
  UUID: ResolverTypeWrapper<Scalars['UUID']['output']>;
  UpdateMeInput: UpdateMeInput;
  User: ResolverTypeWrapper<ProfileEntity>;
  UserStatus: UserStatus;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  AuthPayload: Omit<AuthPayload, 'user'> & { user: ResolversParentTypes['User'] };
  String: Scalars['String']['output'];
  DateTime: Scalars['DateTime']['output'];
  DeleteMePayload: DeleteMePayload;
  Email: Email;
  Boolean: Scalars['Boolean']['output'];
  EmailAddress: Scalars['EmailAddress']['output'];
  Locale: Scalars['Locale']['output'];
  Mutation: Record<PropertyKey, never>;
  Int: Scalars['Int']['output'];
  PhoneNumber: Scalars['PhoneNumber']['output'];
  Query: Record<PropertyKey, never>;
  Session: Session;
  SignUpInput: SignUpInput;
  TimeZone: Scalars['TimeZone']['output'];
  URL: Scalars['URL']['output'];
  UUID: Scalars['UUID']['output'];
  UpdateMeInput: UpdateMeInput;
  User: ProfileEntity;
}>;

export type AuthPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AuthPayload'] = ResolversParentTypes['AuthPayload']> = ResolversObject<{
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  token?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DeleteMePayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['DeleteMePayload'] = ResolversParentTypes['DeleteMePayload']> = ResolversObject<{
  id?: Resolver<ResolversTypes['UUID'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['UserStatus'], ParentType, ContextType>;
}>;

export type EmailResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Email'] = ResolversParentTypes['Email']> = ResolversObject<{
  address?: Resolver<ResolversTypes['EmailAddress'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['UUID'], ParentType, ContextType>;
  isDefault?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  verified?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  verifiedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
}>;

export interface EmailAddressScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['EmailAddress'], any> {
  name: 'EmailAddress';
}

export interface LocaleScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Locale'], any> {
  name: 'Locale';
}

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  addEmail?: Resolver<ResolversTypes['Email'], ParentType, ContextType, RequireFields<MutationAddEmailArgs, 'address'>>;
  changePassword?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationChangePasswordArgs, 'currentPassword' | 'newPassword'>>;
  deleteMe?: Resolver<ResolversTypes['DeleteMePayload'], ParentType, ContextType>;
  logIn?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationLogInArgs, 'email' | 'password'>>;
  logOut?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  removeEmail?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRemoveEmailArgs, 'id'>>;
  requestPasswordReset?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRequestPasswordResetArgs, 'email'>>;
  resetPassword?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationResetPasswordArgs, 'newPassword' | 'token'>>;
  revokeOtherSessions?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  revokeSession?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRevokeSessionArgs, 'id'>>;
  sendEmailVerification?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationSendEmailVerificationArgs, 'id'>>;
  setDefaultEmail?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationSetDefaultEmailArgs, 'id'>>;
  signUp?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationSignUpArgs, 'input'>>;
  updateMe?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationUpdateMeArgs, 'input'>>;
  verifyEmail?: Resolver<ResolversTypes['Email'], ParentType, ContextType, RequireFields<MutationVerifyEmailArgs, 'token'>>;
}>;

export interface PhoneNumberScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['PhoneNumber'], any> {
  name: 'PhoneNumber';
}

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  me?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
}>;

export type SessionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Session'] = ResolversParentTypes['Session']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  current?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['UUID'], ParentType, ContextType>;
  lastSeenAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  userAgent?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export interface TimeZoneScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['TimeZone'], any> {
  name: 'TimeZone';
}

export interface UrlScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['URL'], any> {
  name: 'URL';
}

export interface UuidScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['UUID'], any> {
  name: 'UUID';
}

export type UserResolvers<ContextType = Context, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User'], FederationReferenceType extends FederationReferenceTypes['User'] = FederationReferenceTypes['User']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['User']> | FederationReferenceType, FederationReferenceType, ContextType>;
  activeSessions?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  avatarUrl?: Resolver<Maybe<ResolversTypes['URL']>, ParentType, ContextType>;
  bio?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  defaultEmail?: Resolver<Maybe<ResolversTypes['EmailAddress']>, ParentType, ContextType>;
  emails?: Resolver<Maybe<Array<ResolversTypes['Email']>>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['UUID'], ParentType, ContextType>;
  locale?: Resolver<Maybe<ResolversTypes['Locale']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  phoneNumber?: Resolver<Maybe<ResolversTypes['PhoneNumber']>, ParentType, ContextType>;
  sessions?: Resolver<Maybe<Array<ResolversTypes['Session']>>, ParentType, ContextType>;
  status?: Resolver<Maybe<ResolversTypes['UserStatus']>, ParentType, ContextType>;
  timezone?: Resolver<Maybe<ResolversTypes['TimeZone']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type UserStatusResolvers = EnumResolverSignature<{ ACTIVE?: any, DELETED?: any, PENDING?: any, SUSPENDED?: any }, ResolversTypes['UserStatus']>;

export type Resolvers<ContextType = Context> = ResolversObject<{
  AuthPayload?: AuthPayloadResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  DeleteMePayload?: DeleteMePayloadResolvers<ContextType>;
  Email?: EmailResolvers<ContextType>;
  EmailAddress?: GraphQLScalarType;
  Locale?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  PhoneNumber?: GraphQLScalarType;
  Query?: QueryResolvers<ContextType>;
  Session?: SessionResolvers<ContextType>;
  TimeZone?: GraphQLScalarType;
  URL?: GraphQLScalarType;
  UUID?: GraphQLScalarType;
  User?: UserResolvers<ContextType>;
  UserStatus?: UserStatusResolvers;
}>;

