/**
 * The 8-ID portal plots as PNG files beside a results file, named as gladier-xpcs
 * `tools/xpcs_plots.py` names them: scattering_pattern_log.png, scattering_pattern_lin.png,
 * total_intensity_vs_time.png, <base>_intensity.png, <base>_intensity_t.png,
 * <base>_g2_corr_{start:03d}_{end:03d}.png (3x3 q panels per page), <base>_g2_corr_fit{..}.png and
 * <base>_corr_params.png (the last two need the fit datasets). The figures come from the same
 * spec builders the notebook shows (plots.ts), rendered headless with vega + resvg.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { renderVegaLiteSvg, svgToPng, type VegaLiteSpec } from '../../display';
import { withHdf5 } from '../../formats/hdf5/reader';
import { writeAtomically } from '../../formats/hdf5/file-io';
import { readXpcsLegacyResults, type XpcsLegacyResultArrays } from '../../formats/xpcs';
import { g2GridSpecs, heatmapSpec, intensitySpec } from './plots';

const PER_PAGE = 9;

function column(a: { data: Float64Array; shape: number[] }, q: number): number[] {
  const [n, nq] = a.shape;
  return Array.from({ length: n }, (_, t) => a.data[t * nq + q]);
}

/** Intensity vs q per static bin; with several rows (partition-mean-partial), one line per time window. */
function intensityVsQSpec(q: ArrayLike<number>, rows: number[][], title: string): VegaLiteSpec {
  const values = rows.flatMap((r, w) =>
    r.flatMap((v, i) => (v > 0 && q[i] > 0 ? [{ q: q[i], I: v, window: w + 1 }] : [])),
  );
  return {
    title,
    width: 420,
    height: 300,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'q', type: 'quantitative', scale: { type: 'log' }, title: 'q (1/A)' },
      y: { field: 'I', type: 'quantitative', scale: { type: 'log' }, title: 'intensity (counts/pixel/frame)' },
      ...(rows.length > 1 ? { color: { field: 'window', type: 'ordinal', title: 'window' } } : {}),
    },
  };
}

