import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['kernel-lib/src/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', './test/support/count-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores here and in CI: more workers only thrash.
    maxWorkers: 2,
  },
});
