/**
 * The cleaner (punchpipe control/cleaner.py, cron `*\/5`): flows `launched` or `running` longer than
 * their limits → `timed_out` (their unfinished outputs too) and their runs cancelled (best effort);
 * `revivable` flows: delete their output files, rows and relationships and the flow, and put the
 * parents back in the state their scheduler takes them from, so they are planned again.
 *
 * Differences from punchpipe, on purpose (docs/punch.md): the running limit counts from start_time
 * (theirs from launch_time), a missing time falls back to the previous one (theirs never timed out),
 * limits are inclusive; revival selects outputs by processing_flow (theirs went through an inner join
 * on relationships, so a flow whose outputs had no parent stayed revivable forever) and deletes the
 * relationships on both sides; a parent is not reset when that would make a scheduler plan a product
 * that still exists (a remaining child it already fed): the flow stays revivable and is reported.
 */
import { rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { PunchConfig } from './config';
import type { FlowExecutor } from './flow-executor';
import { productPath, quicklookPath, shaPath } from './naming';
import { readyStateOf, type Segment } from './segment';
import { moveFiles, moveFlows, type FileState } from './states';

export interface CleanPassOptions {
  now: number;
  /** Cancels the runs of timed-out flows (best effort). */
  executor?: FlowExecutor;
}

export interface CleanPassResult {
  timedOutLaunched: number[];
  timedOutRunning: number[];
  /** Run refs whose cancellation was asked of the executor (it may not own them: see its cancel()). */
  cancelRequested: string[];
  cancelFailures: Array<{ runRef: string; reason: string }>;
  revived: number[];
  revivalBlocked: Array<{ flowId: number; reason: string }>;
  deletedFiles: number;
}

/** One cleaner pass: timeouts, then revival. */
export async function cleanPass(
  db: Database.Database,
  config: PunchConfig,
  segments: ReadonlyMap<string, Segment>,
  options: CleanPassOptions,
): Promise<CleanPassResult> {
  const result: CleanPassResult = {
    timedOutLaunched: [],
    timedOutRunning: [],
    cancelRequested: [],
    cancelFailures: [],
    revived: [],
    revivalBlocked: [],
    deletedFiles: 0,
  };
  const runRefs = timeOut(db, config, options.now, result);
  for (const ref of runRefs) {
    try {
      await options.executor?.cancel(ref);
      if (options.executor) result.cancelRequested.push(ref);
    } catch (e) {
      result.cancelFailures.push({ runRef: ref, reason: (e as Error).message });
    }
  }
  revive(db, config, segments, result);
  return result;
}

function timeOut(db: Database.Database, config: PunchConfig, now: number, result: CleanPassResult): string[] {
  const c = config.control.cleaner;
  return db
    .transaction(() => {
      const launched = db
        .prepare(
          `SELECT flow_id, flow_run_id FROM punch_flows
           WHERE state = 'launched' AND coalesce(launch_time, creation_time) <= ?`,
        )
        .all(now - c.fail_launched_flows_after_minutes * 60_000) as Array<{
        flow_id: number;
        flow_run_id: string | null;
      }>;
      const running = db
        .prepare(
          `SELECT flow_id, flow_run_id FROM punch_flows
           WHERE state = 'running' AND coalesce(start_time, launch_time, creation_time) <= ?`,
        )
        .all(now - c.fail_running_flows_after_minutes * 60_000) as Array<{
        flow_id: number;
        flow_run_id: string | null;
      }>;
      result.timedOutLaunched = launched.map((f) => f.flow_id);
      result.timedOutRunning = running.map((f) => f.flow_id);
      const all = [...result.timedOutLaunched, ...result.timedOutRunning];
      if (all.length === 0) return [];
      moveFlows(db, { ids: all }, ['launched', 'running'], 'timed_out', { end_time: now });
      moveFiles(db, { flowIds: all }, ['planned', 'creating'], 'timed_out', {}, { skipOthers: true });
      return [...new Set([...launched, ...running].map((f) => f.flow_run_id).filter((r): r is string => !!r))];
    })
    .immediate();
}

interface OutputRow {
  file_id: number;
  level: string;
  file_type: string;
  observatory: string;
  date_obs: number;
  file_version: string;
  processing_flow: number;
}

interface ParentLink {
  parent: number;
  parent_type: string;
  flow_id: number;
}

/** Order of the states a file passes after `created`: a reset to rank r re-triggers schedulers of rank >= r. */
const CHAIN_RANK: Partial<Record<FileState, number>> = { created: 0, quickpunched: 1, levelh: 1, progressed: 2 };

interface Sibling {
  parent: number;
  child: number;
  flow_id: number;
  flow_type: string;
}

/**
 * Which revivable flows may go, and the state each parent returns to. Iterated to a fixed point: a
 * flow is blocked when an output feeds a product that stays, or when resetting one of its inputs
 * would make another segment plan again a product that stays (a remaining sibling whose scheduler
 * takes the input at or after the reset state). Blocking one flow can block others, hence the loop.
 */
function decideRevival(
  flows: ReadonlyArray<{ flow_id: number; flow_type: string }>,
  links: readonly ParentLink[],
  siblings: readonly Sibling[],
  fedOn: ReadonlyArray<{ producer: number; child: number; flow_id: number }>,
  segments: ReadonlyMap<string, Segment>,
): { blocked: Map<number, string>; target: Map<number, FileState> } {
  const typeOf = new Map(flows.map((f) => [f.flow_id, f.flow_type]));
  const parentType = new Map(links.map((l) => [l.parent, l.parent_type]));
  const readyFor = (flowType: string, fileType: string): FileState => {
    const seg = segments.get(flowType);
    return seg ? readyStateOf(seg, fileType) : 'created';
  };
  const blocked = new Map<number, string>();
  const goes = (id: number): boolean => typeOf.has(id) && !blocked.has(id);
  let target = new Map<number, FileState>();
  for (let changed = true; changed;) {
    changed = false;
    const block = (id: number, reason: string): void => {
      if (!goes(id)) return;
      blocked.set(id, reason);
      changed = true;
    };
    for (const f of fedOn)
      if (goes(f.producer) && !goes(f.flow_id)) block(f.producer, `an output already feeds file ${f.child}`);
    target = new Map();
    for (const l of links.filter((x) => goes(x.flow_id))) {
      const t = readyFor(typeOf.get(l.flow_id)!, l.parent_type);
      const prev = target.get(l.parent);
      if (prev === undefined || (CHAIN_RANK[t] ?? 0) < (CHAIN_RANK[prev] ?? 0)) target.set(l.parent, t);
    }
    for (const s of siblings) {
      const t = target.get(s.parent);
      if (t === undefined || goes(s.flow_id)) continue;
      const ready = readyFor(s.flow_type, parentType.get(s.parent)!);
      if ((CHAIN_RANK[ready] ?? 0) >= (CHAIN_RANK[t] ?? 0))
        for (const l of links.filter((x) => x.parent === s.parent))
          block(
            l.flow_id,
            `input ${s.parent} would be planned again by ${s.flow_type}, which already made file ${s.child}`,
          );
    }
  }
  return { blocked, target };
}

function revive(
  db: Database.Database,
  config: PunchConfig,
  segments: ReadonlyMap<string, Segment>,
  result: CleanPassResult,
): void {
  const flows = db.prepare(`SELECT flow_id, flow_type FROM punch_flows WHERE state = 'revivable'`).all() as Array<{
    flow_id: number;
    flow_type: string;
  }>;
  if (flows.length === 0) return;
  const ids = JSON.stringify(flows.map((f) => f.flow_id));
  const outputs = db
    .prepare(
      `SELECT file_id, level, file_type, observatory, date_obs, file_version, processing_flow FROM punch_files
       WHERE processing_flow IN (SELECT value FROM json_each(?))`,
    )
    .all(ids) as OutputRow[];
  const links = db
    .prepare(
      `SELECT r.parent AS parent, p.file_type AS parent_type, c.processing_flow AS flow_id
       FROM punch_relationships r JOIN punch_files c ON c.file_id = r.child JOIN punch_files p ON p.file_id = r.parent
       WHERE c.processing_flow IN (SELECT value FROM json_each(?))`,
    )
    .all(ids) as ParentLink[];
  // every child of those parents, with the flow (and type) that made it
  const siblings = db
    .prepare(
      `SELECT r.parent AS parent, c.file_id AS child, f.flow_id AS flow_id, f.flow_type AS flow_type
       FROM punch_relationships r JOIN punch_files c ON c.file_id = r.child JOIN punch_flows f ON f.flow_id = c.processing_flow
       WHERE r.parent IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify([...new Set(links.map((l) => l.parent))])) as Sibling[];
  // products the outputs already feed (with the flow that made them)
  const fedOn = db
    .prepare(
      `SELECT p.processing_flow AS producer, r.child AS child, c.processing_flow AS flow_id FROM punch_relationships r
       JOIN punch_files p ON p.file_id = r.parent JOIN punch_files c ON c.file_id = r.child
       WHERE p.processing_flow IN (SELECT value FROM json_each(?))`,
    )
    .all(ids) as Array<{ producer: number; child: number; flow_id: number }>;
  const { blocked, target } = decideRevival(flows, links, siblings, fedOn, segments);
  for (const [flowId, reason] of blocked) result.revivalBlocked.push({ flowId, reason });
  const go = flows.map((f) => f.flow_id).filter((id) => !blocked.has(id));
  if (go.length === 0) return;
  const goSet = new Set(go);
  const doomed = outputs.filter((o) => goSet.has(o.processing_flow));
  // disk first: a crash after this leaves rows whose files are gone, and the flow still revivable
  for (const o of doomed) {
    const p = productPath(config.root, o);
    for (const f of [p, quicklookPath(p), shaPath(p)]) rmSync(f, { force: true });
  }
  const goLinks = links.filter((l) => goSet.has(l.flow_id));
  db.transaction(() => {
    const fileIds = JSON.stringify(doomed.map((o) => o.file_id));
    db.prepare(
      `DELETE FROM punch_relationships WHERE child IN (SELECT value FROM json_each(?)) OR parent IN (SELECT value FROM json_each(?))`,
    ).run(fileIds, fileIds);
    db.prepare(`DELETE FROM punch_files WHERE file_id IN (SELECT value FROM json_each(?))`).run(fileIds);
    db.prepare(`DELETE FROM punch_flows WHERE flow_id IN (SELECT value FROM json_each(?)) AND state = 'revivable'`).run(
      JSON.stringify(go),
    );
    const byTarget = new Map<FileState, number[]>();
    for (const l of goLinks) {
      const t = target.get(l.parent) as FileState;
      byTarget.set(t, [...(byTarget.get(t) ?? []), l.parent]);
    }
    for (const [t, parents] of byTarget) {
      const from = (['progressed', 'quickpunched', 'levelh'] as FileState[]).filter(
        (s) => s !== t && (CHAIN_RANK[s] ?? 0) > (CHAIN_RANK[t] ?? 0),
      );
      moveFiles(db, { ids: [...new Set(parents)] }, from, t, {}, { skipOthers: true });
    }
  }).immediate();
  result.revived = go;
  result.deletedFiles = doomed.length;
}
