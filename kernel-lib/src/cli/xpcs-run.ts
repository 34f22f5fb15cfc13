/**
 * `stagebook xpcs corr` as a run of the engine ledger, like `stagebook run`: a run row (pipeline
 * `xpcs-corr`, one live run per HDF5 file), its lease renewed by the engine's heartbeat worker (the
 * correlation blocks the event loop, the worker does not), one stage run `corr` for the file with
 * its inputs and outputs, and the engine's events (run-started, stage-started, progress per pass,
 * stage-finished/failed, run-finished) both in the ledger and on the terminal renderer. So
 * `stagebook status` lists it with its outcome and a failed correlation is a failed run.
 *
 * The ledger is the workspace's (`--config F`, else a stagebook.yaml found from the current
 * directory up), else the default ledger of a workspace rooted at the HDF5 file's directory
 * (`<dir>/.stagebook/ledger.db`, what `stagebook status` finds with a config `root: .` there).
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadStagebookConfig, makeStagebookConfig, type StagebookConfig } from '../config/schema';
import { sha256File } from '../engine/cache-key';
import { Heartbeat } from '../engine/lease';
import { resolveWorkspace } from '../engine/workspace';
import { isStagebookError } from '../errors/stagebook-error';
import { stagebookEvents, type StagebookEvent } from '../events/emitter';
import { Ledger } from '../ledger/ledger';
import type { FileRef } from '../ledger/types';
import { ensureDirSync } from '../workdirs/atomic';
import { configFile, type ParsedArgs } from './args';

export const XPCS_CORR_PIPELINE = 'xpcs-corr';
const STAGE = 'corr';

/** The workspace config whose ledger records the run (see the module comment). */
export function corrRunConfig(a: ParsedArgs, hdf: string): StagebookConfig {
  let file: string | undefined;
  try {
    file = configFile(a);
  } catch {
    file = undefined; // no workspace config: the HDF5 file's directory is the workspace
  }
  const dir = path.dirname(path.resolve(hdf));
  return resolveWorkspace(file ? loadStagebookConfig(file).config : makeStagebookConfig({ root: dir }, dir));
}

async function fileRef(file: string): Promise<FileRef> {
  return { path: path.resolve(file), sha256: await sha256File(file), size: statSync(file).size };
}

export interface CorrRunContext {
  runId: string;
  /** Reports a step of the unit (a pass over the frame file). */
  progress(n: number, total: number, message: string): void;
}

/**
 * Runs `work` as one recorded run; `work` returns the files it wrote. The frame file is recorded
 * by path and size in the run's options, not hashed (it may be hundreds of GB).
 */
export async function recordCorrRun(
  config: StagebookConfig,
  hdf: string,
  options: Record<string, unknown>,
  work: (ctx: CorrRunContext) => Promise<string[]>,
): Promise<{ runId: string }> {
  ensureDirSync(path.dirname(config.ledger));
  const ledger = Ledger.open(config.ledger, { busyTimeoutMs: config.engine.busyTimeoutMs });
  const unit = path.resolve(hdf);
  const lease = ledger.createRun({
    pipeline: XPCS_CORR_PIPELINE,
    scope: `${XPCS_CORR_PIPELINE}@${existsSync(unit) ? realpathSync(unit) : unit}`,
    options: { hdf: unit, ...options },
    configFile: config.configFile,
    leaseMs: config.engine.lease.timeoutMs,
  });
  const runId = lease.runId;
  const emit = (e: Omit<StagebookEvent, 'runId' | 'pipeline' | 'at'>): void => {
    const ev: StagebookEvent = { ...e, runId, pipeline: XPCS_CORR_PIPELINE, at: Date.now() };
    if (ev.type !== 'progress')
      ledger.addEvent({
        runId,
        type: ev.type,
        stage: ev.stage,
        unit: ev.unit,
        n: ev.n,
        total: ev.total,
        message: ev.message,
        at: ev.at,
      });
    stagebookEvents.emit(ev);
  };
  const heartbeat = new Heartbeat(ledger.file, lease, config.engine.lease, config.engine.busyTimeoutMs);
  heartbeat.start();
  let stageRun: number | undefined;
  const t0 = Date.now();
  try {
    emit({ type: 'run-started', message: `run ${runId}` });
    const inputs = existsSync(unit) ? [await fileRef(unit)] : [];
    stageRun = ledger.startStageRun(
      {
        runId,
        pipeline: XPCS_CORR_PIPELINE,
        stage: STAGE,
        unit,
        stageVersion: 1,
        params: options,
        cacheKey: '',
        inputs,
      },
      lease,
    );
    emit({ type: 'stage-started', stage: STAGE, unit, n: 0, total: 1 });
    const written = await work({
      runId,
      progress: (n, total, message) => emit({ type: 'progress', stage: STAGE, unit, n, total, message }),
    });
    const outputs = await Promise.all(written.filter((f) => existsSync(f)).map(fileRef));
    ledger.finishStageRun(stageRun, { status: 'succeeded', outputs }, lease);
    ledger.bumpUnitsDone(runId);
    emit({
      type: 'stage-finished',
      stage: STAGE,
      unit,
      status: 'succeeded',
      durationMs: Date.now() - t0,
      outputs: written,
    });
    ledger.finishRun(lease, 'succeeded');
    emit({ type: 'run-finished', status: 'succeeded', durationMs: Date.now() - t0 });
    return { runId };
  } catch (err) {
    const error = {
      code: isStagebookError(err) ? err.code : 'E_INTERNAL',
      message: err instanceof Error ? err.message : String(err),
    };
    if (stageRun !== undefined) ledger.finishStageRun(stageRun, { status: 'failed', error: err }, lease);
    emit({ type: 'stage-failed', stage: STAGE, unit, status: 'failed', error, durationMs: Date.now() - t0 });
    ledger.finishRun(lease, 'failed', err);
    emit({ type: 'run-finished', status: 'failed', error, durationMs: Date.now() - t0 });
    throw err;
  } finally {
    heartbeat.stop();
    ledger.close();
  }
}
