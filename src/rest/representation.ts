/**
 * The REST representation of a user, and its ETag. One function builds it for every route, so the
 * ETag a client gets from GET /me is the one If-Match is compared with inside PATCH and DELETE.
 */
import { hash } from 'node:crypto';
import type { User } from '../db/entities/index.js';
import type { ProfileWithFacts } from '../domain/ProfileService.js';
import type { AuthResult } from '../domain/SessionService.js';
import type { Services } from '../domain/services.js';

export interface UserRepresentation {
  id: string;
  status: User['status'];
  name: string;
  bio?: string;
  activeSessions: number;
  createdAt: string;
  updatedAt: string;
  defaultEmail?: string;
  avatarUrl?: string;
  phoneNumber?: string;
  locale?: string;
  timezone?: string;
}

/**
 * An unset optional field is absent, never null or "". Built field by field in the one order the
 * JSON has (no `delete`, which would turn the object into a slow dictionary for JSON.stringify).
 */
export function userRepresentation({ user, account: { activeSessions, defaultEmail } }: ProfileWithFacts): UserRepresentation {
  const representation = { id: user.id, status: user.status, name: user.name } as UserRepresentation;
  if (isSet(user.bio)) representation.bio = user.bio;
  representation.activeSessions = activeSessions;
  representation.createdAt = user.createdAt.toISOString();
  representation.updatedAt = user.updatedAt.toISOString();
  if (isSet(defaultEmail)) representation.defaultEmail = defaultEmail;
  if (isSet(user.avatarUrl)) representation.avatarUrl = user.avatarUrl;
  if (isSet(user.phoneNumber)) representation.phoneNumber = user.phoneNumber;
  if (isSet(user.locale)) representation.locale = user.locale;
  if (isSet(user.timezone)) representation.timezone = user.timezone;
  return representation;
}

const isSet = (value: string | null | undefined): value is string => value != null && value !== '';

/** A strong validator: changes whenever any byte of the JSON does. */
export function etagOf(representation: UserRepresentation): string {
  return etagOfJson(JSON.stringify(representation));
}

/** etagOf, for a representation already serialised (which can then be sent as it is). */
export function etagOfJson(json: string): string {
  return `"${hash('sha256', json, 'base64url').slice(0, 27)}"`;
}

export interface AuthResponse {
  token: string;
  expiresAt: string;
  user: UserRepresentation;
}

/** The answer to a sign-up or log-in: the user as GET /me shows it now. */
export async function authResponse(services: Services, result: AuthResult): Promise<AuthResponse> {
  const account = await services.sessions.accountFacts(result.user.id);
  return { token: result.token, expiresAt: result.expiresAt.toISOString(), user: userRepresentation({ user: result.user, account }) };
}

/** The entity tags in an If-Match / If-None-Match value, or '*'. */
function parseEntityTags(header: string): '*' | { weak: boolean; tag: string }[] {
  if (header.trim() === '*') return '*';
  const tags: { weak: boolean; tag: string }[] = [];
  for (const match of header.matchAll(/(W\/)?("[^"]*")/g)) tags.push({ weak: Boolean(match[1]), tag: match[2]! });
  return tags;
}

/** If-Match: strong comparison (RFC 9110 §13.1.1); `*` matches any current representation. */
export function ifMatchSatisfied(header: string | undefined, etag: string): boolean {
  if (header === undefined) return true;
  const tags = parseEntityTags(header);
  return tags === '*' || tags.some((t) => !t.weak && t.tag === etag);
}

/** If-None-Match: weak comparison (RFC 9110 §13.1.2); true when the client's copy is current. */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const tags = parseEntityTags(header);
  return tags === '*' || tags.some((t) => t.tag === etag);
}
