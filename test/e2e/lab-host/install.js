#!/usr/bin/env node
/**
 * Installs the test-only JupyterLab host's dependencies (~700 MB: every @jupyterlab core extension,
 * mermaid, mathjax, rspack) into test/e2e/lab-host/node_modules, on demand. The host is not a
 * workspace, so a user's `npm ci` never downloads it (issue 12, point 6); the end-to-end test and
 * .ci/run call this first.
 *
 * Cached by a hash of package.json + package-lock.json, written last into node_modules: a second run
 * with the same lockfile costs milliseconds, a changed lockfile (or an interrupted install) reinstalls.
 * `npm ci` uses the committed lockfile, resolved with `npm install --before=2026-10-20` (the
 * @jupyterlab packages in the registry are not all at one patch level after that) and the
 * `@microsoft/fast-foundation` 2.49.4 override (2.50 floods pages with stack overflows).
 *
 * Usage: node test/e2e/lab-host/install.js [--force]
 */
'use strict';
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const HOST_DIR = __dirname;
const STAMP = path.join(HOST_DIR, 'node_modules', '.stagebook-install-hash');

/** Hash of what decides the installed tree. */
function lockHash() {
  const hash = crypto.createHash('sha256');
  for (const file of ['package.json', 'package-lock.json']) hash.update(fs.readFileSync(path.join(HOST_DIR, file)));
  return hash.digest('hex');
}

function isInstalled(hash) {
  try {
    return fs.readFileSync(STAMP, 'utf8').trim() === hash;
  } catch {
    return false;
  }
}

/** Installs unless the stamp matches. Returns what happened; throws when npm fails. */
function ensureHostInstall({ force = false } = {}) {
  const t0 = Date.now();
  const hash = lockHash();
  if (!force && isInstalled(hash)) return { installed: false, ms: Date.now() - t0, hash };
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // nodedir: node-gyp must never try to download headers here (nothing in the host builds natively,
  // but keep the machine's rule); the env wins over a user's own setting only if unset.
  const env = { npm_config_nodedir: '/usr', ...process.env };
  const r = spawnSync(npm, ['ci', '--no-fund', '--no-audit', '--loglevel=error'], {
    cwd: HOST_DIR,
    env,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) {
    throw new Error(`lab-host: npm ci in ${HOST_DIR} failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  fs.writeFileSync(STAMP, `${hash}\n`); // last: an interrupted install never looks complete
  return { installed: true, ms: Date.now() - t0, hash };
}

module.exports = { ensureHostInstall };

if (require.main === module) {
  try {
    const r = ensureHostInstall({ force: process.argv.includes('--force') });
    console.log(`lab-host: dependencies ${r.installed ? 'installed' : 'up to date'} in ${(r.ms / 1000).toFixed(1)} s`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
