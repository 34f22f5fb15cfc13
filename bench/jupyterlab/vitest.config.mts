import { defineConfig } from 'vitest/config';

// Only for bench/jupyterlab.bench.js: runs the in-browser measurements with the end-to-end
// test's helpers (test/support/jupyterlab.ts). Not part of `npm test`.
export default defineConfig({
  test: { include: ['bench/jupyterlab/*.measure.ts'], testTimeout: 600_000, hookTimeout: 300_000, maxWorkers: 1 },
});
