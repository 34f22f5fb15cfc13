/**
 * The launcher (punchpipe control/launcher.py, HEAD): count the running weight, escalate the
 * priority of planned flows by waiting time, take planned flows ordered by is_backprocessing asc,
 * priority desc, creation_time asc, batch same-type flows into runs, launch within
 * max_weight_running and max_flows_to_launch_at_once, staggered over launch_time_window_minutes.
 *
 * Differences from punchpipe, on purpose (docs/punch.md): escalation never lowers a priority; the
 * budget is checked with the run's weight included (theirs could exceed it), and a batch run costs
 * its type's launch_weight in whole runs (no float 1/batch_size drift); the stagger spreads the
 * chunks actually used over the whole window and does not depend on the wall-clock second; launches
 * are not shuffled (the order is the priority order); a refused or failed submit reverts its flows to
 * `planned` and clears launch_time; planned flows of an unconfigured type are reported, not a crash.
 */
import type Database from 'better-sqlite3';
import type { PunchConfig, PunchFlowConfig } from './config';
import type { FlowExecutor, FlowLaunch } from './flow-executor';
import { moveFlows } from './states';

export interface LaunchPassOptions {
  /** Current time, epoch ms (injected). */
  now: number;
  /** Waits between staggered chunks (injected; default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
  /** Stops staggering: launches not yet submitted go back to `planned`. */
  signal?: AbortSignal;
}

export interface LaunchPassResult {
  /** Planned flows whose priority was raised. */
  escalated: number;
  /** Weight of launched + running flows before the pass. */
  runningWeight: number;
  accepted: Array<FlowLaunch & { runRef: string; delayMs: number }>;
  refused: Array<FlowLaunch & { reason: string }>;
  /** Flows put back to `planned` because the pass was aborted before their chunk. */
  notSubmitted: number;
  /** Types with planned flows but no `flows.<type>` in the config (left planned). */
  unconfiguredTypes: string[];
}

interface Candidate {
  flow_id: number;
  flow_type: string;
  flow_level: string;
  priority: number;
  call_data: string | null;
}

type FlowConfigs = Record<string, PunchFlowConfig>;

/** Raises planned flows' priority to escalation[i] once they waited seconds[i]; one UPDATE per type. */
export function escalatePriorities(db: Database.Database, flows: FlowConfigs, now: number): number {
  let changed = 0;
  for (const [type, cfg] of Object.entries(flows)) {
    const { seconds, escalation } = cfg.priority;
    if (seconds.length === 0) continue;
    const terms = seconds.map(() => `CASE WHEN creation_time <= ? THEN ? ELSE priority END`).join(', ');
    const expr = `max(priority, ${terms})`;
    const args = seconds.flatMap((s, i) => [now - s * 1000, escalation[i]]);
    changed += db
      .prepare(
        `UPDATE punch_flows SET priority = ${expr} WHERE state = 'planned' AND flow_type = ? AND priority < ${expr}`,
      )
      .run(...args, type, ...args).changes;
  }
  return changed;
}

/** Weight of launched + running flows: per type, whole runs (ceil(n / batch_size)) x launch_weight. */
export function runningWeight(db: Database.Database, flows: FlowConfigs): number {
  const rows = db
    .prepare(
      `SELECT flow_type, count(*) AS n FROM punch_flows WHERE state IN ('launched', 'running') GROUP BY flow_type`,
    )
    .all() as Array<{ flow_type: string; n: number }>;
  // an unconfigured type still occupies the machine: it counts as weight 1 per flow
  return rows.reduce((w, r) => {
    const c = flows[r.flow_type];
    return w + (c ? Math.ceil(r.n / c.batch_size) * c.launch_weight : r.n);
  }, 0);
}

/** Groups ordered candidates into runs within the weight budget and the flow cap (pure). */
export function formRuns(
  candidates: readonly Candidate[],
  flows: FlowConfigs,
  budget: number,
  maxFlows: number,
): FlowLaunch[] {
  const runs: FlowLaunch[] = [];
  const open = new Map<string, FlowLaunch>();
  let weight = 0;
  let count = 0;
  for (const c of candidates) {
    if (count >= maxFlows) break;
    const cfg = flows[c.flow_type];
    const callData = c.call_data === null ? null : (JSON.parse(c.call_data) as unknown);
    const batch = open.get(c.flow_type);
    if (batch && batch.batchFlowIds.length < cfg.batch_size) {
      batch.batchFlowIds.push(c.flow_id);
      (batch.callData as unknown[]).push(callData);
      batch.priority = Math.max(batch.priority, c.priority);
    } else {
      // strict priority order: the first run that does not fit ends the pass (nothing jumps the queue)
      if (weight + cfg.launch_weight > budget + 1e-9) break;
      weight += cfg.launch_weight;
      const run: FlowLaunch = {
        flowId: c.flow_id,
        flowType: c.flow_type,
        level: c.flow_level,
        priority: c.priority,
        launchWeight: cfg.launch_weight,
        callData: [callData],
        batchFlowIds: [c.flow_id],
      };
      runs.push(run);
      open.set(c.flow_type, run);
    }
    count++;
  }
  return runs;
}

