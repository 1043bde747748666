import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Each integration file opens its own database; two at a time fits a 2-core machine.
    maxWorkers: 2,
    env: { NODE_ENV: 'test' },
  },
});
