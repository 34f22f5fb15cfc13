/** The contract between the flow executor and an action (transfer, compute, plots, ingest, shell). */
import { StagebookError } from '../../errors/stagebook-error';
import type { FlowEnvironment } from '../config';

export interface ActionContext {
  env: FlowEnvironment;
  runId: string;
  state: string;
  /** Aborted on timeout (WaitTime) or when the run is stopped. */
  signal: AbortSignal;
  progress(n: number, total: number, message?: string): void;
}

export interface FlowAction {
  readonly name: string;
  /** Performs the action; the result lands at the state's ResultPath. Must be idempotent. */
  run(input: unknown, ctx: ActionContext): Promise<unknown>;
  /** What `run` would do, for --dry-run: validates the input, touches nothing. */
  plan(input: unknown, ctx: Omit<ActionContext, 'signal' | 'progress'>): unknown;
}

/** Parses an action's input with its zod schema; the error names the state and the field. */
export function parseActionInput<T>(
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };
  },
  input: unknown,
  action: string,
  state: string,
): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.map(String).join('.');
  throw new StagebookError('E_FLOW_INPUT', `${state} (${action}): input ${field || '(root)'}: ${issue.message}`, {
    state,
    action,
    field,
  });
}
