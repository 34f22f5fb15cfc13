/**
 * Every notebook in notebooks/ also runs unmodified under Debian's standard Jupyter client:
 * `jupyter nbconvert --to notebook --execute` with a tslab kernelspec in a temporary JUPYTER_PATH.
 * nbconvert cannot pass parameters, so the notebooks' defaults are the small CI sizes. Skipped
 * (with a message) only when /usr/bin/jupyter is missing; scripts/system-deps.sh installs it.
 * Each executed notebook is then shared the way people share them, `jupyter nbconvert --to html`:
 * every plot must reach the page as an <img> with real pixels (nbconvert 6.5 strips inline SVG).
 * Needs the built library (`npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePng, inkStats } from './support/png-decode';

const REPO = path.join(__dirname, '..');
const JUPYTER = '/usr/bin/jupyter';
// Top-level notebooks, then each system's folder in order (notebooks/alexis/00-..., 01-..., 02-... share a workspace).
const notebooks = [
  ...readdirSync(path.join(REPO, 'notebooks'))
    .filter((f) => f.endsWith('.ipynb'))
    .sort(),
  ...readdirSync(path.join(REPO, 'notebooks', 'alexis'))
    .filter((f) => f.endsWith('.ipynb'))
    .sort()
    .map((f) => `alexis/${f}`),
  ...readdirSync(path.join(REPO, 'notebooks', 'stix'))
    .filter((f) => f.endsWith('.ipynb'))
    .sort()
    .map((f) => `stix/${f}`),
  ...readdirSync(path.join(REPO, 'notebooks', 'punch'))
    .filter((f) => f.endsWith('.ipynb'))
    .sort()
    .map((f) => `punch/${f}`),
];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sb-nbconvert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const KERNEL = 'stagebook-tslab-test';
function kernelspec(): string {
  const dir = path.join(tmp, 'jupyter', 'kernels', KERNEL);
  mkdirSync(dir, { recursive: true });
  const tslab = path.join(REPO, 'node_modules', 'tslab', 'bin', 'tslab');
  writeFileSync(
    path.join(dir, 'kernel.json'),
    JSON.stringify({
      argv: [process.execPath, tslab, 'kernel', '--config-path', '{connection_file}'],
      display_name: 'TypeScript (tslab, stagebook test)',
      language: 'typescript',
    }),
  );
  return path.join(tmp, 'jupyter');
}

/** Exports an executed notebook to HTML and checks every plot is an <img> with non-blank pixels. */
function checkHtmlExport(executed: string, outputs: any[]): void {
  const r = spawnSync(JUPYTER, ['nbconvert', '--to', 'html', executed], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, `nbconvert --to html failed:\n${r.stderr}`).toBe(0);
  const html = readFileSync(executed.replace(/\.ipynb$/, '.html'), 'utf8');
  const plots = outputs.filter((o) => o.data?.['application/vnd.vegalite.v6+json']);
  // line plots: the markdown <img> twin (nbconvert ranks it above the SVG); image plots: their image/png
  const imgs = [...html.matchAll(/<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)].map((m) => m[1]);
  expect(plots.length).toBeGreaterThan(0);
  expect(imgs.length, 'one <img> per plot in the exported HTML').toBe(plots.length);
  for (const [i, b64] of imgs.entries()) {
    const png = decodePng(Buffer.from(b64, 'base64'));
    const ink = inkStats(png);
    expect(png.width, `plot ${i}`).toBeGreaterThanOrEqual(300);
    expect(ink.inked, `plot ${i} is blank`).toBeGreaterThan(0.01);
    expect(ink.colours, `plot ${i} has no anti-aliased text`).toBeGreaterThan(16);
  }
}

const hasJupyter = existsSync(JUPYTER);
if (!hasJupyter)
  console.warn(
    `nbconvert-compat: SKIPPED, ${JUPYTER} is missing (run scripts/system-deps.sh: jupyter-nbconvert python3-nbclient python3-jupyter-client)`,
  );

describe.skipIf(!hasJupyter)('notebooks run under jupyter nbconvert --execute (Debian)', () => {
  it('finds the notebooks', () => {
    expect(notebooks).toContain('xpcs-correlation.ipynb');
    expect(notebooks).toContain('alexis-peak-finder.ipynb');
    expect(notebooks).toContain('alexis/02-initialize.ipynb');
    expect(notebooks).toContain('alexis/03-candidates.ipynb');
    expect(notebooks).toContain('stix/reprocess-one-tm.ipynb');
    expect(notebooks).toContain('stix/operations.ipynb');
    expect(notebooks).toContain('punch/control.ipynb');
  });

  for (const file of notebooks) {
    it(`executes ${file}`, () => {
      const jupyterPath = kernelspec();
      const outDir = path.join(tmp, 'executed');
      const r = spawnSync(
        JUPYTER,
        [
          'nbconvert',
          '--to',
          'notebook',
          '--execute',
          `--ExecutePreprocessor.kernel_name=${KERNEL}`,
          '--ExecutePreprocessor.timeout=120',
          '--output-dir',
          outDir,
          path.join(REPO, 'notebooks', file),
        ],
        {
          encoding: 'utf8',
          env: {
            ...process.env,
            JUPYTER_PATH: jupyterPath,
            JUPYTER_DATA_DIR: path.join(tmp, 'data'),
            JUPYTER_RUNTIME_DIR: path.join(tmp, 'runtime'),
          },
          timeout: 240_000,
        },
      );
      expect(r.status, `nbconvert failed:\n${r.stderr}`).toBe(0);
      const nb = JSON.parse(readFileSync(path.join(outDir, path.basename(file)), 'utf8'));
      const code = nb.cells.filter((c: any) => c.cell_type === 'code');
      // tslab leaves execution_count unset under nbclient; every cell but the parameters cell displays something
      const executed = code.filter((c: any) => !(c.metadata?.tags ?? []).includes('parameters'));
      for (const c of executed) expect(c.outputs.length, `no output from cell ${c.id}`).toBeGreaterThan(0);
      expect(code.flatMap((c: any) => c.outputs).some((o: any) => o.output_type === 'error')).toBe(false);
      // plots reach static viewers through their PNG twin (and line plots also through their SVG)
      const plotOutputs = code
        .flatMap((c: any) => c.outputs)
        .filter((o: any) => o.data?.['application/vnd.vegalite.v6+json']);
      for (const o of plotOutputs) expect(o.data['image/png']).toBeTruthy();
      checkHtmlExport(
        path.join(outDir, path.basename(file)),
        code.flatMap((c: any) => c.outputs),
      );
    }, 300_000);
  }
});
