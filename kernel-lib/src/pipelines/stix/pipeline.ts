/**
 * The STIX pipeline (TM -> LB -> L0 -> L1 -> L2) and `runStix`, the one entry the service, the CLI
 * (`stagebook stix process`) and the notebooks use: it resolves the IDB and time correlation in
 * force into the stage parameters (so a newer IDB or correlation re-runs what it affects), runs
 * the engine, and records in the ledger the `U` files a complete file replaced.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { StagebookConfig } from '../../config/schema';
import { definePipeline, type Pipeline } from '../../engine/pipeline';
import { runPipeline, type RunOptions, type RunResult } from '../../engine/runner';
import { Ledger } from '../../ledger/ledger';
import { stagebookEvents } from '../../events/emitter';
import { StagebookError } from '../../errors/stagebook-error';
import { lbToL0 } from './lb-to-l0';
import { l0ToL1 } from './l0-to-l1';
import { l1ToL2 } from './l1-to-l2';
import { stixOptionsSchema, stixPaths, type StixPaths } from './options';
import { currentResources, type StixResources } from './resources';
import { tmToLb } from './tm-to-lb';

export const STIX_STAGES = ['tm-to-lb', 'lb-to-l0', 'l0-to-l1', 'l1-to-l2'] as const;

export const stixPipeline = definePipeline({
  name: 'stix',
  description: 'STIX telemetry (EDDS XML) -> LB -> L0 -> L1 -> L2 FITS products, merged into existing files',
  levels: ['TM', 'LB', 'L0', 'L1', 'L2'],
  stages: [tmToLb, lbToL0, l0ToL1, l1ToL2],
  optionsSchema: stixOptionsSchema,
});

/** The absolute folders of a STIX workspace config. */
export function stixWorkspace(config: StagebookConfig): StixPaths {
  return stixPaths(config.root, stixOptionsSchema.parse(config.options));
}

/** A config whose stage parameters name the resources in force (for the stages `pipeline` has). */
export function withResources(
  config: StagebookConfig,
  r: StixResources,
  pipeline: Pipeline = stixPipeline,
): StagebookConfig {
  const idb = { idbFile: r.idbFile, idbVersion: r.idbVersion };
  const add: Record<string, Record<string, unknown>> = {
    'lb-to-l0': idb,
    'l0-to-l1': { ...idb, timeCorrelation: r.timeCorrelation },
  };
  const stages = { ...config.stages };
  for (const s of pipeline.order) if (add[s.name]) stages[s.name] = { ...stages[s.name], ...add[s.name] };
  return { ...config, stages };
}

/** Marks `deleted` the STIX outputs the ledger thinks complete but that are gone (U files absorbed). */
export function reconcileRemovedFiles(config: StagebookConfig): string[] {
  const ledger = Ledger.open(config.ledger, { busyTimeoutMs: config.engine.busyTimeoutMs });
  try {
    const gone = ledger
      .filesOfStages(stixPipeline.name, [...STIX_STAGES])
      .map((f) => f.path)
      .filter((p) => !existsSync(p));
    if (gone.length > 0) ledger.markDeleted(gone);
    return gone;
  } finally {
    ledger.close();
  }
}

/**
 * Runs the STIX pipeline (or a variant with the same stage names, see `processStix`) with the
 * resources in force; returns the engine result, the resources used, the products made and the errors.
 */
export async function runStix(
  config: StagebookConfig,
  options: RunOptions = {},
  pipeline: Pipeline = stixPipeline,
): Promise<StixRunResult> {
  if (config.engine.concurrency !== 1) {
    // units of one stage merge into shared products (a day's LB/L1 file): they must not run at once
    throw new StagebookError(
      'E_CONFIG_INVALID',
      `runStix: engine.concurrency is ${config.engine.concurrency}; the STIX stages merge into shared files and need 1`,
      { where: 'runStix', field: 'engine.concurrency', file: config.configFile },
    );
  }
  const ws = stixWorkspace(config);
  const resources = currentResources(ws.idb, ws.timeCorrelation);
  const bus = options.events ?? stagebookEvents;
  const made: Array<{ runId: string; outputs: string[] }> = [];
  const errors: Array<{ runId: string; message: string }> = [];
  const off = bus.subscribe((e) => {
    if (e.type === 'stage-finished' && e.outputs) made.push({ runId: e.runId, outputs: e.outputs });
    if ((e.type === 'log' && e.level === 'error') || e.type === 'stage-failed')
      errors.push({ runId: e.runId, message: e.error ? `${e.error.code}: ${e.error.message}` : String(e.message) });
  });
  try {
    const result = await runPipeline(pipeline, withResources(config, resources, pipeline), { ...options, events: bus });
    reconcileRemovedFiles(config);
    const produced = [...new Set(made.filter((m) => m.runId === result.runId).flatMap((m) => m.outputs))].filter((f) =>
      existsSync(f),
    );
    return {
      ...result,
      resources,
      produced,
      errors: errors.filter((x) => x.runId === result.runId).map((x) => x.message),
    };
  } finally {
    off();
  }
}

/** What `runStix` returns: the engine result, the resources in force, every product made, every error logged. */
export interface StixRunResult extends RunResult {
  resources: StixResources;
  /** Every product written by this run (all stages), existing at the end of the run. */
  produced: string[];
  /** ERROR log records and failed units of this run (a corrupt packet is one; the run may still succeed). */
  errors: string[];
}

/** Product files (relative to the FITS root) of a run's outputs. */
export function relativeProducts(config: StagebookConfig, files: readonly string[]): string[] {
  const fits = stixWorkspace(config).fits;
  return files.map((f) => path.relative(fits, f));
}
