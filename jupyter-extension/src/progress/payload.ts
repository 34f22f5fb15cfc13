/**
 * From a kernel message to a progress payload. The library publishes one display per pipeline run
 * (`display_data`, then `update_display_data` with the same `transient.display_id`, Jupyter
 * messaging spec "Display Data" / "Update Display Data"), each carrying the whole run state under
 * PROGRESS_MIME, so any single message is enough to redraw the run: no deltas to replay.
 *
 * Validation uses the library's own zod schema (stagebook/progress-schema), so the
 * kernel side and the panel cannot drift apart silently; a payload that fails it is reported as
 * issues (zod style), never thrown: one bad message must not take the panel down.
 */
import {
  PROGRESS_MIME,
  parseProgressPayload,
  type PayloadIssue,
  type ProgressPayload,
} from 'stagebook/progress-schema';

/** The parts of a Jupyter message this module reads (KernelMessage.IMessage is structurally wider). */
export interface IopubMessageLike {
  header: { msg_type: string; msg_id?: string };
  parent_header: { msg_id?: string } | Record<string, never>;
  content: unknown;
}

/** Message types whose content carries a MIME bundle. */
const BUNDLE_TYPES = new Set(['display_data', 'update_display_data', 'execute_result']);

/** A progress payload as found in one message. */
export interface ProgressMessage {
  payload: ProgressPayload;
  /** `transient.display_id`: the library uses one per run. */
  displayId?: string;
  /** msg_id of the request (normally an execute_request) that caused the message. */
  parentMsgId?: string;
  /** true for `update_display_data`. */
  update: boolean;
}

export type ExtractedProgress =
  | { kind: 'none' }
  | { kind: 'progress'; message: ProgressMessage }
  | { kind: 'invalid'; issues: PayloadIssue[]; displayId?: string };

/** Reads the progress payload of an iopub message, if it has one. */
export function extractProgress(msg: IopubMessageLike): ExtractedProgress {
  if (!BUNDLE_TYPES.has(msg.header.msg_type)) return { kind: 'none' };
  const content = (msg.content ?? {}) as { data?: Record<string, unknown>; transient?: { display_id?: unknown } };
  const raw = content.data?.[PROGRESS_MIME];
  if (raw === undefined) return { kind: 'none' };
  const displayId = typeof content.transient?.display_id === 'string' ? content.transient.display_id : undefined;
  const parsed = parseProgressPayload(raw);
  if (!parsed.ok) return { kind: 'invalid', issues: parsed.issues, displayId };
  const parentMsgId = (msg.parent_header as { msg_id?: string }).msg_id;
  return {
    kind: 'progress',
    message: {
      payload: parsed.payload,
      displayId,
      parentMsgId: parentMsgId || undefined,
      update: msg.header.msg_type === 'update_display_data',
    },
  };
}

/** Reads progress payloads out of saved nbformat outputs (a notebook opened with its outputs). */
export function progressFromOutputs(
  outputs: ReadonlyArray<{ output_type?: string; data?: Record<string, unknown> }>,
): ProgressPayload[] {
  const found: ProgressPayload[] = [];
  for (const o of outputs) {
    const raw = o.data?.[PROGRESS_MIME];
    if (raw === undefined) continue;
    const parsed = parseProgressPayload(raw);
    if (parsed.ok) found.push(parsed.payload);
  }
  return found;
}
