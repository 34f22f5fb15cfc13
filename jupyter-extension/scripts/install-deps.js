#!/usr/bin/env node
/**
 * Installs the extension's own dependencies into jupyter-extension/node_modules, on demand: the
 * @jupyterlab/@lumino packages its sources and jsdom tests import, vega-embed, and the build
 * toolchain (@jupyter/builder with rspack, @jupyterlab/core-meta), about 180 MB. The extension is not
 * a workspace and its build (labextension/) is committed, so a user's `npm ci` never downloads any of
 * this (issue 12, point 6); `npm run build:extension`, `npm test` and .ci/run call this first. Cached
 * by the lockfile hash (scripts/lib/on-demand-install.js).
 *
 * `stagebook` and `zod` are optional peer dependencies: the extension bundles the progress schema of
 * the repository's own `stagebook` (kernel-lib) with the one zod it uses, both resolved from the
 * repository's node_modules one level up.
 *
 * The committed lockfile holds the resolution that works (`--before=2026-10-20`: the @jupyterlab
 * packages in the registry are not all at one patch level after that; overrides in package.json).
 *
 * Usage: node jupyter-extension/scripts/install-deps.js [--force]
 */
'use strict';
const path = require('node:path');
const { ensureInstalled, main } = require('../../scripts/lib/on-demand-install');

const EXTENSION_DIR = path.resolve(__dirname, '..');
const LABEL = 'jupyter-extension';

/** Installs unless up to date; see ensureInstalled. */
function ensureExtensionDeps(options = {}) {
  return ensureInstalled(EXTENSION_DIR, { label: LABEL, ...options });
}

module.exports = { ensureExtensionDeps, EXTENSION_DIR };

if (require.main === module) main(EXTENSION_DIR, LABEL);
