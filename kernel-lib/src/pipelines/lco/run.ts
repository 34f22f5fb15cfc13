/**
 * Running the LCO pipeline from a data_download.yaml, the same way from a notebook and the CLI:
 * the engine workspace is derived from the seed config (root = log_dir, extra write roots =
 * download and reduction dirs, sources = log_dir/requests/*.json), a request for the query window
 * is written, and the engine runs the registered pipeline.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { makeStagebookConfig, type StagebookConfig } from '../../config/schema';
import { runPipeline, type RunOptions, type RunResult } from '../../engine/runner';
import { Ledger } from '../../ledger/ledger';
import { atomicWriteFile } from '../../workdirs/atomic';
import { loadLcoConfig, queryWindow, type LcoConfig } from './config';
import { LcoFrameTable, type LcoFrameRow } from './frames-table';
import { lcoPipeline } from './pipeline';
import type { LcoRequest } from './query';

/** The engine config of an LCO workspace. */
export function makeLcoEngineConfig(config: LcoConfig): StagebookConfig {
  const secrets: Record<string, string> = {};
  for (const [id, a] of Object.entries(config.archives)) secrets[id] = a.token_envvar;
  return makeStagebookConfig({
    root: config.logDir,
    writeRoots: [config.downloadDir, config.reductionDir],
    logDir: 'logs',
    inputs: { dir: 'requests', pattern: '*.json' },
    engine: { onError: 'continue' },
    secrets,
    options: { config: config.file, ledger: path.join(config.logDir, '.stagebook', 'ledger.db') },
  }, path.dirname(config.file));
}

const stamp = (d: Date): string => d.toISOString().replace(/[-:]/g, '').slice(0, 15);

/** Writes the run request for `window` (returns its path); one file per window and creation time. */
export async function writeLcoRequest(config: LcoConfig, window: { start: Date; end: Date }, now: Date = new Date()): Promise<string> {
  const dir = path.join(config.logDir, 'requests');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${stamp(window.start)}-${stamp(window.end)}-at-${stamp(now)}.json`);
  const req: LcoRequest = { config: config.file, start: window.start.toISOString(), end: window.end.toISOString(), createdAt: now.toISOString() };
  await atomicWriteFile(file, JSON.stringify(req, null, 2) + '\n');
  return file;
}

/** Options of `runLcoDataManagement`. */
export interface LcoRunOptions extends Pick<RunOptions, 'events' | 'signal' | 'logFile' | 'logLevel'> {
  /** "Now" for the last-24-h window (default: the clock). */
  now?: Date;
}

/** What a run returns: the engine result plus the frame states in the ledger. */
export interface LcoRunResult {
  run: RunResult;
  request: string;
  window: { start: string; end: string };
  frames: Record<LcoFrameRow['state'], number>;
  /** Frames that failed or were refused in this run (code and message, never a token). */
  problems: Array<{ basename: string; state: string; code: string | null; message: string | null }>;
}

/** Runs the pipeline for the config's window; only this run's request is processed. */
export async function runLcoDataManagement(configFile: string, options: LcoRunOptions = {}): Promise<LcoRunResult> {
  const { config, source } = loadLcoConfig(configFile);
  const window = queryWindow(config, options.now);
  const request = await writeLcoRequest(config, window, options.now);
  const engineConfig = makeLcoEngineConfig(config);
  const run = await runPipeline(lcoPipeline, engineConfig, { ...options, inputFiles: [request] });
  void source;
  const ledger = Ledger.open(engineConfig.ledger);
  try {
    const rows = new LcoFrameTable(ledger).list();
    const frames = { sorted: 0, held: 0, failed: 0, refused: 0 };
    for (const r of rows) frames[r.state]++;
    const problems = rows.filter((r) => r.run_id === run.runId && (r.state === 'failed' || r.state === 'refused')).map((r) => ({ basename: r.basename, state: r.state, code: r.error_code, message: r.error_message }));
    return { run, request, window: { start: window.start.toISOString(), end: window.end.toISOString() }, frames, problems };
  } finally {
    ledger.close();
  }
}

/** Every frame in the ledger of an LCO workspace. */
export function lcoFrames(configFile: string): LcoFrameRow[] {
  const { config } = loadLcoConfig(configFile);
  const ledger = Ledger.open(makeLcoEngineConfig(config).ledger);
  try {
    return new LcoFrameTable(ledger).list();
  } finally {
    ledger.close();
  }
}

/** Frames per target and night (sorted and held), for tables and plots. */
export function lcoFramesPerTargetNight(rows: readonly LcoFrameRow[]): Array<{ target: string; night: string; instrument: string; frames: number }> {
  const m = new Map<string, { target: string; night: string; instrument: string; frames: number }>();
  for (const r of rows) {
    if (r.state !== 'sorted' && r.state !== 'held') continue;
    const night = (r.day_obs ?? '').replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3');
    const instrument = r.dataset?.split('/')[1] ?? '?';
    const key = `${r.target}|${night}|${instrument}`;
    const e = m.get(key) ?? { target: r.target ?? '?', night, instrument, frames: 0 };
    e.frames++;
    m.set(key, e);
  }
  return [...m.values()].sort((a, b) => a.target.localeCompare(b.target) || a.night.localeCompare(b.night) || a.instrument.localeCompare(b.instrument));
}
