import { describe, it, expect } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import {
  emailKey,
  normalizeAvatarUrl,
  normalizeBio,
  normalizeEmail,
  normalizeLocale,
  normalizeName,
  normalizePhoneNumber,
  normalizeProfilePatch,
  normalizeTimeZone,
  validatePassword,
} from '../../src/domain/validation.js';

/** Runs fn and returns the ValidationError it throws. */
function rejection(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError, got none');
}

function expectRejected(fn: () => unknown, field: string): void {
  const error = rejection(fn);
  expect(error.errors).toHaveLength(1);
  expect(error.errors[0]?.field).toBe(field);
  expect(error.errors[0]?.message).toMatch(/\w/);
}

const FAMILY = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}'; // 👨‍👩‍👧‍👦, 7 code points

describe('normalizeName', () => {
  it('trims and NFC-normalises', () => {
    expect(normalizeName('  Ada Lovelace \u3000')).toBe('Ada Lovelace');
    expect(normalizeName('Jose\u0301')).toBe('Jos\u00E9');
  });

  it('counts code points: 100 emoji pass, 101 characters fail', () => {
    expect(normalizeName('😀'.repeat(100))).toBe('😀'.repeat(100));
    expect(normalizeName('a'.repeat(100))).toHaveLength(100);
    expectRejected(() => normalizeName('a'.repeat(101)), 'name');
    expectRejected(() => normalizeName('😀'.repeat(101)), 'name');
  });

  it('keeps zero-width joiners, so emoji ZWJ sequences are accepted', () => {
    expect(normalizeName(`The ${FAMILY}`)).toBe(`The ${FAMILY}`);
    expect(normalizeName('a\u200Bb')).toBe('a\u200Bb');
  });

  it.each([
    ['NUL', 'Ada\u0000'],
    ['newline', 'Ada\nLovelace'],
    ['tab', 'Ada\tLovelace'],
    ['DEL', 'Ada\u007F'],
    ['C1 control', 'Ada\u0085x'],
    ['RTL override U+202E', 'Ada\u202Egnp.exe'],
    ['LRE U+202A', '\u202AAda'],
    ['isolate U+2066', 'Ada\u2066x'],
    ['pop isolate U+2069', 'Ada\u2069'],
    ['lone high surrogate', '\uD800'],
    ['lone low surrogate', 'Ada\uDC00'],
  ])('rejects %s', (_label, value) => {
    expectRejected(() => normalizeName(value), 'name');
  });

  it.each([
    ['empty', ''],
    ['whitespace only', '  \n '],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
  ])('rejects %s', (_label, value) => {
    expectRejected(() => normalizeName(value), 'name');
  });

  it('names the field it was given', () => {
    expectRejected(() => normalizeName('', 'displayName'), 'displayName');
  });
});

describe('normalizeBio', () => {
  it('null clears it, and so does an empty or blank bio', () => {
    expect(normalizeBio(null)).toBeNull();
    expect(normalizeBio('')).toBeNull();
    expect(normalizeBio(' \n\t ')).toBeNull();
  });

  it('trims, NFC-normalises, keeps newlines and tabs, turns CRLF into LF', () => {
    expect(normalizeBio('  line one\r\nline\ttwo\n')).toBe('line one\nline\ttwo');
    expect(normalizeBio('Cafe\u0301')).toBe('Caf\u00E9');
    expect(normalizeBio(`family ${FAMILY}`)).toBe(`family ${FAMILY}`);
  });

  it('allows 1000 code points and rejects 1001', () => {
    expect(normalizeBio('😀'.repeat(1000))).toBe('😀'.repeat(1000));
    expectRejected(() => normalizeBio('x'.repeat(1001)), 'bio');
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['escape', 'a\u001Bb'],
    ['RTL override', 'a\u202Eb'],
    ['isolate', 'a\u2068b'],
    ['lone surrogate', 'a\uD800b'],
    ['a number', 1],
    ['undefined', undefined],
  ])('rejects %s', (_label, value) => {
    expectRejected(() => normalizeBio(value), 'bio');
  });
});

