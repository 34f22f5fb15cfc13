#!/usr/bin/env node
/**
 * Runs prettier (configured by .prettierrc and .prettierignore at the repository root) with the given
 * arguments: `npm run format` = `--write .`, `npm run format:check` (part of `npm test`) = `--check`.
 * Prettier is a development tool, so it is not in the default install (issue 12, point 6): it is
 * installed into scripts/prettier/node_modules from that folder's lockfile on first use, cached by the
 * lockfile hash (scripts/lib/on-demand-install.js). Exits with prettier's exit code.
 *
 * Usage: node scripts/format.js [prettier arguments...]
 */
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { ensureInstalled } = require('./lib/on-demand-install');

const REPO = path.resolve(__dirname, '..');
const TOOL_DIR = path.join(__dirname, 'prettier');

try {
  const r = ensureInstalled(TOOL_DIR, { label: 'prettier' });
  if (r.installed) console.log(`prettier: installed in ${(r.ms / 1000).toFixed(1)} s`);
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
const bin = path.join(TOOL_DIR, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
const run = spawnSync(process.execPath, [bin, ...process.argv.slice(2)], { cwd: REPO, stdio: 'inherit' });
process.exit(run.status ?? 1);
