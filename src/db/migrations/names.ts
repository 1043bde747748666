/**
 * The name of every migration, in order, without loading MikroORM (index.ts imports each class,
 * and with them MikroORM: ~30 MB of memory that an instance starting on a current schema never
 * needs). test/unit/migration-names.test.ts keeps this list and index.ts's the same.
 */
export const MIGRATION_NAMES: readonly string[] = [
  'Migration20261127000000_init',
  'Migration20261129000000_accounts',
  'Migration20261129000200_mail',
];
