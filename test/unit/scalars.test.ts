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
