/**
 * Every notebook in notebooks/ also runs unmodified under Debian's standard Jupyter client:
 * `jupyter nbconvert --to notebook --execute` with a tslab kernelspec in a temporary JUPYTER_PATH.
 * nbconvert cannot pass parameters, so the notebooks' defaults are the small CI sizes. Skipped
 * (with a message) only when /usr/bin/jupyter is missing; scripts/system-deps.sh installs it.
 * Needs the built library (`npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = path.join(__dirname, '..');
const JUPYTER = '/usr/bin/jupyter';
const notebooks = [
  ...readdirSync(path.join(REPO, 'notebooks')).filter((f) => f.endsWith('.ipynb')).sort(),
  // per-system sub-folders (as in scripts/demo.js)
  ...readdirSync(path.join(REPO, 'notebooks', 'stix')).filter((f) => f.endsWith('.ipynb')).sort().map((f) => `stix/${f}`),
];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sb-nbconvert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const KERNEL = 'stagebook-tslab-test';
function kernelspec(): string {
  const dir = path.join(tmp, 'jupyter', 'kernels', KERNEL);
  mkdirSync(dir, { recursive: true });
  const tslab = path.join(REPO, 'node_modules', 'tslab', 'bin', 'tslab');
  writeFileSync(path.join(dir, 'kernel.json'), JSON.stringify({
    argv: [process.execPath, tslab, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript (tslab, stagebook test)', language: 'typescript',
  }));
  return path.join(tmp, 'jupyter');
}

const hasJupyter = existsSync(JUPYTER);
if (!hasJupyter) console.warn(`nbconvert-compat: SKIPPED, ${JUPYTER} is missing (run scripts/system-deps.sh: jupyter-nbconvert python3-nbclient python3-jupyter-client)`);

describe.skipIf(!hasJupyter)('notebooks run under jupyter nbconvert --execute (Debian)', () => {
  it('finds the notebooks', () => {
    expect(notebooks).toContain('xpcs-correlation.ipynb');
    expect(notebooks).toContain('alexis-peak-finder.ipynb');
    expect(notebooks).toContain('stix/reprocess-one-tm.ipynb');
    expect(notebooks).toContain('stix/operations.ipynb');
  });

  for (const file of notebooks) {
    it(`executes ${file}`, () => {
      const jupyterPath = kernelspec();
      const outDir = path.join(tmp, 'executed');
      const r = spawnSync(JUPYTER, [
        'nbconvert', '--to', 'notebook', '--execute', `--ExecutePreprocessor.kernel_name=${KERNEL}`,
        '--ExecutePreprocessor.timeout=120', '--output-dir', outDir, path.join(REPO, 'notebooks', file),
      ], { encoding: 'utf8', env: { ...process.env, JUPYTER_PATH: jupyterPath, JUPYTER_DATA_DIR: path.join(tmp, 'data'), JUPYTER_RUNTIME_DIR: path.join(tmp, 'runtime') }, timeout: 240_000 });
      expect(r.status, `nbconvert failed:\n${r.stderr}`).toBe(0);
      const nb = JSON.parse(readFileSync(path.join(outDir, path.basename(file)), 'utf8'));
      const code = nb.cells.filter((c: any) => c.cell_type === 'code');
      // tslab leaves execution_count unset under nbclient; every cell but the parameters cell displays something
      const executed = code.filter((c: any) => !(c.metadata?.tags ?? []).includes('parameters'));
      for (const c of executed) expect(c.outputs.length, `no output from cell ${c.id}`).toBeGreaterThan(0);
      expect(code.flatMap((c: any) => c.outputs).some((o: any) => o.output_type === 'error')).toBe(false);
      // plots reach static viewers through their SVG twin
      expect(code.flatMap((c: any) => c.outputs).some((o: any) => o.data?.['image/svg+xml'])).toBe(true);
    }, 300_000);
  }
});
