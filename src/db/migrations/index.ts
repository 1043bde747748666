import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127000000_init } from './Migration20261127000000_init.js';
import { Migration20261129000000_accounts } from './Migration20261129000000_accounts.js';
import { Migration20261129000200_mail } from './Migration20261129000200_mail.js';

/** Every migration, in order. A static list, because vitest cannot `import()` .ts files by path. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261127000000_init', class: Migration20261127000000_init },
  { name: 'Migration20261129000000_accounts', class: Migration20261129000000_accounts },
  { name: 'Migration20261129000200_mail', class: Migration20261129000200_mail },
];