describe('normalizeAvatarUrl', () => {
  it('accepts https and http URLs and returns the normalised href', () => {
    expect(normalizeAvatarUrl('https://cdn.example.com/a.png')).toBe('https://cdn.example.com/a.png');
    expect(normalizeAvatarUrl('HTTP://Example.COM:80/a%20b')).toBe('http://example.com/a%20b');
    expect(normalizeAvatarUrl('https://example.com/caf\u00E9.png')).toBe('https://example.com/caf%C3%A9.png');
  });

  it('null clears it', () => {
    expect(normalizeAvatarUrl(null)).toBeNull();
  });

  it('accepts exactly 2048 characters and rejects 2049', () => {
    const base = 'https://example.com/';
    const ok = base + 'a'.repeat(2048 - base.length);
    expect(normalizeAvatarUrl(ok)).toBe(ok);
    expectRejected(() => normalizeAvatarUrl(base + 'a'.repeat(2049 - base.length)), 'avatarUrl');
  });

  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:image/png;base64,iVBORw0KGgo='],
    ['file:', 'file:///etc/passwd'],
    ['ftp:', 'ftp://example.com/a.png'],
    ['credentials', 'https://user:pw@example.com/a.png'],
    ['a username alone', 'https://user@example.com/a.png'],
    ['a relative URL', '/a.png'],
    ['not a URL', 'not a url'],
    ['inner whitespace', 'https://example.com/a b.png'],
    ['a newline', 'https://example.com/a.png\n'],
    ['a tab', 'https://exa\tmple.com/a.png'],
    ['an empty string', ''],
    ['a number', 5],
  ])('rejects %s', (_label, value) => {
    expectRejected(() => normalizeAvatarUrl(value), 'avatarUrl');
  });
});

describe('normalizeLocale', () => {
  it.each([
    ['en', 'en'],
    ['fr', 'fr'],
    ['de-CH', 'de-CH'],
    ['zh-Hant-TW', 'zh-Hant-TW'],
    ['pt-BR', 'pt-BR'],
    ['sr-Latn', 'sr-Latn'],
    ['en-gb', 'en-GB'],
    ['EN-us', 'en-US'],
    ['iw', 'he'],
  ])('accepts %s as %s', (input, canonical) => {
    expect(normalizeLocale(input)).toBe(canonical);
  });

  it('null clears it', () => {
    expect(normalizeLocale(null)).toBeNull();
  });

  it.each([
    'en_US',
    'xx-INVALID',
    'xx',
    'english',
    'qaa',
    'und',
    'x-private',
    'i-klingon',
    '',
    'en-',
    'en-US-' + 'a'.repeat(30),
  ])('rejects %j', (value) => {
    expectRejected(() => normalizeLocale(value), 'locale');
  });

  it('rejects a non-string', () => {
    expectRejected(() => normalizeLocale(['en']), 'locale');
  });
});

describe('normalizeTimeZone', () => {
  it.each([
    ['europe/paris', 'Europe/Paris'],
    ['Europe/Paris', 'Europe/Paris'],
    ['US/Pacific', 'America/Los_Angeles'],
    ['UTC', 'UTC'],
    ['utc', 'UTC'],
    ['Etc/GMT+2', 'Etc/GMT+2'],
    ['Asia/Calcutta', 'Asia/Kolkata'],
    ['Asia/Kolkata', 'Asia/Kolkata'],
    ['Europe/Kiev', 'Europe/Kyiv'],
    ['europe/kyiv', 'Europe/Kyiv'],
    ['America/Buenos_Aires', 'America/Argentina/Buenos_Aires'],
  ])('accepts %s as %s', (input, canonical) => {
    expect(normalizeTimeZone(input)).toBe(canonical);
  });

  it('null clears it', () => {
    expect(normalizeTimeZone(null)).toBeNull();
  });

  it.each(['Mars/Base', '+02:00', '-0500', '0200', 'Europe/Paris ', '', 'local', 'Factory'])(
    'rejects %j',
    (value) => {
      expectRejected(() => normalizeTimeZone(value), 'timezone');
    },
  );

  it('rejects a non-string', () => {
    expectRejected(() => normalizeTimeZone(2), 'timezone');
  });
});

describe('normalizePhoneNumber', () => {
  it.each([
    ['+1 415 555 2671', '+14155552671'],
    ['+14155552671', '+14155552671'],
    ['+1 (415) 555-2671', '+14155552671'],
    ['+1.415.555.2671', '+14155552671'],
    [' +44 20 7946 0958 ', '+442079460958'],
    ['+33 6 12 34 56 78', '+33612345678'],
  ])('accepts %j as %s', (input, e164) => {
    expect(normalizePhoneNumber(input)).toBe(e164);
  });

  it('null clears it', () => {
    expect(normalizePhoneNumber(null)).toBeNull();
  });

  it.each([
    ['no country code', '415-555-2671'],
    ['00 prefix', '0044 20 7946 0958'],
    ['too short', '+1 415 555 267'],
    ['an unassigned range', '+1 555 555 5555'],
    ['an unknown country code', '+999 123456'],
    ['letters', '+1-800-FLOWERS'],
    ['trailing text', '+1 415 555 2671abc'],
    ['an extension', '+1 415 555 2671 ext. 123'],
    ['a tel: URI', 'tel:+14155552671'],
    ['empty', ''],
    ['a number', 14155552671],
  ])('rejects %s', (_label, value) => {
    expectRejected(() => normalizePhoneNumber(value), 'phoneNumber');
  });

  it('names the field it was given', () => {
    expectRejected(() => normalizePhoneNumber('415-555-2671', 'phone'), 'phone');
  });
});

