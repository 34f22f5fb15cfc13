import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const script = path.join(__dirname, '..', 'jupyter-extension', 'scripts', 'install.js');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('installing the prebuilt JupyterLab extension', () => {
  it('copies the federated build where JupyterLab looks, replaces an older copy whole, and uninstalls', () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'sb-jupyter-data-'));
    const target = path.join(data, 'labextensions', 'stagebook-jupyterlab');
    expect(run(['--data-dir', data]).status).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8'));
    expect(manifest.name).toBe('stagebook-jupyterlab');
    expect(existsSync(path.join(target, manifest.jupyterlab._build.load))).toBe(true);
    expect(manifest.jupyterlab._build).toMatchObject({
      extension: './extension',
      mimeExtension: './mimeExtension',
      style: './style',
    });
    expect(existsSync(path.join(target, 'schemas', 'stagebook-jupyterlab', 'plugin.json'))).toBe(true);
    // a stale file from an older version must not survive a reinstall
    writeFileSync(path.join(target, 'static', 'stale.js'), '');
    expect(run([], { JUPYTER_DATA_DIR: data }).status).toBe(0);
    expect(existsSync(path.join(target, 'static', 'stale.js'))).toBe(false);
    expect(readdirSync(path.dirname(target))).toEqual(['stagebook-jupyterlab']); // no temp leftovers
    expect(run(['--uninstall', '--data-dir', data]).status).toBe(0);
    expect(existsSync(target)).toBe(false);
  });

  it('names the missing argument', () => {
    const r = run(['--data-dir']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--data-dir needs a directory');
  });
});