/** Contrast, baseline and tau (FIT1 and FIT2) vs q, as xpcs_plots.py plot_fits. */
function corrParamsSpec(q: ArrayLike<number>, ex: XpcsLegacyResultArrays, title: string): VegaLiteSpec {
  const values: Record<string, unknown>[] = [];
  for (const k of [1, 2]) {
    for (const name of ['contrast', 'baseline', 'tau']) {
      const v = ex[`${name}FIT${k}`]?.data;
      const e = ex[`${name}ErrFIT${k}`]?.data;
      if (!v) continue;
      for (let i = 0; i < v.length; i++)
        if (Number.isFinite(v[i]))
          values.push({
            q: q[i],
            value: v[i],
            lo: v[i] - (e?.[i] ?? 0),
            hi: v[i] + (e?.[i] ?? 0),
            param: name,
            fit: `FIT${k}`,
          });
    }
  }
  const x = { field: 'q', type: 'quantitative', scale: { type: 'log' }, title: 'q (1/A)' };
  return {
    title,
    data: { values },
    columns: 3,
    facet: { field: 'param', type: 'nominal', sort: ['contrast', 'baseline', 'tau'], header: { title: null } },
    spec: {
      width: 220,
      height: 180,
      layer: [
        {
          mark: 'errorbar',
          encoding: {
            x,
            y: { field: 'lo', type: 'quantitative', scale: { zero: false }, title: null },
            y2: { field: 'hi' },
            color: { field: 'fit', type: 'nominal' },
          },
        },
        {
          mark: { type: 'point', filled: true },
          encoding: { x, y: { field: 'value', type: 'quantitative' }, color: { field: 'fit', type: 'nominal' } },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

async function writePng(file: string, spec: VegaLiteSpec): Promise<void> {
  const png = await svgToPng(await renderVegaLiteSvg(spec), 1);
  await writeAtomically('writeXpcsPortalPngs', file, (tmp) => fsp.writeFile(tmp, png));
}

/**
 * Writes the portal PNGs of `resultsFile` (legacy layout) into `outDir` (default: beside it) and
 * returns their paths. The g2 pages use /xpcs/dqlist for titles and the exposure period for delays.
 */
export async function writeXpcsPortalPngs(
  resultsFile: string,
  options: { outDir?: string; outputData?: string } = {},
): Promise<string[]> {
  const outDir = options.outDir ?? path.dirname(resultsFile);
  const base = path.basename(resultsFile).replace(/\.(hdf|h5|hdf5)$/, '');
  const ex = await readXpcsLegacyResults(resultsFile, options.outputData ?? '/exchange');
  const meta = await withHdf5(
    resultsFile,
    (r) => {
      const num = (p: string) => (r.has(p) ? Array.from(r.readNumeric(p, 'writeXpcsPortalPngs').data) : null);
      return {
        period: num('/measurement/instrument/detector/exposure_period')?.[0] ?? 1,
        dq: num('/xpcs/dqlist'),
        sq: num('/xpcs/sqlist'),
      };
    },
    'writeXpcsPortalPngs',
  );
  const out: Array<[string, VegaLiteSpec]> = [];
  const [H, W] = ex.pixelSum.shape;
  out.push([
    'scattering_pattern_log.png',
    heatmapSpec({ data: ex.pixelSum.data, shape: [H, W], title: 'scattering pattern (log)', log: true }),
  ]);
  out.push([
    'scattering_pattern_lin.png',
    heatmapSpec({ data: ex.pixelSum.data, shape: [H, W], title: 'scattering pattern' }),
  ]);
  const N = ex.frameSum.shape[1];
  out.push(['total_intensity_vs_time.png', intensitySpec(ex.frameSum.data.subarray(N), { timeScale: meta.period })]);
  const S = ex['partition-mean-total'].shape[1];
  const sq = meta.sq ?? Array.from({ length: S }, (_, i) => i + 1);
  out.push([
    `${base}_intensity.png`,
    intensityVsQSpec(sq, [Array.from(ex['partition-mean-total'].data)], `${base} intensity vs q`),
  ]);
  const partial = ex['partition-mean-partial'];
  out.push([
    `${base}_intensity_t.png`,
    intensityVsQSpec(
      sq,
      Array.from({ length: partial.shape[0] }, (_, w) => Array.from(partial.data.subarray(w * S, (w + 1) * S))),
      `${base} intensity vs q per time window`,
    ),
  ]);
  if (ex['norm-0-g2']) {
    const nq = ex['norm-0-g2'].shape[1];
    const dq = meta.dq ?? Array.from({ length: nq }, (_, i) => i + 1);
    const labels = Array.from({ length: nq }, (_, q) => `q=${dq[q].toPrecision(4)}`);
    const g2 = Array.from({ length: nq }, (_, q) => column(ex['norm-0-g2'], q));
    const se = Array.from({ length: nq }, (_, q) => column(ex['norm-0-stderr'], q));
    const frameSeconds = ex.tauFIT1 ? meta.period : 1;
    const fits = ex.tauFIT1
      ? Array.from({ length: nq }, (_, q) => ({
          baseline: ex.baselineFIT1.data[q],
          beta: ex.contrastFIT1.data[q],
          tau: ex.tauFIT1.data[q] / frameSeconds,
          exponent: 1,
        }))
      : undefined;
    for (const withFit of fits ? [false, true] : [false]) {
      const pages = g2GridSpecs({
        taus: ex.tau.data,
        timeScale: meta.period,
        g2,
        stderr: se,
        labels,
        perPage: PER_PAGE,
        fits: withFit ? fits : undefined,
        title: `${base} g2`,
      });
      pages.forEach((spec, i) => {
        const gs = i * PER_PAGE;
        const ge = Math.min(nq, gs + PER_PAGE) - 1;
        out.push([
          `${base}_g2_corr_${withFit ? 'fit' : ''}${String(gs).padStart(3, '0')}_${String(ge).padStart(3, '0')}.png`,
          spec,
        ]);
      });
    }
    if (ex.contrastFIT1) out.push([`${base}_corr_params.png`, corrParamsSpec(dq, ex, `${base} fit parameters`)]);
  }
  await fsp.mkdir(outDir, { recursive: true });
  const files: string[] = [];
  for (const [name, spec] of out) {
    const file = path.join(outDir, name);
    await writePng(file, spec);
    files.push(file);
  }
  return files;
}
