import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127000000_init } from './Migration20261127000000_init.js';

/** Every migration, in order. A static list, because vitest cannot `import()` .ts files by path. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261127000000_init', class: Migration20261127000000_init },
];
