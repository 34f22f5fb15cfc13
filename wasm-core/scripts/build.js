#!/usr/bin/env node
'use strict';
// Compiles each kernel family (assembly/<family>.ts) into its own module build/<family>.wasm.
// One module per family keeps builds independent and small; all share assembly/common/.
// Usage: node scripts/build.js [family ...]   (default: every family)
// The compiler is not part of the repository's npm ci (the built modules are committed, so a user's install
// stays light): it lives in toolchain/, installed there on first use and cached by its lockfile.
const { spawn } = require('node:child_process');
const { readdirSync, mkdirSync } = require('node:fs');
const path = require('node:path');
const { ensureInstalled } = require('../../scripts/lib/on-demand-install');

const root = path.join(__dirname, '..');
const toolchain = path.join(root, 'toolchain');
const installed = ensureInstalled(toolchain, { label: 'wasm-core toolchain' });
if (installed.installed) console.log(`wasm-core: toolchain installed in ${(installed.ms / 1000).toFixed(1)} s`);
const asc = path.join(toolchain, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
const all = readdirSync(path.join(root, 'assembly'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2);
const families = wanted.length ? wanted : all;
for (const f of families)
  if (!all.includes(f)) {
    console.error(`unknown family ${f} (have: ${all.join(', ')})`);
    process.exit(2);
  }
mkdirSync(path.join(root, 'build'), { recursive: true });

function build(family) {
  return new Promise((resolve) => {
    const args = [
      asc,
      `assembly/${family}.ts`,
      '--config',
      'asconfig.json',
      '--target',
      'release',
      '--outFile',
      `build/${family}.wasm`,
      '--textFile',
      `build/${family}.wat`,
    ];
    const p = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    p.on('exit', (code) => resolve({ family, code }));
  });
}

(async () => {
  // Two at a time: the machines have two cores.
  const queue = [...families];
  const results = [];
  async function worker() {
    while (queue.length) results.push(await build(queue.shift()));
  }
  await Promise.all([worker(), worker()]);
  const failed = results.filter((r) => r.code !== 0).map((r) => r.family);
  if (failed.length) {
    console.error(`wasm-core: build failed for ${failed.join(', ')}`);
    process.exit(1);
  }
  console.log(`wasm-core: built ${results.map((r) => r.family).join(', ')}`);
})();
