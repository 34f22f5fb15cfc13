#!/usr/bin/env node
/**
 * Installs the prebuilt extension into a Jupyter data directory, exactly where
 * `pip install <extension>` would put it: <data dir>/labextensions/stagebook-jupyterlab/.
 * JupyterLab (>= 3) finds prebuilt extensions there at start-up; no rebuild, no Node at runtime.
 *
 *   node jupyter-extension/scripts/install.js                # $JUPYTER_DATA_DIR or ~/.local/share/jupyter
 *   node jupyter-extension/scripts/install.js --data-dir /opt/conda/share/jupyter   # sys-prefix install
 *   node jupyter-extension/scripts/install.js --uninstall
 *
 * The files are copied into a temporary sibling directory first and swapped in with two renames,
 * so a running JupyterLab never serves a half-copied extension.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const NAME = 'stagebook-jupyterlab';
const source = path.resolve(__dirname, '..', 'labextension');

function dataDir(argv, env) {
  const i = argv.indexOf('--data-dir');
  if (i >= 0) {
    if (!argv[i + 1]) throw new Error('--data-dir needs a directory');
    return path.resolve(argv[i + 1]);
  }
  if (env.JUPYTER_DATA_DIR) return path.resolve(env.JUPYTER_DATA_DIR);
  // jupyter_core's default on Linux: $XDG_DATA_HOME/jupyter or ~/.local/share/jupyter
  return path.join(env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share'), 'jupyter');
}

function main(argv = process.argv.slice(2), env = process.env) {
  const target = path.join(dataDir(argv, env), 'labextensions', NAME);
  if (argv.includes('--uninstall')) {
    fs.rmSync(target, { recursive: true, force: true });
    console.log(`removed ${target}`);
    return target;
  }
  const manifest = path.join(source, 'package.json');
  if (!fs.existsSync(manifest))
    throw new Error(`${manifest} is missing: it is committed; rebuild it with "npm run build:extension"`);
  const build = JSON.parse(fs.readFileSync(manifest, 'utf8')).jupyterlab?._build;
  if (!build?.load) throw new Error(`${manifest} has no jupyterlab._build.load: the build did not finish`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = `${target}.tmp-${process.pid}`;
  fs.rmSync(temp, { recursive: true, force: true });
  fs.cpSync(source, temp, { recursive: true });
  const old = `${target}.old-${process.pid}`;
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(temp, target);
  fs.rmSync(old, { recursive: true, force: true });
  console.log(`installed ${NAME} -> ${target}`);
  return target;
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    console.error(`install: ${e.message}`);
    process.exit(1);
  }
}

module.exports = { main, dataDir };
