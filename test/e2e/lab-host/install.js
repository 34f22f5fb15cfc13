#!/usr/bin/env node
/**
 * Installs the test-only JupyterLab host's dependencies (~700 MB: every @jupyterlab core extension,
 * mermaid, mathjax, rspack) into test/e2e/lab-host/node_modules, on demand. The host is not a
 * workspace, so a user's `npm ci` never downloads it (issue 12, point 6); the end-to-end test and
 * .ci/run call this first. Cached by the lockfile hash (scripts/lib/on-demand-install.js).
 *
 * The committed lockfile holds the resolution that works: `--before=2026-10-20` (the @jupyterlab
 * packages in the registry are not all at one patch level after that) and the
 * `@microsoft/fast-foundation` 2.49.4 override (2.50 floods pages with stack overflows).
 *
 * Usage: node test/e2e/lab-host/install.js [--force]
 */
'use strict';
const { ensureInstalled, main } = require('../../../scripts/lib/on-demand-install');

/** Installs unless up to date; see ensureInstalled. */
function ensureHostInstall(options = {}) {
  return ensureInstalled(__dirname, { label: 'lab-host', ...options });
}

module.exports = { ensureHostInstall };

if (require.main === module) main(__dirname, 'lab-host');
