/**
 * The LCO data-management pipeline `lco-data-management`, registered with the engine:
 *   log_dir/requests/<window>.json --query (map, L0)--> log_dir/manifests/<window>.json
 *     --fetch-sort (split, L1)--> <reduction_dir>/<target>/<class>/<filter|day>/<frame>.fits (+ report)
 *     --reduction-configs (merge per dataset, L2)--> <dataset>/reduction_config.yaml (new datasets only)
 *     --deliveries (one unit per fetch report)--> fails when a frame was not delivered (run partial)
 *     --summary (merge, L2)--> log_dir/summary.json (frames per target and night, new vs present)
 * Each invocation writes a new request (its window), so each run is new work; frames already sorted
 * are skipped inside fetch-sort, so the archive is asked again but nothing is downloaded twice.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { definePipeline } from '../../engine/pipeline';
import { defineStage } from '../../engine/stage';
import { registerPipeline } from '../../engine/registry';
import type { FileRef } from '../../ledger/types';
import { readFrameFacts, instrumentClass, reductionConfigText } from './sort';
import { loadLcoConfig } from './config';
import { lcoQueryStage } from './query';
import { ledgerOf, lcoFetchSortStage } from './fetch-sort';
import { lcoDeliveriesStage } from './deliveries';
import { LcoFrameTable, type LcoFrameRow } from './frames-table';

const isFrame = (f: FileRef): boolean => /\.(fits|fts)$/i.test(f.path) && f.product !== 'lco-held-frame';

function configFile(options: Record<string, unknown>): string {
  return String(options.config);
}

/** Stage `reduction-configs`: one unit per dataset directory; writes reduction_config.yaml only if absent. */
export const lcoReductionConfigStage = defineStage<Record<string, never>>({
  name: 'reduction-configs',
  version: 1,
  kind: 'merge',
  level: 'L2',
  product: 'lco-reduction-config',
  usesCore: false,
  after: ['fetch-sort'],
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
export interface LcoSummaryRow {
  target: string;
  night: string;
  instrument: string;
  filter: string;
  /** Frames sorted or held in this run. */
  new: number;
  /** Frames that were already there before this run. */
  present: number;
  frames: number;
}

/** `summary.json`: every frame the workspace holds, this run's new ones counted apart. */
export interface LcoSummary {
  runId: string;
  newFrames: number;
  presentFrames: number;
  rows: LcoSummaryRow[];
}

/** The summary of the frames in lco_frames (sorted and held), `runId`'s own counted as new. */
export function lcoSummaryOf(rows: readonly LcoFrameRow[], runId: string): LcoSummary {
  const counts = new Map<string, LcoSummaryRow>();
  let newFrames = 0;
  for (const r of rows) {
    if (r.state !== 'sorted' && r.state !== 'held') continue;
    const isNew = r.run_id === runId;
    if (isNew) newFrames++;
    const row: LcoSummaryRow = {
      target: r.target ?? '?',
      night: (r.day_obs ?? '').replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3'),
      instrument: r.dataset?.split('/')[1] ?? '?',
      filter: r.filter ?? '',
      new: 0,
      present: 0,
      frames: 0,
    };
    const key = `${row.target}|${row.night}|${row.instrument}|${row.filter}`;
    const e = counts.get(key) ?? (counts.set(key, row).get(key) as LcoSummaryRow);
    e.frames++;
    if (isNew) e.new++;
    else e.present++;
  }
  const out = [...counts.values()].sort(
    (a, b) =>
      a.target.localeCompare(b.target) ||
      a.night.localeCompare(b.night) ||
      a.instrument.localeCompare(b.instrument) ||
      a.filter.localeCompare(b.filter),
  );
  const total = out.reduce((a, r) => a + r.frames, 0);
  return { runId, newFrames, presentFrames: total - newFrames, rows: out };
}

/**
 * Stage `summary`: frames per target and night over EVERY frame of the workspace (from lco_frames),
 * this run's new ones apart. It used to count only the frames sorted by this run, so a rerun that
 * found nothing new overwrote summary.json with `[]`.
 */
export const lcoSummaryStage = defineStage<Record<string, never>>({
  name: 'summary',
  version: 2,
  kind: 'merge',
  level: 'L2',
  product: 'lco-summary',
  usesCore: false,
  after: ['fetch-sort'],
  description: 'Counts the frames per target and night (new in this run, already present)',
  async run(ctx) {
    const ledger = ledgerOf(ctx);
    try {
      await ctx.writeJson('summary.json', lcoSummaryOf(new LcoFrameTable(ledger).list(), ctx.runId));
    } finally {
      ledger.close();
    }
  },
});

/** The pipeline (registered as `lco-data-management`). */
export const lcoPipeline = definePipeline({
  name: 'lco-data-management',
  description:
    'LCO data management: query archives, download new frames, decompress, sort into datasets, write reduction configs',
  stages: [lcoQueryStage, lcoFetchSortStage, lcoDeliveriesStage, lcoReductionConfigStage, lcoSummaryStage],
});

registerPipeline(lcoPipeline);
