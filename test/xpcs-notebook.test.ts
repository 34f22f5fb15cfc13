/**
 * The XPCS tutorial notebook, run headless through the real tslab kernel with its (small, CI)
 * defaults: every cell succeeds, the plots are Vega-Lite v5 objects with an SVG twin, the L1
 * results file has XPCS-Eigen's legacy shapes, QC passes, and the fitted decay times recover the
 * generator's within the stated error bars. Needs the built library (`npm run build`): the kernel
 * imports `stagebook` from kernel-lib/dist.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runNotebook } from '../kernel-lib/src/notebook/runner';
import { readXpcsLegacyResults } from '../kernel-lib/src/formats/xpcs';

const NB = path.join(__dirname, '..', 'notebooks', 'xpcs-correlation.ipynb');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sb-xpcs-nb-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SIGMA_LIMIT = 3; // the notebook's default `sigmaLimit`, stated in its validation cell

describe('notebooks/xpcs-correlation.ipynb (headless, tslab)', () => {
  it('runs every cell, plots, writes legacy results, passes QC and recovers the generator taus', async () => {
    const outDir = path.join(tmp, 'ws');
    const output = path.join(tmp, 'xpcs.ipynb');
    const r = await runNotebook({ input: NB, output, parameters: { outDir }, cellTimeoutMs: 120_000 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe('succeeded');

    const nb = JSON.parse(readFileSync(output, 'utf8'));
    const code = nb.cells.filter((c: any) => c.cell_type === 'code');
    expect(code.length).toBeGreaterThan(8);
    for (const c of code) expect(c.metadata.stagebook.status).toBe('ok');
    const outputs = code.flatMap((c: any) => c.outputs);
    const plots = outputs.filter((o: any) => o.data?.['application/vnd.vegalite.v6+json']);
    // pattern (linear, log), I(q), I(t), g2 grid, tau(q), contrast/baseline, two-time
    expect(plots.length).toBeGreaterThanOrEqual(8);
    for (const p of plots) {
      const spec = p.data['application/vnd.vegalite.v6+json'];
      expect(typeof spec).toBe('object');
      expect(spec.$schema).toMatch(/vega-lite\/v6/);
      expect(p.data['image/png']).toBeTruthy(); // every plot has its PNG twin
      const svg = p.data['image/svg+xml'];
      // image plots: one raster (image mark) and no SVG twin (it would only wrap the same bitmap); line plots
      // are shown without their SVG twin too (the notebook's `lean`, to stay under 1 MB): spec + PNG only
      const raster = spec.usermeta?.stagebook?.svg === false;
      if (raster) expect((JSON.stringify(spec).match(/data:image\/png;base64,/g) ?? []).length).toBe(1);
      if (svg !== undefined) expect(Array.isArray(svg) ? svg.join('') : svg).toMatch(/^<svg/);
    }
    const titles = plots.map((p: any) => JSON.stringify(p.data['application/vnd.vegalite.v6+json'].title ?? ''));
    expect(titles.filter((t: string) => /Scattering pattern/.test(t) && /masked pixels/.test(t)).length).toBe(2);
    expect(plots.some((p: any) => p.data['application/vnd.vegalite.v6+json'].facet)).toBe(true);
    expect(outputs.some((o: any) => o.data?.['application/vnd.stagebook.progress.v1+json'])).toBe(true);

    // L1 products in the legacy /exchange layout
    const results = path.join(outDir, 'L1', 'sim_speckle', 'sim_speckle_results.hdf');
    const ex = await readXpcsLegacyResults(results);
    const truth = JSON.parse(readFileSync(path.join(outDir, 'raw', 'sim_speckle', 'sim_speckle.truth.json'), 'utf8'));
    const nQ = truth.rings.length;
    const T = truth.frames;
    const nTau = ex.tau.shape[1];
    expect(ex.tau.shape).toEqual([1, nTau]);
    expect(ex['norm-0-g2'].shape).toEqual([nTau, nQ]);
    expect(ex['norm-0-stderr'].shape).toEqual([nTau, nQ]);
    expect(ex.pixelSum.shape).toEqual([truth.size, truth.size]);
    expect(ex.frameSum.shape).toEqual([2, T]);
    expect(ex.timestamp_clock.shape).toEqual([2, T]);
    expect(ex['partition-mean-total'].shape).toEqual([1, nQ]);
    expect(ex['C2T_all/g2_00001'].shape).toEqual([T, T]);
    expect(ex.g2full.shape).toEqual([T, nQ]);
    expect(ex.g2partials.shape.length).toBe(3);
    // XPCS-Eigen ladder for dpl = 4 starts 1..8, 10, 12
    expect(Array.from(ex.tau.data.slice(0, 10))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10, 12]);
    // Siegert: g2 at the first delay of the innermost ring is close to 1 + beta (beta = 0.5, tau >> 1 frame)
    expect(ex['norm-0-g2'].data[0]).toBeGreaterThan(1.35);

    // L2 report: QC and the decay fits against the generator's truth (not the notebook's own verdict)
    const report = JSON.parse(readFileSync(path.join(outDir, 'L2', 'sim_speckle', 'sim_speckle_report.json'), 'utf8'));
    expect(report.qc.multitau.ok).toBe(true);
    expect(report.qc.twotime.ok).toBe(true);
    expect(report.fits).toHaveLength(nQ);
    for (const f of report.fits) {
      const trueTau = truth.rings[f.bin - 1].tauFrames;
      expect(f.tauErr).toBeGreaterThan(0);
      expect(f.tauErr).toBeLessThan(0.1 * trueTau); // the error bar is informative, not a catch-all
      expect(Math.abs(f.tau - trueTau)).toBeLessThanOrEqual(SIGMA_LIMIT * f.tauErr);
      expect(Math.abs(f.beta - truth.beta)).toBeLessThan(0.05);
    }
    // tau falls with q like 1/q^2 (diffusion), as generated
    const taus = report.fits.map((f: any) => f.tau);
    for (let i = 1; i < taus.length; i++) expect(taus[i]).toBeLessThan(taus[i - 1]);
    expect(report.metadata['xpcs.delays_per_level']).toBe(4);
  });
});
