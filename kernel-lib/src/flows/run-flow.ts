/**
 * Runs a flow: from the run's current state, each Action state takes its input from the document at
 * InputPath, runs with a timeout of WaitTime seconds, and puts its result at ResultPath; a failure is
 * retried by the first Retry rule whose ErrorEquals matches the error code (or States.ALL /
 * States.Timeout) after IntervalSeconds x BackoffRate^n; Choice states branch on the document. The
 * document and the next state are committed after every step, so a killed runner resumes where it
 * stopped (an interrupted step is re-run: actions are idempotent). The retry waits and the timeout
 * use an injectable clock, so tests never race the wall clock.
 */
import { StagebookError, isStagebookError } from '../errors/stagebook-error';
import type { FlowEnvironment } from './config';
import { FLOW_ACTIONS, type FlowAction } from './actions';
import type { ActionState, ChoiceRule, FlowDefinition, RetryPolicy } from './definition';
import { getAtPath, resolveParameters, setAtPath } from './json-path';
import type { FlowRunRecord, FlowStore } from './store';

/** Time as the executor sees it (tests inject one). */
export interface FlowClock {
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Rejects after ms unless the signal aborts first. */
  timeout(ms: number, signal: AbortSignal): Promise<never>;
}

export const realClock: FlowClock = {
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    }),
  timeout: (ms, signal) =>
    new Promise((_, reject) => {
      const t = setTimeout(
        () => reject(new StagebookError('E_FLOW_TIMEOUT', `step exceeded its WaitTime of ${ms / 1000} s`, {})),
        ms,
      );
      t.unref?.();
      signal.addEventListener('abort', () => clearTimeout(t), { once: true });
    }),
};

export interface FlowStepEvent {
  runId: string;
  state: string;
  status: 'running' | 'succeeded' | 'failed' | 'retrying';
  attempt: number;
  error?: { code: string; message: string };
  progress?: { n: number; total: number; message?: string };
}

export interface RunFlowOptions {
  env: FlowEnvironment;
  signal?: AbortSignal;
  clock?: FlowClock;
  /** Replaces actions by name (tests, site extensions). */
  actions?: Record<string, FlowAction>;
  onEvent?: (e: FlowStepEvent) => void;
  /** Stop (run left `running`) after this state succeeds: step-by-step execution from a notebook. */
  stopAfter?: string;
}

function errorOf(e: unknown): { code: string; message: string } {
  if (isStagebookError(e)) return { code: e.code, message: e.message };
  return { code: 'E_FLOW_ACTION', message: e instanceof Error ? e.message : String(e) };
}

function retrierFor(retry: RetryPolicy[], code: string): RetryPolicy | undefined {
  // Step Functions' names: States.ALL matches everything, States.Timeout our E_FLOW_TIMEOUT.
  return retry.find((r) =>
    r.ErrorEquals.some(
      (e) => e === 'States.ALL' || e === code || (e === 'States.Timeout' && code === 'E_FLOW_TIMEOUT'),
    ),
  );
}

function choose(rules: ChoiceRule[], doc: unknown, fallback: string | undefined, state: string): string {
  for (const r of rules) {
    const v = getAtPath(doc, r.Variable);
    const ok =
      (r.IsPresent !== undefined && (v !== undefined) === r.IsPresent) ||
      (r.StringEquals !== undefined && v === r.StringEquals) ||
      (r.BooleanEquals !== undefined && v === r.BooleanEquals) ||
      (typeof v === 'number' &&
        ((r.NumericEquals !== undefined && v === r.NumericEquals) ||
          (r.NumericLessThan !== undefined && v < r.NumericLessThan) ||
          (r.NumericGreaterThan !== undefined && v > r.NumericGreaterThan) ||
          (r.NumericLessThanEquals !== undefined && v <= r.NumericLessThanEquals) ||
          (r.NumericGreaterThanEquals !== undefined && v >= r.NumericGreaterThanEquals)));
    if (ok) return r.Next;
  }
  if (fallback === undefined)
    throw new StagebookError('E_FLOW_FAILED', `${state}: no choice rule matched and there is no Default`, { state });
  return fallback;
}

