#!/usr/bin/env node
/**
 * Builds the test-only JupyterLab host into test/e2e/lab-host/build/ (gitignored):
 *   static/     the bundles (the server's static dir)
 *   templates/  index.html (the server's templates dir)
 *   schemas/    settings schemas of every core package (the server's schemas_dir)
 *   themes/     theme CSS (the server's themes_dir)
 * Skips the build when a hash of its inputs (host sources, build config, the installed versions of
 * every shared package and of the build tools) matches the last successful build, so repeated test
 * runs cost milliseconds. `--force` rebuilds anyway.
 *
 * Usage: node test/e2e/lab-host/build.js [--force]
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const HOST_DIR = __dirname;
const BUILD_DIR = path.join(HOST_DIR, 'build');
const STAMP = path.join(BUILD_DIR, 'build-hash.txt');
const TEMPLATE = path.join(HOST_DIR, 'src', 'index.html');
const TOOLS = ['@rspack/core', '@jupyter/builder', 'css-loader', 'style-loader', 'webpack-merge'];

function listFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => {
      const p = path.join(dir, d.name);
      return d.isDirectory() ? listFiles(p) : [p];
    })
    .sort();
}

function installedVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  } catch {
    return 'missing';
  }
}

/** Hash of everything the output depends on. */
function inputHash() {
  const { readCore, createShared, CORE_META } = require('./config');
  const { core, extensions, mimeExtensions } = readCore();
  const names = [...new Set([...Object.keys(mimeExtensions), ...Object.keys(extensions)])];
  const hash = crypto.createHash('sha256');
  for (const file of [
    __filename,
    path.join(HOST_DIR, 'config.js'),
    CORE_META,
    ...listFiles(path.join(HOST_DIR, 'src')),
  ]) {
    hash
      .update(`${path.relative(HOST_DIR, file)}\0`)
      .update(fs.readFileSync(file))
      .update('\0');
  }
  for (const name of [...Object.keys(createShared(core, names)).sort(), ...TOOLS]) {
    hash.update(`${name}@${installedVersion(name)}\n`);
  }
  return hash.digest('hex');
}

function isUpToDate(hash) {
  try {
    return (
      fs.readFileSync(STAMP, 'utf8').trim() === hash && fs.existsSync(path.join(BUILD_DIR, 'templates', 'index.html'))
    );
  } catch {
    return false;
  }
}

function runRspack(configs) {
  const { rspack } = require('@rspack/core');
  return new Promise((resolve, reject) => {
    rspack(configs, (err, stats) => {
      if (err) return reject(err);
      if (stats.hasErrors()) {
        const errors = stats.toJson({ all: false, errors: true }).children.flatMap((c) => c.errors ?? []);
        return reject(
          new Error(
            errors
              .slice(0, 10)
              .map((e) => e.message)
              .join('\n\n'),
          ),
        );
      }
      resolve(stats);
    });
  });
}

/** Writes templates/index.html pointing at the hashed entry bundle. */
function writeTemplate(stats) {
  const app = stats.stats[0].toJson({ all: false, entrypoints: true, assets: false });
  const files = app.entrypoints.main.assets.map((a) => (typeof a === 'string' ? a : a.name));
  const main = files.find((f) => f.endsWith('.js'));
  if (!main) throw new Error(`lab-host: no JavaScript entry in ${JSON.stringify(files)}`);
  const html = fs.readFileSync(TEMPLATE, 'utf8').replaceAll('__MAIN_SCRIPT__', main);
  fs.mkdirSync(path.join(BUILD_DIR, 'templates'), { recursive: true });
  fs.writeFileSync(path.join(BUILD_DIR, 'templates', 'index.html'), html);
}

/** Builds unless up to date. Resolves with what happened. */
async function ensureHostBuild({ force = false } = {}) {
  const t0 = Date.now();
  const hash = inputHash();
  if (!force && isUpToDate(hash)) return { built: false, ms: Date.now() - t0, hash, buildDir: BUILD_DIR };
  fs.rmSync(BUILD_DIR, { recursive: true, force: true });
  const { createConfig } = require('./config');
  const stats = await runRspack(createConfig(BUILD_DIR));
  writeTemplate(stats);
  fs.writeFileSync(STAMP, `${hash}\n`); // last: a failed build never looks up to date
  return { built: true, ms: Date.now() - t0, hash, buildDir: BUILD_DIR };
}

module.exports = { ensureHostBuild, BUILD_DIR };

if (require.main === module) {
  ensureHostBuild({ force: process.argv.includes('--force') }).then(
    (r) =>
      console.log(`lab-host: ${r.built ? 'built' : 'up to date'} in ${(r.ms / 1000).toFixed(1)} s (${r.buildDir})`),
    (e) => {
      console.error(`lab-host: build failed:\n${e.stack || e}`);
      process.exit(1);
    },
  );
}
