/**
 * What the committed prebuilt extension (labextension/) is built from, hashed, so that a test can tell
 * when it is stale: `npm run build:extension` records the hash in labextension/build-source.json, and
 * test/labextension-fresh.test.ts recomputes it from the working tree.
 *
 * Inputs: the extension's sources (src/ without tests and test support), style/, schema/, its
 * package.json and lockfile (versions of everything bundled or shared), tsconfig files, the build
 * script; the kernel-lib modules it bundles through `stagebook/progress-schema` (followed through their
 * relative value imports: a type-only import emits no code); and the version of the repository's zod,
 * which is bundled with them. Line endings are normalised so a CRLF checkout is not "stale".
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const STAMP_NAME = 'build-source.json';
const EXTENSION = 'jupyter-extension';
const BUNDLED_LIBRARY_ENTRY = 'kernel-lib/src/display/progress-schema.ts';
const EXTENSION_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
const EXTENSION_DIRS = ['src', 'style', 'schema'];
const BUILD_SCRIPT = 'scripts/build-labextension.js';

/** Files under `dir` (relative to `root`, '/'-separated), recursively. */
function listFiles(root, dir) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((d) => {
    const rel = `${dir}/${d.name}`;
    return d.isDirectory() ? listFiles(root, rel) : [rel];
  });
}

/** Tests and their support files are not part of the bundle. */
function isBundledSource(rel) {
  return !rel.endsWith('.test.ts') && !rel.includes('/src/test-support/');
}

/** `from './x'` value imports and re-exports of a TypeScript module (type-only ones emit nothing). */
function relativeValueImports(source) {
  const specs = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.[^'"]+)['"]/gm;
  for (let m = re.exec(source); m; m = re.exec(source)) if (!m[2]) specs.push(m[3]);
  return specs;
}

/** The kernel-lib modules bundled into the extension: the progress schema and what it imports. */
function bundledLibraryFiles(root) {
  const seen = new Set();
  const queue = [BUNDLED_LIBRARY_ENTRY];
  while (queue.length) {
    const rel = queue.shift();
    if (seen.has(rel)) continue;
    seen.add(rel);
    for (const spec of relativeValueImports(fs.readFileSync(path.join(root, rel), 'utf8'))) {
      const base = path.posix.join(path.posix.dirname(rel), spec);
      const file = [`${base}.ts`, `${base}/index.ts`].find((f) => fs.existsSync(path.join(root, f)));
      if (!file) throw new Error(`${rel}: cannot find the module '${spec}' it imports`);
      queue.push(file);
    }
  }
  return [...seen];
}

/** The version of zod in the repository's lockfile: the extension bundles that zod. */
function rootZodVersion(root) {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const entry = lock.packages && lock.packages['node_modules/zod'];
  if (!entry || !entry.version) throw new Error(`${path.join(root, 'package-lock.json')}: no node_modules/zod entry`);
  return entry.version;
}

/** Every input file, sorted, as repository-relative '/'-separated paths. */
function inputFiles(root) {
  const files = [
    ...EXTENSION_FILES.map((f) => `${EXTENSION}/${f}`),
    `${EXTENSION}/${BUILD_SCRIPT}`,
    ...EXTENSION_DIRS.flatMap((d) => listFiles(root, `${EXTENSION}/${d}`)).filter(isBundledSource),
    ...bundledLibraryFiles(root),
  ];
  return [...new Set(files)].sort();
}

function sha256(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * `{hash, inputs}`: `inputs` maps each input (files, and `zod@version`) to its own hash, so a stale
 * build can name what changed; `hash` covers them all.
 */
function sourceHash(root) {
  const inputs = {};
  for (const rel of inputFiles(root)) {
    inputs[rel] = sha256(fs.readFileSync(path.join(root, rel), 'utf8').replace(/\r\n/g, '\n'));
  }
  inputs['zod (root package-lock.json)'] = sha256(rootZodVersion(root));
  const all = crypto.createHash('sha256');
  for (const [name, h] of Object.entries(inputs)) all.update(`${name}\0${h}\n`);
  return { hash: all.digest('hex'), inputs };
}

/** The stamp written next to the build, or null when there is none (never built, or a build that failed). */
function readStamp(labextensionDir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(labextensionDir, STAMP_NAME), 'utf8'));
  } catch {
    return null;
  }
}

/** Names of the inputs that differ between a stamp and the current sources (added, removed or changed). */
function changedInputs(stamped, current) {
  const names = new Set([...Object.keys(stamped || {}), ...Object.keys(current)]);
  return [...names].filter((n) => (stamped || {})[n] !== current[n]).sort();
}

module.exports = { sourceHash, inputFiles, readStamp, changedInputs, STAMP_NAME };
