#!/usr/bin/env node
/**
 * Rebuilds the committed prebuilt extension, labextension/, in one command (`npm run build:extension`
 * from the repository root):
 *   1. installs the extension's dependencies and build toolchain on demand (scripts/install-deps.js);
 *   2. builds kernel-lib (the extension bundles `stagebook/progress-schema` from its dist/);
 *   3. compiles src/ to lib/ (tsc) and bundles lib/ into labextension/ (scripts/build-labextension.js);
 *   4. records the hash of the sources it was built from in labextension/build-source.json, last, so a
 *      failed build never looks fresh (test/labextension-fresh.test.ts compares it with the sources).
 * Commit labextension/ afterwards: users install it as is (scripts/install.js), without building.
 *
 *   node jupyter-extension/scripts/build.js                  # production build (what is committed)
 *   node jupyter-extension/scripts/build.js --development    # source maps, no minification
 *   node jupyter-extension/scripts/build.js --check          # exit 1 when labextension/ is stale, build nothing
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ensureExtensionDeps, EXTENSION_DIR } = require('./install-deps');
const { sourceHash, readStamp, changedInputs, STAMP_NAME } = require('./source-hash');

const REPO = path.resolve(EXTENSION_DIR, '..');
const OUTPUT = path.join(EXTENSION_DIR, 'labextension');
const REBUILD = 'npm run build:extension';

function step(what, cmd, args, cwd) {
  console.log(`build:extension: ${what}`);
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal})`);
}

/** Lines describing how labextension/ differs from the current sources; empty when fresh. */
function staleness() {
  const stamp = readStamp(OUTPUT);
  if (!stamp) return [`${path.join(OUTPUT, STAMP_NAME)} is missing (never built, or the last build failed)`];
  const current = sourceHash(REPO);
  if (stamp.hash === current.hash) return [];
  return changedInputs(stamp.inputs, current.inputs).map((n) => `changed since the build: ${n}`);
}

function build(development) {
  const deps = ensureExtensionDeps();
  console.log(`build:extension: dependencies ${deps.installed ? 'installed' : 'up to date'}`);
  step('kernel-lib (stagebook/progress-schema)', 'npm', ['run', 'build', '--silent', '-w', 'kernel-lib'], REPO);
  fs.rmSync(path.join(EXTENSION_DIR, 'lib'), { recursive: true, force: true }); // no output of deleted sources
  const tsc = require.resolve('typescript/bin/tsc', { paths: [REPO] });
  step('tsc -> lib/', process.execPath, [tsc, '-p', 'tsconfig.build.json'], EXTENSION_DIR);
  const bundle = [path.join(__dirname, 'build-labextension.js'), ...(development ? ['--development'] : [])];
  step('bundle -> labextension/', process.execPath, bundle, EXTENSION_DIR);
  const { hash, inputs } = sourceHash(REPO);
  const stamp = { hash, mode: development ? 'development' : 'production', rebuild: REBUILD, inputs };
  fs.writeFileSync(path.join(OUTPUT, STAMP_NAME), `${JSON.stringify(stamp, null, 1)}\n`);
  console.log(`build:extension: labextension/ built from sources ${hash.slice(0, 12)}; commit it`);
}

function main(argv) {
  if (argv.includes('--check')) {
    const lines = staleness();
    if (lines.length) {
      console.error(`jupyter-extension/labextension/ is stale; rebuild it with \`${REBUILD}\` and commit it:`);
      for (const l of lines) console.error(`  ${l}`);
      process.exit(1);
    }
    console.log('jupyter-extension/labextension/ is up to date with its sources');
    return;
  }
  build(argv.includes('--development'));
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`build:extension: ${e.message}`);
    process.exit(1);
  }
}

module.exports = { staleness, REBUILD };
