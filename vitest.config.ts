import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One graphql for everyone: Vite would pick graphql's ESM build for our code while Apollo,
    // loaded by Node, gets the CommonJS one, and `instanceof GraphQLError` breaks across them.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Each integration file opens its own database; two at a time fits a 2-core machine.
    maxWorkers: 2,
    env: { NODE_ENV: 'test' },
  },
});
