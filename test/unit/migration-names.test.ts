import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { migrationsList } from '../../src/db/migrations/index.js';
import { MIGRATION_NAMES } from '../../src/db/migrations/names.js';

describe('migration names', () => {
  it('name every migration of index.ts, in its order, and every migration file', () => {
    expect(MIGRATION_NAMES).toEqual(migrationsList.map((m) => m.name));
    const files = readdirSync(new URL('../../src/db/migrations/', import.meta.url))
      .filter((f) => /^Migration\d+_\w+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect([...MIGRATION_NAMES].sort()).toEqual(files);
  });
});
