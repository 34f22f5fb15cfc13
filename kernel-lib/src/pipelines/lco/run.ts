/**
 * Running the LCO pipeline from a data_download.yaml, the same way from a notebook and the CLI:
 * the engine workspace is derived from the seed config (root = log_dir, extra write roots =
 * download and reduction dirs, sources = log_dir/requests/*.json), a request for the query window
 * is written, and the engine runs the registered pipeline.
 */
import { mkdirSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeStagebookConfig, type StagebookConfig } from '../../config/schema';
import { runPipeline, type RunOptions, type RunResult } from '../../engine/runner';
import { Ledger } from '../../ledger/ledger';
import type { RunStatus } from '../../ledger/types';
import { atomicWriteFile } from '../../workdirs/atomic';
import { loadLcoConfig, queryWindow, type LcoConfig } from './config';
import { LcoFrameTable, type LcoFrameRow } from './frames-table';
import { lcoPipeline } from './pipeline';
import type { LcoManifest, LcoRequest } from './query';
import type { FrameOutcome } from './fetch-sort';

/** The engine config of an LCO workspace. */
export function makeLcoEngineConfig(config: LcoConfig): StagebookConfig {
  const secrets: Record<string, string> = {};
  for (const [id, a] of Object.entries(config.archives)) secrets[id] = a.token_envvar;
  return makeStagebookConfig(
    {
      root: config.logDir,
      writeRoots: [config.downloadDir, config.reductionDir],
      logDir: 'logs',
      inputs: { dir: 'requests', pattern: '*.json' },
      engine: { onError: 'continue' },
      secrets,
      options: { config: config.file, ledger: path.join(config.logDir, '.stagebook', 'ledger.db') },
    },
    path.dirname(config.file),
  );
}

const stamp = (d: Date): string => d.toISOString().replace(/[-:]/g, '').slice(0, 15);

/** Writes the run request for `window` (returns its path); one file per window and creation time. */
export async function writeLcoRequest(
  config: LcoConfig,
  window: { start: Date; end: Date },
  now: Date = new Date(),
): Promise<string> {
  const dir = path.join(config.logDir, 'requests');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${stamp(window.start)}-${stamp(window.end)}-at-${stamp(now)}.json`);
  const req: LcoRequest = {
    config: config.file,
    start: window.start.toISOString(),
    end: window.end.toISOString(),
    createdAt: now.toISOString(),
  };
  await atomicWriteFile(file, JSON.stringify(req, null, 2) + '\n');
  return file;
}

/** Options of `runLcoDataManagement`. */
export interface LcoRunOptions extends Pick<RunOptions, 'events' | 'signal' | 'logFile' | 'logLevel'> {
  /** "Now" for the last-24-h window (default: the clock). */
  now?: Date;
}

/** Something the user must know about a run: a frame not delivered, a failed unit, a listing warning. */
export interface LcoProblem {
  /** `frame`: one frame (state failed/refused); `unit`: a failed engine unit (e.g. a query refused with 401); `warning`: not fatal. */
  kind: 'frame' | 'unit' | 'warning';
  /** Frame basename (kind `frame`). */
  basename?: string;
  /** Frame state, `failed` for a unit, `warning`. */
  state: string;
  /** Stage of a failed unit. */
  stage?: string;
  code: string | null;
  message: string | null;
}

/** What a run returns: the engine result plus the frame states in the ledger. */
export interface LcoRunResult {
  run: RunResult;
  /** The run's status (the engine's): `succeeded`, `partial` (some units failed), `failed` or `interrupted`. */
  status: RunStatus;
  request: string;
  window: { start: string; end: string };
  /** Every frame of the workspace, by state. */
  frames: Record<LcoFrameRow['state'], number>;
  /** This run's frames: new (sorted or held now), already present (skipped), failed, refused. */
  thisRun: { new: number; alreadyPresent: number; failed: number; refused: number };
  /** Everything that went wrong or looked wrong in this run (code and message, never a token). */
  problems: LcoProblem[];
}

async function readJsonIfAny<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Problems and this run's frame counts from the ledger, the manifest and the fetch report. */
async function runFindings(
  config: LcoConfig,
  run: RunResult,
  request: string,
  rows: readonly LcoFrameRow[],
): Promise<Pick<LcoRunResult, 'thisRun' | 'problems'>> {
  const name = path.basename(request, '.json');
  const manifest = await readJsonIfAny<LcoManifest>(path.join(config.logDir, 'lco', 'manifests', `${name}.json`));
  const report = await readJsonIfAny<{ outcomes: FrameOutcome[] }>(path.join(config.logDir, 'reports', `${name}.json`));
  const outcomes = report?.outcomes ?? [];
  const count = (...states: string[]): number => outcomes.filter((o) => states.includes(o.state)).length;
  const problems: LcoProblem[] = [
    ...run.failures
      .filter((f) => f.code !== 'E_LCO_UNDELIVERED')
      .map((f): LcoProblem => ({ kind: 'unit', state: 'failed', stage: f.stage, code: f.code, message: f.message })),
    ...rows
      .filter((r) => r.run_id === run.runId && (r.state === 'failed' || r.state === 'refused'))
      .map((r): LcoProblem => ({
        kind: 'frame',
        basename: r.basename,
        state: r.state,
        code: r.error_code,
        message: r.error_message,
      })),
    ...(manifest?.warnings ?? []).map((w): LcoProblem => ({
      kind: 'warning',
      state: 'warning',
      code: 'W_ARCHIVE_LISTING',
      message: w,
    })),
  ];
  return {
    thisRun: {
      new: count('sorted', 'held'),
      alreadyPresent: count('skipped'),
      failed: count('failed'),
      refused: count('refused'),
    },
    problems,
  };
}

/** Runs the pipeline for the config's window; only this run's request is processed. */
export async function runLcoDataManagement(configFile: string, options: LcoRunOptions = {}): Promise<LcoRunResult> {
  const { config } = loadLcoConfig(configFile);
  const window = queryWindow(config, options.now);
  const request = await writeLcoRequest(config, window, options.now);
  const engineConfig = makeLcoEngineConfig(config);
  const run = await runPipeline(lcoPipeline, engineConfig, { ...options, inputFiles: [request] });
  const ledger = Ledger.open(engineConfig.ledger);
  try {
    const rows = new LcoFrameTable(ledger).list();
    const frames = { sorted: 0, held: 0, failed: 0, refused: 0 };
    for (const r of rows) frames[r.state]++;
    const findings = await runFindings(config, run, request, rows);
    const span = { start: window.start.toISOString(), end: window.end.toISOString() };
    return { run, status: run.status, request, window: span, frames, ...findings };
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
export function lcoFramesPerTargetNight(
  rows: readonly LcoFrameRow[],
): Array<{ target: string; night: string; instrument: string; frames: number }> {
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
  return [...m.values()].sort(
    (a, b) =>
      a.target.localeCompare(b.target) || a.night.localeCompare(b.night) || a.instrument.localeCompare(b.instrument),
  );
}
