import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/support/count-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores here and in CI: more workers only thrash.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['kernel-lib/src/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      {
        // The JupyterLab extension's model and views: a DOM without a browser.
        extends: true,
        test: {
          name: 'extension',
          include: ['jupyter-extension/src/**/*.test.ts'],
          environment: 'jsdom',
          setupFiles: ['jupyter-extension/src/test-support/dom-shims.ts'],
        },
      },
    ],
  },
});
