/**
 * The scheduler of one level segment (punchpipe control/scheduler.py generic_scheduler_flow_logic):
 * query ready files, plan the child files (`planned`) and one flow per group (`planned`, the type's
 * initial priority, call_data with input and output paths), move the inputs on (`progressed` or
 * `quickpunched`), link parent → child relationships, all in ONE immediate transaction.
 *
 * Round-trips are constant per pass whatever the number of files (punchbowl#728, changelog #259):
 * rows travel as one JSON parameter each (`json_each`), and ids are assigned from `max(id)` read
 * inside the write transaction (no other writer can insert meanwhile), so no per-row RETURNING.
 * Statements per pass: planned count, ready select, max ids, insert flows, insert files, insert
 * relationships, move inputs (check + update) = 8. Flows are inserted `planned`: `being_planned`
 * marks a flow whose children are not linked yet (punchpipe commits the flow first); here flow,
 * children and links commit together, so no flow is ever visible half-planned.
 */
import type Database from 'better-sqlite3';
import { StagebookError } from '../../errors/stagebook-error';
import type { PunchConfig } from './config';
import { productPath } from './naming';
import type { PlannedFlow, ReadyFile, Segment } from './segment';
import { moveFiles } from './states';

export interface SchedulePassOptions {
  /** Current time, epoch ms (injected: tests use a fixed clock). */
  now: number;
  /** stagebook's version, recorded as the children's software_version. */
  softwareVersion?: string;
}

export interface SchedulePassResult {
  flowType: string;
  /** Flows planned by this pass. */
  planned: number;
  /** Child files planned. */
  files: number;
  /** Planned flows of this type before the pass (max_start counts them). */
  alreadyPlanned: number;
  /** Flows marked as back-processing. */
  backprocessing: number;
}

const DAY_MS = 86_400_000;

/** Runs one scheduling pass of `segment`. The type must be configured and enabled, or nothing is planned. */
export function schedulePass(
  db: Database.Database,
  segment: Segment,
  config: PunchConfig,
  options: SchedulePassOptions,
): SchedulePassResult {
  const flowConfig = config.flows[segment.flowType as keyof PunchConfig['flows']];
  const result: SchedulePassResult = {
    flowType: segment.flowType,
    planned: 0,
    files: 0,
    alreadyPlanned: 0,
    backprocessing: 0,
  };
  if (!flowConfig || !flowConfig.enabled) return result;
  segment.checkOptions(flowConfig.options);
  const tx = db.transaction(() => {
    const { n } = db
      .prepare(`SELECT count(*) AS n FROM punch_flows WHERE state = 'planned' AND flow_type = ?`)
      .get(segment.flowType) as { n: number };
    result.alreadyPlanned = n;
    const room = config.scheduler.max_start - n;
    if (room <= 0) return;
    const ready = queryReady(db, segment, room * segment.maxInputsPerFlow);
    const plans = segment.plan(ready, flowConfig.options).slice(0, room);
    if (plans.length === 0) return;
    insertPlans(db, segment, config, plans, options, flowConfig.priority.initial, result);
  });
  tx.immediate();
  return result;
}

function queryReady(db: Database.Database, segment: Segment, limit: number): ReadyFile[] {
  const pairs = segment.input.ready.flatMap((r) => r.types.map((t) => [t, r.state]));
  return db
    .prepare(
      `SELECT file_id, level, file_type, observatory, file_version, date_obs, polarization, crota, state
       FROM punch_files
       WHERE level = ? AND (file_type, state) IN
         (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))
       ORDER BY date_obs DESC, file_id DESC LIMIT ?`,
    )
    .all(segment.input.level, JSON.stringify(pairs), limit) as ReadyFile[];
}

function insertPlans(
  db: Database.Database,
  segment: Segment,
  config: PunchConfig,
  plans: PlannedFlow[],
  options: SchedulePassOptions,
  initialPriority: number,
  result: SchedulePassResult,
): void {
  const ids = db
    .prepare(
      `SELECT (SELECT coalesce(max(flow_id), 0) FROM punch_flows) AS flow, (SELECT coalesce(max(file_id), 0) FROM punch_files) AS file`,
    )
    .get() as { flow: number; file: number };
  const backCutoff =
    config.scheduler.prioritize_most_recent_n_days === null
      ? null
      : options.now - config.scheduler.prioritize_most_recent_n_days * DAY_MS;
  const flows: unknown[] = [];
  const files: unknown[] = [];
  const links: Array<[number, number]> = [];
  const inputIds: number[] = [];
  let nextFile = ids.file;
  plans.forEach((plan, i) => {
    const flowId = ids.flow + 1 + i;
    const outputs = plan.outputs.map((o) => ({ ...o, file_id: ++nextFile, file_version: config.file_version }));
    // back-processing when every output is older than the recent window (punchpipe: strict `<`)
    const back = backCutoff !== null && outputs.every((o) => o.date_obs < backCutoff);
    if (back) result.backprocessing++;
    const callData = {
      input_data: plan.inputs.map((f) => productPath(config.root, f)),
      output_filename: outputs.map((o) => productPath(config.root, o)),
    };
    flows.push([
      flowId,
      segment.level,
      segment.flowType,
      options.now,
      initialPriority,
      back ? 1 : 0,
      JSON.stringify(callData),
    ]);
    for (const o of outputs) {
      files.push([
        o.file_id,
        o.level,
        o.file_type,
        o.observatory,
        o.file_version,
        options.softwareVersion ?? '0',
        o.date_obs,
        o.date_beg,
        o.date_end,
        o.polarization,
        o.crota,
        flowId,
      ]);
      for (const p of plan.inputs) links.push([p.file_id, o.file_id]);
    }
    for (const p of plan.inputs) inputIds.push(p.file_id);
  });
  db.prepare(
    `INSERT INTO punch_flows (flow_id, flow_level, flow_type, state, creation_time, priority, is_backprocessing, call_data)
     SELECT value->>0, value->>1, value->>2, 'planned', value->>3, value->>4, value->>5, value->>6 FROM json_each(?)`,
  ).run(JSON.stringify(flows));
  try {
    db.prepare(
      `INSERT INTO punch_files (file_id, level, file_type, observatory, file_version, software_version, date_obs,
         date_beg, date_end, polarization, crota, processing_flow, state)
       SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8,
         value->>9, value->>10, value->>11, 'planned' FROM json_each(?)`,
    ).run(JSON.stringify(files));
  } catch (cause) {
    throw duplicateError(cause, `schedulePass(${segment.flowType})`);
  }
  db.prepare(`INSERT INTO punch_relationships (parent, child) SELECT value->>0, value->>1 FROM json_each(?)`).run(
    JSON.stringify(links),
  );
  const readyStates = [...new Set(segment.input.ready.map((r) => r.state))];
  moveFiles(db, { ids: inputIds }, readyStates, segment.inputNext);
  result.planned = plans.length;
  result.files = files.length;
}

/** A UNIQUE violation of punch_files as E_PUNCH_DUPLICATE (anything else is rethrown). */
export function duplicateError(cause: unknown, where: string): unknown {
  const code = (cause as { code?: string })?.code;
  if (code !== 'SQLITE_CONSTRAINT_UNIQUE') return cause;
  return new StagebookError(
    'E_PUNCH_DUPLICATE',
    `${where}: a product with this level, type, observatory, date_obs and version already exists (${(cause as Error).message})`,
    { where },
    { cause },
  );
}
