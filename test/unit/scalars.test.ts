import { Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { scalars } from '../../src/graphql/scalars.js';

describe('TimeZone scalar', () => {
  it('serialises a valid zone, again and again, and refuses an invalid one every time', () => {
    for (let i = 0; i < 3; i++) {
      expect(scalars.TimeZone.serialize('Europe/Paris')).toBe('Europe/Paris');
      expect(() => scalars.TimeZone.serialize('Mars/Olympus_Mons')).toThrow(/time zone/i);
    }
  });

  it('answers every zone ICU knows, and still refuses invalid ones however many it has seen', () => {
    const zones = Intl.supportedValuesOf('timeZone');
    for (const zone of zones) expect(scalars.TimeZone.serialize(zone)).toBe(zone);
    for (let i = 0; i < 2_500; i++) expect(() => scalars.TimeZone.serialize(`Nowhere/${i}`)).toThrow();
    expect(scalars.TimeZone.serialize(zones[0]!)).toBe(zones[0]);
  });
});

describe('the scalars of updateMe and signUp inputs', () => {
  const names = ['PhoneNumber', 'Locale', 'TimeZone', 'EmailAddress', 'URL'] as const;

  it('take any string as sent, for the domain layer to check with the other fields', () => {
    for (const name of names) {
      for (const value of ['Mars/Base', 'english', 'ftp://x', 'not an email', '', ' padded ']) {
        expect(scalars[name].parseValue(value), name).toBe(value);
        expect(scalars[name].parseLiteral({ kind: Kind.STRING, value }), name).toBe(value);
      }
    }
  });

  it('refuse a value that is not a string', () => {
    for (const name of names) {
      for (const value of [42, true, ['x'], { href: 'x' }, null]) expect(() => scalars[name].parseValue(value), name).toThrow(/must be a string/);
      expect(() => scalars[name].parseLiteral({ kind: Kind.INT, value: '42' }), name).toThrow(/must be a string/);
    }
  });

  it('still check what the service answers', () => {
    expect(() => scalars.Locale.serialize('!!')).toThrow();
    expect(() => scalars.EmailAddress.serialize('nope')).toThrow();
    expect(() => scalars.URL.serialize('not a url')).toThrow();
    expect(scalars.URL.serialize('https://example.com/a')).toBe('https://example.com/a');
  });
});

describe('UUID scalar', () => {
  it('answers a canonical id as it is, and leaves anything else to graphql-scalars', () => {
    const id = '5f1c7e0e-8d3a-4a55-9a43-6c7c0c1f1a11';
    for (let i = 0; i < 3; i++) expect(scalars.UUID.serialize(id)).toBe(id);
    expect(scalars.UUID.serialize(id.toUpperCase())).toBe(id.toUpperCase());
    expect(scalars.UUID.serialize(`{${id}}`)).toBe(id);
    expect(() => scalars.UUID.serialize('not-a-uuid')).toThrow(/UUID/);
    expect(() => scalars.UUID.serialize(42)).toThrow();
  });
});
