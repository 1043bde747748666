import { describe, expect, it } from 'vitest';
import { generateToken, hashToken } from '../../src/domain/tokens.js';
import { tokenFromAuthorization } from '../../src/http/bearer.js';

describe('tokens', () => {
  it('are pgw_ + 256 random bits in base64url', () => {
    const token = generateToken();
    expect(token).toMatch(/^pgw_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);
    const many = new Set(Array.from({ length: 1000 }, generateToken));
    expect(many.size).toBe(1000);
  });

  it('are stored as their SHA-256', () => {
    const token = generateToken();
    expect(hashToken(token)).toHaveLength(32);
    expect(hashToken(token).equals(hashToken(token))).toBe(true);
    expect(hashToken(token).toString('utf8')).not.toContain(token.slice(4));
  });

  it('are read from Authorization with any case of Bearer, or bare', () => {
    const token = generateToken();
    for (const header of [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`, `Bearer   ${token}`, token, `  ${token}  `]) {
      expect(tokenFromAuthorization(header)).toEqual({ sent: true, token });
    }
  });

  it('refuse other schemes, malformed tokens and repeated headers', () => {
    const token = generateToken();
    for (const header of [undefined, '', 'Bearer', `Basic ${token}`, `Bearer ${token} extra`, `Bearer ${token.slice(0, -1)}`, 'pgw_short', `Bearer ${token}x`, `Token ${token}`, `Bearer pgw_${'!'.repeat(43)}`]) {
      expect(tokenFromAuthorization(header).token).toBeNull();
    }
    expect(tokenFromAuthorization([token, token]).token).toBeNull();
  });

  it('tell a bearer token that was sent (well-formed or not) from none or another scheme', () => {
    const token = generateToken();
    for (const header of ['Bearer', 'Bearer nonsense', 'pgw_short', token.slice(0, -1)]) expect(tokenFromAuthorization(header).sent).toBe(true);
    for (const header of [undefined, '', '   ', `Basic ${token}`, `Bearer ${token} extra`]) expect(tokenFromAuthorization(header).sent).toBe(false);
  });
});
