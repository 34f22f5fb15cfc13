'use strict';
// Locates the compiled kernel modules (one per family). Loading and instantiation live in
// kernel-lib (numeric/wasm), which owns the memory protocol; this package only ships the bytes.
const path = require('node:path');
const fs = require('node:fs');
const buildDir = path.join(__dirname, 'build');
exports.buildDir = buildDir;
exports.wasmPath = (family) => path.join(buildDir, `${family}.wasm`);
exports.families = () =>
  fs
    .readdirSync(buildDir)
    .filter((f) => f.endsWith('.wasm'))
    .map((f) => f.slice(0, -5))
    .sort();
