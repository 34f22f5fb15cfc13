/**
 * --dry-run: the states a flow would visit from StartAt, with each action's validated plan where its
 * input is already in the input document (later inputs depend on results and are listed as such).
 * Nothing is written: no ledger row, no file.
 */
import type { FlowEnvironment } from './config';
import { FLOW_ACTIONS } from './actions';
import type { FlowDefinition } from './definition';
import { getAtPath, resolveParameters } from './json-path';

export interface FlowPlanStep {
  state: string;
  type: string;
  action?: string;
  /** The action's plan, or why there is none yet. */
  plan?: unknown;
  next: string[];
}

export function planFlow(def: FlowDefinition, input: unknown, env: FlowEnvironment): FlowPlanStep[] {
  const out: FlowPlanStep[] = [];
  const seen = new Set<string>();
  const queue = [def.StartAt];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const s = def.States[name];
    const next =
      s.Type === 'Action'
        ? s.Next
          ? [s.Next]
          : []
        : s.Type === 'Choice'
          ? [...s.Choices.map((c) => c.Next), ...(s.Default ? [s.Default] : [])]
          : [];
    const step: FlowPlanStep = { state: name, type: s.Type, next };
    if (s.Type === 'Action') {
      step.action = s.Action;
      const selected = getAtPath(input, s.InputPath);
      const missing: string[] = [];
      const stepInput =
        s.Parameters && selected !== undefined ? resolveParameters(s.Parameters, selected, missing) : selected;
      step.plan =
        stepInput === undefined || missing.length > 0
          ? `input ${[s.InputPath, ...missing].join(', ')} comes from an earlier step`
          : FLOW_ACTIONS[s.Action].plan(stepInput, { env, runId: '(dry-run)', state: name });
    }
    out.push(step);
    queue.push(...next);
  }
  return out;
}
