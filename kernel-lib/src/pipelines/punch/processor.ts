/**
 * The processor of one flow (punchpipe control/processor.py generic_process_flow_logic): flow →
 * `running` (run name and start time), its outputs → `creating`; run the segment's stage with the
 * flow's call_data; match each output file row by name: written → `created`, missing →
 * `unreported`; an exception → flow and outputs `failed` (the error is kept on the flow row);
 * success → flow `completed`. A plain function of (db, flowId) so any worker (a child process here,
 * a BullMQ worker in issue 18) can call it.
 */
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { StagebookError, isStagebookError } from '../../errors/stagebook-error';
import type { PunchConfig } from './config';
import type { Segment } from './segment';
import { moveFiles, moveFlows } from './states';

export interface ProcessFlowOptions {
  config: PunchConfig;
  /** The mission's segments by flow type. */
  segments: ReadonlyMap<string, Segment>;
  /** Clock (epoch ms); default Date.now. */
  now?: () => number;
  /** Recorded as flow_run_name (e.g. `pid:1234`). */
  runName?: string;
}

export interface ProcessFlowResult {
  flowId: number;
  state: 'completed' | 'failed';
  created: string[];
  unreported: string[];
  error?: { code: string; message: string };
}

interface FlowRow {
  flow_id: number;
  flow_type: string;
  state: string;
  call_data: string | null;
}

function loadFlow(db: Database.Database, flowId: number): FlowRow {
  const row = db
    .prepare(`SELECT flow_id, flow_type, state, call_data FROM punch_flows WHERE flow_id = ?`)
    .get(flowId) as FlowRow | undefined;
  if (!row)
    throw new StagebookError('E_PUNCH_FLOW_NOT_FOUND', `processFlow: no flow ${flowId} in the control database`, {
      where: 'processFlow',
      flowId,
    });
  return row;
}

function parseCallData(row: FlowRow): { input_data: string[]; output_filename: string[] } {
  const cd = (row.call_data === null ? null : JSON.parse(row.call_data)) as {
    input_data?: unknown;
    output_filename?: unknown;
  } | null;
  const ok = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (!cd || !ok(cd.input_data) || !ok(cd.output_filename))
    throw new StagebookError('E_INVALID_ARGUMENT', `processFlow: flow ${row.flow_id} has no valid call_data`, {
      where: 'processFlow',
      field: 'call_data',
      flowId: row.flow_id,
    });
  return { input_data: cd.input_data, output_filename: cd.output_filename };
}

/** Runs flow `flowId` (which must be `launched`); never leaves it `running` unless the process dies. */
export async function processFlow(
  db: Database.Database,
  flowId: number,
  options: ProcessFlowOptions,
): Promise<ProcessFlowResult> {
  const now = options.now ?? Date.now;
  const row = loadFlow(db, flowId);
  const segment = options.segments.get(row.flow_type);
  db.transaction(() => {
    moveFlows(db, { ids: [flowId] }, ['launched'], 'running', {
      start_time: now(),
      flow_run_name: options.runName ?? `pid:${process.pid}`,
    });
    moveFiles(db, { flowIds: [flowId] }, ['planned'], 'creating');
  }).immediate();
  const outputs = db
    .prepare(`SELECT file_id FROM punch_files WHERE processing_flow = ? ORDER BY file_id`)
    .all(flowId) as Array<{ file_id: number }>;
  let written: string[] = [];
  let callData: { input_data: string[]; output_filename: string[] } = { input_data: [], output_filename: [] };
  try {
    if (!segment)
      throw new StagebookError('E_INVALID_ARGUMENT', `processFlow: flow type '${row.flow_type}' has no stage`, {
        where: 'processFlow',
        field: 'flow_type',
      });
    callData = parseCallData(row);
    if (callData.output_filename.length !== outputs.length)
      throw new StagebookError(
        'E_INTERNAL',
        `processFlow: flow ${flowId} lists ${callData.output_filename.length} outputs but owns ${outputs.length} file rows`,
        { where: 'processFlow', flowId },
      );
    for (const p of callData.output_filename)
      if (existsSync(p))
        throw new StagebookError('E_PUNCH_OUTPUT_EXISTS', `processFlow: flow ${flowId}: output ${p} already exists`, {
          where: 'processFlow',
          file: p,
        });
    const flowCfg = options.config.flows[row.flow_type as keyof PunchConfig['flows']];
    written = await segment.run({
      flowId,
      flowType: row.flow_type,
      inputs: callData.input_data,
      outputs: callData.output_filename,
      options: flowCfg?.options ?? {},
      products: options.config.products,
    });
  } catch (e) {
    return fail(db, flowId, e, now());
  }
  return finish(db, flowId, outputs, callData.output_filename, written, now());
}

function fail(db: Database.Database, flowId: number, e: unknown, at: number): ProcessFlowResult {
  const error = {
    code: isStagebookError(e) ? e.code : 'E_INTERNAL',
    message: (e as Error)?.message ?? String(e),
  };
  db.transaction(() => {
    moveFiles(db, { flowIds: [flowId] }, ['creating'], 'failed');
    moveFlows(db, { ids: [flowId] }, ['running'], 'failed', { end_time: at, error: JSON.stringify(error) });
  }).immediate();
  return { flowId, state: 'failed', created: [], unreported: [], error };
}

/**
 * Output rows and call_data.output_filename are in the same order (the scheduler builds both from
 * one list); a row counts as written when its path was reported by the stage AND exists on disk.
 */
function finish(
  db: Database.Database,
  flowId: number,
  outputs: Array<{ file_id: number }>,
  paths: string[],
  written: string[],
  at: number,
): ProcessFlowResult {
  const reported = new Set(written);
  const created: number[] = [];
  const unreported: number[] = [];
  const result: ProcessFlowResult = { flowId, state: 'completed', created: [], unreported: [] };
  outputs.forEach((o, i) => {
    const ok = reported.has(paths[i]) && existsSync(paths[i]);
    (ok ? created : unreported).push(o.file_id);
    (ok ? result.created : result.unreported).push(paths[i]);
  });
  db.transaction(() => {
    if (created.length) moveFiles(db, { ids: created }, ['creating'], 'created', { date_created: at });
    if (unreported.length) moveFiles(db, { ids: unreported }, ['creating'], 'unreported');
    moveFlows(db, { ids: [flowId] }, ['running'], 'completed', { end_time: at });
  }).immediate();
  return result;
}
