/**
 * The LCO data-management pipeline `lco-data-management`, registered with the engine:
 *   log_dir/requests/<window>.json --query (map, L0)--> log_dir/manifests/<window>.json
 *     --fetch-sort (split, L1)--> <reduction_dir>/<target>/<class>/<filter|day>/<frame>.fits (+ report)
 *     --reduction-configs (merge per dataset, L2)--> <dataset>/reduction_config.yaml (new datasets only)
 *     --summary (merge, L2)--> log_dir/summary.json (frames per target and night)
 * Each invocation writes a new request (its window), so each run is new work; frames already sorted
 * are skipped inside fetch-sort, so the archive is asked again but nothing is downloaded twice.
 */
import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { definePipeline } from '../../engine/pipeline';
import { defineStage } from '../../engine/stage';
import { registerPipeline } from '../../engine/registry';
import type { FileRef } from '../../ledger/types';
import { readFrameFacts, instrumentClass, reductionConfigText } from './sort';
import { loadLcoConfig } from './config';
import { lcoQueryStage } from './query';
import { lcoFetchSortStage } from './fetch-sort';

const isFrame = (f: FileRef): boolean => /\.(fits|fts)$/i.test(f.path) && f.product !== 'lco-held-frame';

function configFile(options: Record<string, unknown>): string {
  return String(options.config);
}

/** Stage `reduction-configs`: one unit per dataset directory; writes reduction_config.yaml only if absent. */
export const lcoReductionConfigStage = defineStage<Record<string, never>>({
  name: 'reduction-configs', version: 1, kind: 'merge', level: 'L2', product: 'lco-reduction-config', usesCore: false, after: ['fetch-sort'],
  groupBy: (f) => (isFrame(f) ? path.dirname(f.path) : '(not a dataset)'),
  description: "Writes each new imaging dataset's reduction_config.yaml from the template (never overwrites)",
  async run(ctx) {
    if (ctx.unit === '(not a dataset)') return;
    const { config } = loadLcoConfig(configFile(ctx.options));
    const dir = path.dirname(ctx.inputs[0].path);
    const target = path.join(dir, 'reduction_config.yaml');
    const facts = readFrameFacts(ctx.inputs[0].path);
    // The seed configures imaging datasets only (configure_aperture_pipeline.py); spectra have no template.
    if (instrumentClass(facts.instrume)?.spectrograph) return;
    if (existsSync(target)) {
      ctx.log.info(`${target} exists: left as it is`);
      return;
    }
    await ctx.writeText(target, await reductionConfigText(config.defaultRedConfig, facts));
  },
});

/** A row of the summary: frames per target, night, instrument class and filter. */
export interface LcoSummaryRow { target: string; night: string; instrument: string; filter: string; frames: number }

/** Stage `summary`: frames per target and night over every sorted frame of the run. */
export const lcoSummaryStage = defineStage<Record<string, never>>({
  name: 'summary', version: 1, kind: 'merge', level: 'L2', product: 'lco-summary', usesCore: false, after: ['fetch-sort'],
  description: 'Counts the sorted frames per target and night',
  async run(ctx) {
    const { config } = loadLcoConfig(configFile(ctx.options));
    const counts = new Map<string, LcoSummaryRow>();
    for (const f of ctx.inputs.filter(isFrame)) {
      const rel = path.relative(config.reductionDir, f.path).split(path.sep);
      if (rel.length < 4 || rel[0] === '..') continue;
      const facts = readFrameFacts(f.path);
      const row: LcoSummaryRow = { target: rel[0], night: facts.dayObs.replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3'), instrument: rel[1], filter: facts.filter, frames: 0 };
      const key = `${row.target}|${row.night}|${row.instrument}|${row.filter}`;
      (counts.get(key) ?? counts.set(key, row).get(key) as LcoSummaryRow).frames++;
    }
    const rows = [...counts.values()].sort((a, b) => a.target.localeCompare(b.target) || a.night.localeCompare(b.night) || a.instrument.localeCompare(b.instrument) || a.filter.localeCompare(b.filter));
    await ctx.writeJson('summary.json', rows);
    void fsp;
  },
});

/** The pipeline (registered as `lco-data-management`). */
export const lcoPipeline = definePipeline({
  name: 'lco-data-management',
  description: 'LCO data management: query archives, download new frames, decompress, sort into datasets, write reduction configs',
  stages: [lcoQueryStage, lcoFetchSortStage, lcoReductionConfigStage, lcoSummaryStage],
});

registerPipeline(lcoPipeline);
