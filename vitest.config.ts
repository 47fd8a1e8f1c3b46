import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'tests/**/*.test.ts', 'docs/**/*.test.ts'],
    // Two cores: run files in forked processes so a hung GPU device or a worker pool
    // in one file never stalls another.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