/** Delay (ms from the pass start) of each run: chunks spread evenly over the window. */
export function staggerDelays(runCount: number, windowMinutes: number, chunkSeconds: number): number[] {
  const windowMs = windowMinutes * 60_000;
  if (runCount === 0) return [];
  if (windowMs <= 0) return new Array<number>(runCount).fill(0);
  const slots = Math.max(1, Math.floor(windowMs / (chunkSeconds * 1000)));
  const perChunk = Math.ceil(runCount / slots);
  const used = Math.ceil(runCount / perChunk);
  return Array.from({ length: runCount }, (_, i) => Math.floor(i / perChunk) * Math.round(windowMs / used));
}

function enabledFlows(config: PunchConfig): FlowConfigs {
  return Object.fromEntries(Object.entries(config.flows).filter(([, c]) => c?.enabled)) as FlowConfigs;
}

/** Selects and marks runs `launched` in one transaction (a second launcher cannot take them too). */
function selectRuns(
  db: Database.Database,
  config: PunchConfig,
  now: number,
): { runs: FlowLaunch[]; result: Omit<LaunchPassResult, 'accepted' | 'refused' | 'notSubmitted'> } {
  const all = config.flows as FlowConfigs;
  const enabled = enabledFlows(config);
  const tx = db.transaction(() => {
    const escalated = escalatePriorities(db, all, now);
    const weight = runningWeight(db, all);
    const types = JSON.stringify(Object.keys(enabled));
    const launcher = config.control.launcher;
    const candidates = db
      .prepare(
        `SELECT flow_id, flow_type, flow_level, priority, call_data FROM punch_flows
         WHERE state = 'planned' AND flow_type IN (SELECT value FROM json_each(?))
         ORDER BY is_backprocessing ASC, priority DESC, creation_time ASC, flow_id ASC LIMIT ?`,
      )
      .all(types, launcher.max_flows_to_launch_at_once) as Candidate[];
    const runs = formRuns(
      candidates,
      enabled,
      launcher.max_weight_running - weight,
      launcher.max_flows_to_launch_at_once,
    );
    const ids = runs.flatMap((r) => r.batchFlowIds);
    if (ids.length > 0) moveFlows(db, { ids }, ['planned'], 'launched', { launch_time: now });
    const unconfigured = db
      .prepare(
        `SELECT DISTINCT flow_type FROM punch_flows WHERE state = 'planned'
         AND flow_type NOT IN (SELECT value FROM json_each(?)) ORDER BY flow_type`,
      )
      .all(JSON.stringify(Object.keys(all))) as Array<{ flow_type: string }>;
    return {
      runs,
      result: { escalated, runningWeight: weight, unconfiguredTypes: unconfigured.map((u) => u.flow_type) },
    };
  });
  return tx.immediate();
}

function revert(db: Database.Database, ids: number[]): void {
  // only flows still `launched` (a fast run may already be running): skipOthers
  db.transaction(() =>
    moveFlows(db, { ids }, ['launched'], 'planned', { launch_time: null }, { skipOthers: true }),
  ).immediate();
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A submit that throws is a refusal with its message as the reason. */
async function submitSafely(executor: FlowExecutor, run: FlowLaunch): ReturnType<FlowExecutor['submit']> {
  try {
    return await executor.submit(run);
  } catch (e) {
    return { accepted: false, reason: (e as Error).message };
  }
}

/** One launcher pass. */
export async function launchPass(
  db: Database.Database,
  config: PunchConfig,
  executor: FlowExecutor,
  options: LaunchPassOptions,
): Promise<LaunchPassResult> {
  const { runs, result } = selectRuns(db, config, options.now);
  const launcher = config.control.launcher;
  const delays = staggerDelays(runs.length, launcher.launch_time_window_minutes, launcher.stagger_chunk_seconds);
  const out: LaunchPassResult = { ...result, accepted: [], refused: [], notSubmitted: 0 };
  const sleep = options.sleep ?? defaultSleep;
  // chunks: runs with the same delay are submitted together and recorded with one statement each
  const chunks = new Map<number, number[]>();
  delays.forEach((d, i) => (chunks.get(d) ?? chunks.set(d, []).get(d)!).push(i));
  let waited = 0;
  for (const [delay, members] of chunks) {
    if (delay > waited && !options.signal?.aborted) await sleep(delay - waited);
    waited = delay;
    if (options.signal?.aborted) {
      const rest = runs.slice(members[0]).flatMap((r) => r.batchFlowIds);
      revert(db, rest);
      out.notSubmitted = rest.length;
      break;
    }
    const answers = await Promise.all(members.map((i) => submitSafely(executor, runs[i])));
    const accepted: Array<[number, string]> = [];
    const refusedIds: number[] = [];
    answers.forEach((answer, k) => {
      const run = runs[members[k]];
      if (answer.accepted) {
        for (const id of run.batchFlowIds) accepted.push([id, answer.runRef]);
        out.accepted.push({ ...run, runRef: answer.runRef, delayMs: delay });
      } else {
        refusedIds.push(...run.batchFlowIds);
        out.refused.push({ ...run, reason: answer.reason });
      }
    });
    if (accepted.length)
      db.prepare(
        `UPDATE punch_flows SET flow_run_id = j.value->>1 FROM json_each(?) AS j WHERE punch_flows.flow_id = j.value->>0`,
      ).run(JSON.stringify(accepted));
    if (refusedIds.length) revert(db, refusedIds);
  }
  return out;
}
