/**
 * The REST representation of a user, and its ETag. One function builds it for every route, so the
 * ETag a client gets from GET /me is the one If-Match is compared with inside PATCH and DELETE.
 */
import { createHash } from 'node:crypto';
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

/** An unset optional field is absent, never null or "". */
export function userRepresentation({ user, account: { activeSessions, defaultEmail } }: ProfileWithFacts): UserRepresentation {
  const optional = (value: string | null | undefined) => (value == null || value === '' ? undefined : value);
  const representation: UserRepresentation = {
    id: user.id,
    status: user.status,
    name: user.name,
    bio: optional(user.bio),
    activeSessions,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    defaultEmail: optional(defaultEmail),
    avatarUrl: optional(user.avatarUrl),
    phoneNumber: optional(user.phoneNumber),
    locale: optional(user.locale),
    timezone: optional(user.timezone),
  };
  for (const key of Object.keys(representation) as (keyof UserRepresentation)[]) {
    if (representation[key] === undefined) delete representation[key];
  }
  return representation;
}

/** A strong validator: changes whenever any byte of the JSON does. */
export function etagOf(representation: UserRepresentation): string {
  return `"${createHash('sha256').update(JSON.stringify(representation)).digest('base64url').slice(0, 27)}"`;
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