/** Runs one action state with its retries; resolves to the result or rejects with the last error. */
async function runAction(
  store: FlowStore,
  run: FlowRunRecord,
  name: string,
  s: ActionState,
  doc: unknown,
  o: RunFlowOptions,
): Promise<unknown> {
  const action = o.actions?.[s.Action] ?? FLOW_ACTIONS[s.Action];
  const clock = o.clock ?? realClock;
  const selected = getAtPath(doc, s.InputPath);
  const input = s.Parameters ? resolveParameters(s.Parameters, selected) : selected;
  const used = new Map<RetryPolicy, number>();
  for (let attempt = 1; ; attempt++) {
    const stepId = store.startStep(run.id, name, attempt, input);
    o.onEvent?.({ runId: run.id, state: name, status: 'running', attempt });
    const ac = new AbortController();
    const stop = (): void => ac.abort();
    o.signal?.addEventListener('abort', stop, { once: true });
    try {
      const ctx = {
        env: o.env,
        runId: run.id,
        state: name,
        signal: ac.signal,
        progress: (n: number, total: number, message?: string) =>
          o.onEvent?.({ runId: run.id, state: name, status: 'running', attempt, progress: { n, total, message } }),
      };
      const result = await Promise.race([action.run(input, ctx), clock.timeout(s.WaitTime * 1000, ac.signal)]);
      store.finishStep(stepId, 'succeeded', result, null);
      o.onEvent?.({ runId: run.id, state: name, status: 'succeeded', attempt });
      return result;
    } catch (e) {
      const err = errorOf(e);
      store.finishStep(stepId, 'failed', null, err);
      const r = retrierFor(s.Retry, err.code);
      const n = r ? (used.get(r) ?? 0) : 0;
      if (!r || n >= r.MaxAttempts || o.signal?.aborted) {
        o.onEvent?.({ runId: run.id, state: name, status: 'failed', attempt, error: err });
        throw e;
      }
      used.set(r, n + 1);
      o.onEvent?.({ runId: run.id, state: name, status: 'retrying', attempt, error: err });
      await clock.sleep(r.IntervalSeconds * 1000 * r.BackoffRate ** n, o.signal);
    } finally {
      ac.abort();
      o.signal?.removeEventListener('abort', stop);
    }
  }
}

/**
 * Runs (or resumes) flow run `runId` until it ends, fails, is aborted (left `running`, resumable) or
 * reaches `stopAfter`; returns the run record as it then is.
 */
export async function runFlow(store: FlowStore, runId: string, options: RunFlowOptions): Promise<FlowRunRecord> {
  let run = store.getRun(runId);
  if (run.status !== 'running') return run;
  store.interruptDangling(runId);
  const def: FlowDefinition = run.definition;
  let doc = run.document;
  let state = run.currentState;
  while (state !== null && !options.signal?.aborted) {
    const s = def.States[state];
    if (s.Type === 'Succeed') {
      store.advance(runId, doc, null, { status: 'succeeded' });
      break;
    }
    if (s.Type === 'Fail') {
      store.advance(runId, doc, null, {
        status: 'failed',
        error: { code: s.Error, message: s.Cause ?? `flow reached Fail state ${state}` },
      });
      break;
    }
    if (s.Type === 'Choice') {
      state = choose(s.Choices, doc, s.Default, state);
      store.advance(runId, doc, state);
      continue;
    }
    try {
      const result = await runAction(store, run, state, s, doc, options);
      if (s.ResultPath) doc = setAtPath(doc, s.ResultPath, result);
    } catch (e) {
      if (options.signal?.aborted) break;
      store.advance(runId, doc, state, { status: 'failed', error: { ...errorOf(e), state } });
      break;
    }
    const done = state;
    state = s.End ? null : (s.Next as string);
    store.advance(runId, doc, state, state === null ? { status: 'succeeded' } : undefined);
    if (options.stopAfter === done) break;
  }
  run = store.getRun(runId);
  return run;
}
