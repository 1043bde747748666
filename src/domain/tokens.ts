import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'pgw_';
const TOKEN_BYTES = 32; // 256 bits from the CSPRNG
const TOKEN_PATTERN = /^pgw_[A-Za-z0-9_-]{43}$/;

/** A new opaque session token: `pgw_` + 256 random bits in base64url. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
}

/** What the database stores instead of the token. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * The token in an Authorization header: `Bearer <token>` with the scheme in any case, or the bare
 * token. Anything else (another scheme, several values, a malformed token) gives null, so it is
 * refused without touching the database.
 */
export function tokenFromAuthorization(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const parts = header.trim().split(/\s+/);
  const token = parts.length === 2 && parts[0]!.toLowerCase() === 'bearer' ? parts[1]! : parts.length === 1 ? parts[0]! : '';
  return TOKEN_PATTERN.test(token) ? token : null;
}
