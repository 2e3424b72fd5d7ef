import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // PGlite start-up costs seconds; database tests share one instance per file.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores here: two files at a time keeps memory (PGlite ≈ hundreds of MB each) in check.
    maxWorkers: 2,
    pool: 'forks',
  },
});