describe('normalizeEmail and emailKey', () => {
  it('trims and keeps the address as given (API.md: stored as given, trimmed)', () => {
    expect(normalizeEmail('  Ada.Lovelace+tag@Example.COM ')).toBe('Ada.Lovelace+tag@Example.COM');
    expect(normalizeEmail('o\'brien@mail.example.co.uk')).toBe("o'brien@mail.example.co.uk");
    expect(normalizeEmail('root@localhost')).toBe('root@localhost');
  });

  it('keys emails case-insensitively', () => {
    expect(emailKey(normalizeEmail('Ada@Example.com'))).toBe(emailKey(normalizeEmail('ada@EXAMPLE.COM')));
    expect(emailKey('Ada@example.com')).toBe('ada@example.com');
  });

  it('accepts 254 characters and rejects 255', () => {
    const domain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.com`; // 195
    const ok = `${'x'.repeat(58)}@${domain}`;
    expect(ok).toHaveLength(254);
    expect(normalizeEmail(ok)).toBe(ok);
    expectRejected(() => normalizeEmail(`y${ok}`), 'email');
  });

  it.each([
    'plainaddress',
    '@example.com',
    'ada@',
    'ada@@example.com',
    'ada@example..com',
    'ada@-example.com',
    'ada@example.com.',
    '.ada@example.com',
    'ada..l@example.com',
    'ada lovelace@example.com',
    'ada@exa mple.com',
    'ada\u0000@example.com',
    'a@b.com, c@d.com',
    'Ada <ada@example.com>',
    `${'x'.repeat(65)}@example.com`,
    '',
  ])('rejects %j', (value) => {
    expectRejected(() => normalizeEmail(value), 'email');
  });

  it('rejects a non-string and names the field it was given', () => {
    expectRejected(() => normalizeEmail(null), 'email');
    expectRejected(() => normalizeEmail('nope', 'login'), 'login');
  });
});

describe('validatePassword', () => {
  it('accepts 8 and 256 characters, unchanged and untrimmed', () => {
    expect(validatePassword('12345678')).toBe('12345678');
    expect(validatePassword(' pass word ')).toBe(' pass word ');
    expect(validatePassword('p'.repeat(256))).toHaveLength(256);
    expect(validatePassword('🔑'.repeat(8))).toBe('🔑'.repeat(8));
  });

  it('rejects 7 and 257 characters', () => {
    expectRejected(() => validatePassword('1234567'), 'password');
    expectRejected(() => validatePassword('p'.repeat(257)), 'password');
    expectRejected(() => validatePassword('🔑'.repeat(7)), 'password');
  });

  it('rejects non-strings and unpaired surrogates', () => {
    expectRejected(() => validatePassword(12345678), 'password');
    expectRejected(() => validatePassword(undefined), 'password');
    expectRejected(() => validatePassword('abcdefg\uD800'), 'password');
  });
});

describe('normalizeProfilePatch', () => {
  it('normalises every writable field that is present and leaves the rest absent', () => {
    const patch = normalizeProfilePatch({
      name: '  Ada ',
      bio: null,
      avatarUrl: 'https://example.com/a.png',
      locale: 'en-gb',
      timezone: 'europe/paris',
    });
    expect(patch).toEqual({
      name: 'Ada',
      bio: null,
      avatarUrl: 'https://example.com/a.png',
      locale: 'en-GB',
      timezone: 'Europe/Paris',
    });
    expect(normalizeProfilePatch({ bio: 'hi' })).toStrictEqual({ bio: 'hi' });
    expect(normalizeProfilePatch({})).toStrictEqual({});
  });

  it('rejects a null or empty name', () => {
    expectRejected(() => normalizeProfilePatch({ name: null }), 'name');
    expectRejected(() => normalizeProfilePatch({ name: '   ' }), 'name');
  });

  it('rejects an unknown key such as status', () => {
    const error = rejection(() => normalizeProfilePatch({ name: 'Ada', status: 'active' }));
    expect(error.errors).toEqual([{ field: 'status', message: 'is not a writable field' }]);
  });

  it('catches __proto__ and constructor given as own keys', () => {
    const error = rejection(() => normalizeProfilePatch(JSON.parse('{"__proto__":{},"constructor":1}')));
    expect(error.errors.map((e) => e.field)).toEqual(['__proto__', 'constructor']);
  });

  it('reports every offending field at once', () => {
    const error = rejection(() =>
      normalizeProfilePatch({
        name: '',
        bio: 'ok',
        avatarUrl: 'javascript:alert(1)',
        locale: 'en_US',
        timezone: 'Mars/Base',
        id: 'x',
      }),
    );
    expect(error.errors.map((e) => e.field)).toEqual(['name', 'avatarUrl', 'locale', 'timezone', 'id']);
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.field).toBe('name');
  });
});
