/**
 * The plots action (the seed's ExecPlots step, xpcs_plots.make_plots): portal figures written as PNG
 * files beside the results, named as the APS plotting step names them: `<base>_g2_corr_{first:03d}_
 * {last:03d}.png` (3 x 3 q bins per page), `total_intensity_vs_time.png`, `scattering_pattern_log.png`
 * and `scattering_pattern_lin.png` when the results hold frameSum / pixelSum. The figures are the
 * Vega-Lite plots the XPCS notebook shows, rendered headless (vega -> SVG -> resvg PNG).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { renderVegaLiteSvg, svgToPng } from '../../display/vega';
import { readXpcsLegacyResults } from '../../formats/xpcs/legacy-results';
import { g2GridSpecs, heatmapSpec, intensitySpec } from '../../pipelines/xpcs/plots';
import { atomicWriteFile } from '../../workdirs/atomic';
import { parseActionInput, type ActionContext, type FlowAction } from './types';

export const plotsInput = z
  .object({
    hdf: z.string().min(1),
    out_dir: z.string().min(1),
    /** Results group (legacy layout). */
    output_data: z.string().default('/exchange'),
    /** File-name base of the figures (default: the HDF file name without extension). */
    base: z.string().min(1).optional(),
  })
  .strict();

async function writePng(file: string, spec: Record<string, unknown>): Promise<string> {
  await atomicWriteFile(file, await svgToPng(await renderVegaLiteSvg(spec), 2));
  return file;
}

/** Rows of a row-major [rows, cols] array as arrays. */
function columns(a: { data: Float64Array; shape: number[] }): Float64Array[] {
  const [rows, cols] = a.shape.length === 2 ? a.shape : [a.data.length, 1];
  return Array.from({ length: cols }, (_, q) => Float64Array.from({ length: rows }, (_, t) => a.data[t * cols + q]));
}

async function runPlots(raw: unknown, ctx: ActionContext): Promise<unknown> {
  const input = parseActionInput(plotsInput, raw, 'plots', ctx.state);
  const out = ctx.env.guard.resolve(input.out_dir, `${ctx.state}: plots out_dir`);
  mkdirSync(out, { recursive: true });
  const res = await readXpcsLegacyResults(input.hdf, input.output_data);
  const base = input.base ?? path.basename(input.hdf).replace(/\.(hdf|h5)$/, '');
  const files: string[] = [];
  const g2 = res['norm-0-g2'];
  const err = res['norm-0-stderr'];
  const tau = res.tau;
  if (g2 && err && tau) {
    const curves = columns(g2);
    const specs = g2GridSpecs({
      taus: tau.data,
      g2: curves,
      stderr: columns(err),
      labels: curves.map((_, q) => `q bin ${q + 1}`),
      perPage: 9,
      columns: 3,
    });
    for (const [page, spec] of specs.entries()) {
      const first = page * 9;
      const last = Math.min(curves.length, first + 9) - 1;
      ctx.progress(page, specs.length, 'g2 pages');
      files.push(
        await writePng(
          path.join(out, `${base}_g2_corr_${String(first).padStart(3, '0')}_${String(last).padStart(3, '0')}.png`),
          spec,
        ),
      );
    }
  }
  const frameSum = res.frameSum;
  if (frameSum) {
    // Legacy layout: (2, n) rows (frame index, sum); a plain vector in older files.
    const n = frameSum.shape.length === 2 ? frameSum.shape[1] : frameSum.data.length;
    const sums = frameSum.shape.length === 2 && frameSum.shape[0] === 2 ? frameSum.data.subarray(n) : frameSum.data;
    files.push(await writePng(path.join(out, 'total_intensity_vs_time.png'), intensitySpec(sums)));
  }
  const pixelSum = res.pixelSum;
  if (pixelSum && pixelSum.shape.length === 2) {
    const shape: [number, number] = [pixelSum.shape[0], pixelSum.shape[1]];
    files.push(
      await writePng(
        path.join(out, 'scattering_pattern_log.png'),
        heatmapSpec({ data: pixelSum.data, shape, title: 'scattering pattern (log)', log: true }),
      ),
    );
    files.push(
      await writePng(
        path.join(out, 'scattering_pattern_lin.png'),
        heatmapSpec({ data: pixelSum.data, shape, title: 'scattering pattern' }),
      ),
    );
  }
  return { files };
}

export const plotsAction: FlowAction = {
  name: 'plots',
  run: runPlots,
  plan(raw, ctx) {
    const input = parseActionInput(plotsInput, raw, 'plots', ctx.state);
    return { hdf: input.hdf, out_dir: ctx.env.guard.resolve(input.out_dir) };
  },
};
