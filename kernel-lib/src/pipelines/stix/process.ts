/**
 * Re-running a level range (STIXCore `pipeline_cli.py`, `stix-pipeline-cli -b TM -e L2`): levels
 * are ordered TM < LB < L0 < L1 < L2, a begin level above the end level is an error. Starting at TM
 * or LB reads TM XML files (the config's incoming glob, `--filter`, or `--input-files`); starting at
 * L0/L1/L2 reads the files of the level below from its folder (`<fits>/LB|L0|L1/**`, the filter
 * matched on the base name, default `*.fits`) or from `--input-files`, so products made elsewhere
 * (or before the ledger existed) are found too. The stages keep their names, so the ledger's cache
 * and history stay continuous with the service's runs.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { StagebookConfig } from '../../config/schema';
import { definePipeline } from '../../engine/pipeline';
import { matchesGlob } from '../../engine/glob';
import type { RunOptions } from '../../engine/runner';
import { StagebookError } from '../../errors/stagebook-error';
import { stixPipeline, runStix, stixWorkspace, type StixRunResult } from './pipeline';

export const STIX_LEVELS = ['TM', 'LB', 'L0', 'L1', 'L2'] as const;
export type StixLevel = (typeof STIX_LEVELS)[number];

/** Options of a level-range run. */
export interface ProcessOptions extends Omit<RunOptions, 'startLevel' | 'endLevel'> {
  begin: StixLevel;
  end: StixLevel;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Checks the range (E_USAGE when begin is above end). */
export function checkLevelRange(begin: string, end: string): { begin: StixLevel; end: StixLevel } {
  const b = STIX_LEVELS.indexOf(begin as StixLevel);
  const e = STIX_LEVELS.indexOf(end as StixLevel);
  if (b < 0)
    throw new StagebookError('E_USAGE', `stix process: -b ${begin} is not one of ${STIX_LEVELS.join(', ')}`, {
      where: 'stix process',
      field: '-b',
    });
  if (e < 0)
    throw new StagebookError('E_USAGE', `stix process: -e ${end} is not one of ${STIX_LEVELS.join(', ')}`, {
      where: 'stix process',
      field: '-e',
    });
  if (b > e)
    throw new StagebookError('E_USAGE', `stix process: the begin level ${begin} is above the end level ${end}`, {
      where: 'stix process',
      field: '-b',
    });
  return { begin: STIX_LEVELS[b], end: STIX_LEVELS[e] };
}

/** Input files of a run starting at L0/L1/L2: the level folder below, filtered by base name. */
export function levelInputs(config: StagebookConfig, begin: StixLevel, filter?: string): string[] {
  const below = STIX_LEVELS[STIX_LEVELS.indexOf(begin) - 1];
  const files = walk(path.join(stixWorkspace(config).fits, below)).filter((f) => f.endsWith('.fits'));
  return files.filter((f) => matchesGlob(path.basename(f), filter ?? '*.fits')).sort();
}

/** Runs the STIX stages of [begin, end]. */
export async function processStix(config: StagebookConfig, o: ProcessOptions): Promise<StixRunResult> {
  const { begin, end } = checkLevelRange(o.begin, o.end);
  const endLevel = end === 'TM' ? 'LB' : end;
  if (begin === 'TM' || begin === 'LB') return runStix(config, { ...o, startLevel: undefined, endLevel });
  const inputFiles = o.inputFiles && o.inputFiles.length > 0 ? o.inputFiles : levelInputs(config, begin, o.filter);
  if (inputFiles.length === 0) {
    throw new StagebookError(
      'E_NO_INPUTS',
      `stix process: no ${STIX_LEVELS[STIX_LEVELS.indexOf(begin) - 1]} files${o.filter ? ` matching ${o.filter}` : ''} under ${stixWorkspace(config).fits}`,
      { where: 'stix process', field: 'inputs' },
    );
  }
  // The stages from `begin` on, the first one reading the given files as its sources.
  const from = stixPipeline.order.findIndex((s) => s.level === begin);
  const stages = stixPipeline.order.slice(from).map((s, i) => (i === 0 ? { ...s, after: [] } : s));
  const variant = definePipeline({ ...stixPipeline, stages });
  return runStix(config, { ...o, filter: undefined, inputFiles, startLevel: begin, endLevel }, variant);
}
