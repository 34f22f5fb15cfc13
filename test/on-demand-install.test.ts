/**
 * The on-demand installs behind the light default install (issue 12, point 6): the e2e JupyterLab
 * host and the WASM toolchain are not workspaces; scripts/lib/on-demand-install.js runs `npm ci` in
 * their folder once and then only when their lockfile changes. Exercised on a real folder with real
 * npm (a package with no dependencies installs offline in about a second).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/stagebook-bin';

interface Installer {
  ensureInstalled(
    dir: string,
    options?: { force?: boolean; label?: string },
  ): { installed: boolean; ms: number; hash: string };
}
const { ensureInstalled } = createRequire(__filename)(
  path.join(REPO_ROOT, 'scripts/lib/on-demand-install.js'),
) as Installer;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sb-on-demand-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function toolFolder(name: string, description: string): string {
  const dir = path.join(tmp, name);
  const pkg = { name, version: '1.0.0', private: true, description };
  const lock = {
    name,
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name, version: '1.0.0' } },
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock));
  return dir;
}

describe('on-demand installs', () => {
  it('installs once, is a no-op while the lockfile is unchanged, and reinstalls when it changes', () => {
    const dir = toolFolder('tool-a', 'first');
    const first = ensureInstalled(dir, { label: 'tool-a' });
    expect(first.installed).toBe(true);
    const stamp = path.join(dir, 'node_modules', '.stagebook-install-hash');
    expect(readFileSync(stamp, 'utf8').trim()).toBe(first.hash);
    expect(ensureInstalled(dir).installed).toBe(false);
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'tool-a', version: '1.0.0', private: true, description: 'changed' }),
    );
    const again = ensureInstalled(dir);
    expect(again.installed).toBe(true);
    expect(again.hash).not.toBe(first.hash);
    expect(ensureInstalled(dir, { force: true }).installed).toBe(true);
  });

  it('names the folder and keeps no stamp when npm ci fails', () => {
    const dir = toolFolder('tool-b', 'broken');
    // A dependency the lockfile does not have: npm ci refuses ("Missing ... from lock file").
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'tool-b', version: '1.0.0', private: true, dependencies: { 'left-pad': '1.3.0' } }),
    );
    expect(() => ensureInstalled(dir, { label: 'tool-b' })).toThrow(/^tool-b: npm ci in .*tool-b failed/);
    expect(existsSync(path.join(dir, 'node_modules', '.stagebook-install-hash'))).toBe(false);
  });

  it('keeps the heavy tool folders out of the workspaces and out of the root lockfile', () => {
    const root = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8'));
    expect(root.workspaces).not.toContain('test/e2e/lab-host');
    expect(root.workspaces).not.toContain('jupyter-extension');
    const heavyPackages = [
      'mermaid',
      'mathjax-full',
      'binaryen',
      'assemblyscript',
      '@jupyterlab/mermaid',
      'playwright-core',
    ];
    // the extension's build toolchain and the JupyterLab packages its tests import
    heavyPackages.push('@jupyter/builder', '@rspack/core', 'webpack', '@jupyterlab/application', '@lumino/widgets');
    for (const heavy of heavyPackages) {
      expect(
        Object.keys(lock.packages).filter((k) => k === `node_modules/${heavy}` || k.endsWith(`/node_modules/${heavy}`)),
        heavy,
      ).toEqual([]);
    }
    for (const folder of ['test/e2e/lab-host', 'wasm-core/toolchain', 'jupyter-extension']) {
      expect(existsSync(path.join(REPO_ROOT, folder, 'package-lock.json')), folder).toBe(true);
    }
    const host = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/e2e/lab-host/package-lock.json'), 'utf8'));
    expect(host.packages['node_modules/@microsoft/fast-foundation'].version).toBe('2.49.4');
    expect(host.packages['node_modules/@jupyterlab/core-meta'].version).toBe('4.6.4');
    const extension = JSON.parse(readFileSync(path.join(REPO_ROOT, 'jupyter-extension/package-lock.json'), 'utf8'));
    expect(extension.packages['node_modules/@microsoft/fast-foundation'].version).toBe('2.49.4');
    expect(extension.packages['node_modules/@jupyterlab/core-meta'].version).toBe('4.6.4');
    // the stand-in (no mermaid), and no second stagebook or zod: both come from the repository's install
    expect(extension.packages['node_modules/@jupyterlab/markedparser-extension']).toMatchObject({ link: true });
    expect(extension.packages['node_modules/stagebook']).toBeUndefined();
    expect(extension.packages['node_modules/zod']).toBeUndefined();
  });
});
