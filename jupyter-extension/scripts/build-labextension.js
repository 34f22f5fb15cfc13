#!/usr/bin/env node
/**
 * Builds the prebuilt (federated) extension into labextension/ without Python: @jupyter/builder's
 * build-labextension (rspack, Module Federation V1) against the exact core of JupyterLab 4.6.4 as
 * described by @jupyterlab/core-meta's core.package.json (shared singletons, versions).
 * `--development` keeps source maps and skips minification.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const pkgDir = path.resolve(__dirname, '..');
const builder = require.resolve('@jupyter/builder/lib/build-labextension.js', { paths: [pkgDir] });
const corePackage = require.resolve('@jupyterlab/core-meta/core.package.json', { paths: [pkgDir] });
const args = [builder, '--core-package-file', corePackage];
if (process.argv.includes('--development')) args.push('--development');
args.push(pkgDir);
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (r.status !== 0) {
  console.error(`build-labextension failed (exit ${r.status ?? r.signal})`);
  process.exit(1);
}
