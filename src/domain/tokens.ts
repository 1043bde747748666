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

/** Whether `value` has the shape of a token this service issues (anything else is never looked up). */
export function isWellFormedToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}
