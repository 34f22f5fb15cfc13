/**
 * The contract between the kernel and the JupyterLab extension: the
 * `application/vnd.stagebook.progress.v1+json` payload of a stage-progress display.
 *
 * This module imports nothing but zod, so the browser extension (jupyter-extension/) bundles it
 * and validates what arrives on iopub with the same schema the library's tests check its own
 * payloads against: one definition, two sides. Unknown keys are accepted and dropped (a newer
 * library may add fields; an older panel must keep working).
 */
import { z } from 'zod';
import { issuePath } from '../errors/zod-issues';
import type { StageStatus } from '../types/run-status';

export const PROGRESS_MIME = 'application/vnd.stagebook.progress.v1+json';

/** A stage's state on the display: the shared stage vocabulary (types/run-status.ts) minus what it never shows. */
export type StageState = Extract<StageStatus, 'pending' | 'running' | 'succeeded' | 'cached' | 'failed'>;
export const STAGE_STATES: readonly StageState[] = ['pending', 'running', 'succeeded', 'cached', 'failed'];

/** How a finished run ended (the engine's run status): `partial` = some units failed, others were done. */
export type RunOutcome = 'succeeded' | 'partial' | 'failed' | 'interrupted';
export const RUN_OUTCOMES: readonly RunOutcome[] = ['succeeded', 'partial', 'failed', 'interrupted'];

/** A structured error as carried by progress events and the error display. */
export interface StageErrorInfo {
  code: string;
  message: string;
  stage?: string;
  input?: string;
}

/** One stage of a run as the display shows it. */
export interface StageProgress {
  name: string;
  state: StageState;
  n?: number;
  total?: number;
  message?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  error?: StageErrorInfo;
}

/** The `application/vnd.stagebook.progress.v1+json` payload. */
export interface ProgressPayload {
  version: 1;
  runId: string;
  pipeline?: string;
  state: StageState;
  startedAt: string;
  updatedAt: string;
  stages: StageProgress[];
  error?: StageErrorInfo;
  /** Set when the run has finished: its status, which `state` (a roll-up of stages) cannot say. */
  outcome?: RunOutcome;
}

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO 8601 time' });
const count = z.number().finite().min(0);

export const stageErrorInfoSchema = z.object({
  code: z.string().describe('Stable StagebookError code (docs/errors.md)'),
  message: z.string().describe('Human message of the error'),
  stage: z.string().optional().describe('Stage that raised'),
  input: z.string().optional().describe('Unit (input path or group key) that failed'),
});

export const stageProgressSchema = z.object({
  name: z.string().min(1).describe('Stage name, unique within the run'),
  state: z
    .enum(STAGE_STATES as [StageState, ...StageState[]])
    .describe('pending | running | succeeded | cached | failed'),
  n: count.optional().describe('Units done so far'),
  total: count.optional().describe('Units planned for this stage, when known'),
  message: z.string().optional().describe('Latest progress message (usually the unit being processed)'),
  startedAt: isoTime.optional().describe('When the first unit started'),
  endedAt: isoTime.optional().describe('When the stage reached a terminal state'),
  durationMs: count.optional().describe('endedAt - startedAt, for terminal stages'),
  error: stageErrorInfoSchema.optional().describe('The error of a failed stage'),
});

export const progressPayloadSchema = z.object({
  version: z.literal(1).describe('Payload format version (the MIME type carries it too)'),
  runId: z.string().min(1).describe('Pipeline run id (ledger run id for engine runs)'),
  pipeline: z.string().optional().describe('Pipeline name'),
  state: z.enum(STAGE_STATES as [StageState, ...StageState[]]).describe('Overall state of the run'),
  startedAt: isoTime.describe('When the display for this run was created'),
  updatedAt: isoTime.describe('When this payload was produced'),
  stages: z.array(stageProgressSchema).describe('Stages in the order they were first seen (or declared)'),
  error: stageErrorInfoSchema.optional().describe("The first failed stage's error"),
  outcome: z
    .enum(RUN_OUTCOMES as [RunOutcome, ...RunOutcome[]])
    .optional()
    .describe('How the run ended, once it has: succeeded | partial | failed | interrupted'),
});

// Compile-time check that the schema and the interfaces describe the same thing.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesInterface: Same<z.output<typeof progressPayloadSchema>, ProgressPayload> = true;
void schemaMatchesInterface;

/** How a stage's count reads in every view (text twin, HTML twin, JupyterLab panel): "n/total", "n" or "". */
export function countText(s: Pick<StageProgress, 'n' | 'total'>): string {
  if (s.total !== undefined) return `${s.n ?? 0}/${s.total}`;
  return s.n !== undefined ? String(s.n) : '';
}

/** A validation problem, zod-style: where in the payload and what is wrong. */
export interface PayloadIssue {
  path: string;
  message: string;
}

/**
 * Validates an unknown value as a progress payload: the payload, or the issues found. A string is
 * parsed as JSON first (tslab passes objects through, but a kernel may legally send a `+json` MIME
 * value as a string).
 */
export function parseProgressPayload(
  value: unknown,
): { ok: true; payload: ProgressPayload } | { ok: false; issues: PayloadIssue[] } {
  const r = progressPayloadSchema.safeParse(typeof value === 'string' ? parseJsonOrKeep(value) : value);
  if (r.success) return { ok: true, payload: r.data as ProgressPayload };
  return { ok: false, issues: r.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message })) };
}

function parseJsonOrKeep(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // the schema then reports "expected object"
  }
}
