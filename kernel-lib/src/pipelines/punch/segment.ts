/**
 * What a level segment declares (punchpipe: each `flows/levelN.py` has a query_ready_files, a
 * construct_file_info and a core flow). The generic scheduler (scheduler.ts) and processor
 * (processor.ts) run any segment; the mission's are in mission/segments.ts.
 */
import type { PunchLevel } from './naming';
import type { FileState } from './states';

/** A ready input file as the scheduler reads it. */
export interface ReadyFile {
  file_id: number;
  level: string;
  file_type: string;
  observatory: string;
  file_version: string;
  date_obs: number;
  polarization: string | null;
  crota: number | null;
  state: FileState;
}

/** An output file a flow will make (the scheduler inserts it as `planned`). */
export interface PlannedOutput {
  level: PunchLevel;
  file_type: string;
  observatory: string;
  date_obs: number;
  date_beg: number | null;
  date_end: number | null;
  polarization: string | null;
  crota: number | null;
}

/** One flow the scheduler plans: which ready files it consumes and what it makes. */
export interface PlannedFlow {
  inputs: ReadyFile[];
  outputs: PlannedOutput[];
}

/** What a stage gets: its call_data plus the flow's options. */
export interface StageCall {
  flowId: number;
  flowType: string;
  /** Input product paths (call_data.input_data). */
  inputs: string[];
  /** Output product paths the flow must write (call_data.output_filename). */
  outputs: string[];
  options: Record<string, unknown>;
  products: { quicklook: boolean; sha: boolean };
}

/** A level segment. */
export interface Segment {
  flowType: string;
  /** Level of the outputs (the flow's `flow_level`). */
  level: PunchLevel;
  /** Input level and, per type code, the state an input must be in to be ready. */
  input: { level: PunchLevel; ready: ReadonlyArray<{ types: readonly string[]; state: FileState }> };
  /** State the inputs move to once planned (`progressed`, or `quickpunched` for the quick-look chain). */
  inputNext: FileState;
  /** Largest number of inputs one flow takes (bounds the ready query: max_start flows x this). */
  maxInputsPerFlow: number;
  /** Groups ready files (most recent first) into flows; pure, so it is tested without a database. */
  plan(ready: readonly ReadyFile[], options: Record<string, unknown>): PlannedFlow[];
  /** Checks the flow's `options` (config flows.<type>.options); throws naming the field. */
  checkOptions(options: Record<string, unknown>): void;
  /** Runs the flow's image work; returns the paths it wrote (the processor matches them by name). */
  run(call: StageCall): Promise<string[]> | string[];
}

/** The state a parent returns to when a flow of `segment` that consumed it is revived. */
export function readyStateOf(segment: Segment, fileType: string): FileState {
  return segment.input.ready.find((r) => r.types.includes(fileType))?.state ?? 'created';
}
