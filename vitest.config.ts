import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'threads',
    // Builds dist/ once: the CLI and package tests run the built command.
    globalSetup: ['test/build.global.ts'],
    // A fixed fast-check seed (FC_SEED=random to explore): see test/seed.setup.ts.
    setupFiles: ['test/seed.setup.ts'],
  },
});
