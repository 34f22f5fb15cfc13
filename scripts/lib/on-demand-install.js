/**
 * Installs a tool folder's own dependencies (its package.json + committed package-lock.json, `npm ci`)
 * into <dir>/node_modules when it is first needed, instead of with every `npm ci` of the repository
 * (issue 12, point 6: a user's install stays light). Used for the JupyterLab e2e host
 * (test/e2e/lab-host) and the WebAssembly toolchain (wasm-core/toolchain).
 *
 * Cached by a hash of package.json + package-lock.json, written last into node_modules: the next call
 * with the same lockfile costs milliseconds; a changed lockfile or an interrupted install reinstalls.
 */
'use strict';
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const STAMP_NAME = '.stagebook-install-hash';

/** Hash of what decides the installed tree. */
function lockHash(dir) {
  const hash = crypto.createHash('sha256');
  for (const file of ['package.json', 'package-lock.json']) hash.update(fs.readFileSync(path.join(dir, file)));
  return hash.digest('hex');
}

function isInstalled(dir, hash) {
  try {
    return fs.readFileSync(path.join(dir, 'node_modules', STAMP_NAME), 'utf8').trim() === hash;
  } catch {
    return false;
  }
}

/**
 * `npm ci` in `dir` unless its stamp matches. Returns `{installed, ms, hash}`; throws (naming the folder
 * and npm's output) when npm fails.
 */
function ensureInstalled(dir, { force = false, label = path.basename(dir) } = {}) {
  const t0 = Date.now();
  const hash = lockHash(dir);
  if (!force && isInstalled(dir, hash)) return { installed: false, ms: Date.now() - t0, hash };
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // node-gyp must never try to download Node headers on these machines (platform notes); a caller's
  // own setting wins.
  const env = { npm_config_nodedir: '/usr', ...process.env };
  const r = spawnSync(npm, ['ci', '--no-fund', '--no-audit', '--loglevel=error'], {
    cwd: dir,
    env,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) {
    throw new Error(`${label}: npm ci in ${dir} failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true }); // npm creates none for a package without dependencies
  fs.writeFileSync(path.join(dir, 'node_modules', STAMP_NAME), `${hash}\n`); // last: an interrupted install never looks complete
  return { installed: true, ms: Date.now() - t0, hash };
}

/** Command-line form: `node <script> [--force]` prints one line and exits 1 on failure. */
function main(dir, label) {
  try {
    const r = ensureInstalled(dir, { force: process.argv.includes('--force'), label });
    console.log(`${label}: dependencies ${r.installed ? 'installed' : 'up to date'} in ${(r.ms / 1000).toFixed(1)} s`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}

module.exports = { ensureInstalled, main };
