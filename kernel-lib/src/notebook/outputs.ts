/**
 * Turns iopub messages into nbformat outputs, as nbclient's `output_from_msg` and
 * `handle_update_display_data` do: consecutive stream chunks of one name are merged,
 * `update_display_data` rewrites every earlier output that carries the same display id (in any
 * cell), `clear_output` empties the cell (at the next output when `wait` is set).
 */
import type { NotebookOutput } from './nbformat';
import type { JupyterMessage } from './wire';

/** The MIME type of the machine-readable progress payload (see display/progress.ts). */
export const PROGRESS_MIME = 'application/vnd.stagebook.progress.v1+json';
/** The MIME type of the structured error payload (see display/error-display.ts). */
export const ERROR_MIME = 'application/vnd.stagebook.error.v1+json';

/**
 * Default cap on what one cell may add to the output notebook (characters of stream text plus
 * serialized display bundles). A cell printing 100 MB made the runner hold 1.37 GB and write a
 * 105 MB notebook (issue 11 item 11); past the cap, output is dropped and a note says so.
 */
export const DEFAULT_MAX_CELL_OUTPUT = 10 * 1024 * 1024;

/** Collects outputs for cells and tracks display ids across the whole notebook. */
export class OutputCollector {
  private readonly byDisplayId = new Map<string, NotebookOutput[]>();
  private current: NotebookOutput[] = [];
  private clearPending = false;
  private size = 0;
  private dropped = 0;
  private note: NotebookOutput | undefined;
  /** Called for every display_data / update_display_data bundle (for progress events). */
  onDisplay: ((data: Record<string, unknown>, displayId: string | undefined) => void) | undefined;
  /** Called once per cell when its output first exceeds the cap. */
  onTruncate: ((limit: number) => void) | undefined;

  /** @param maxCellOutput cap per cell (characters); Infinity disables it */
  constructor(readonly maxCellOutput: number = DEFAULT_MAX_CELL_OUTPUT) {}

  /** Starts collecting into `outputs` (the cell's array, mutated in place). */
  begin(outputs: NotebookOutput[]): void {
    this.current = outputs;
    this.clearPending = false;
    this.size = 0;
    this.dropped = 0;
    this.note = undefined;
  }

  /** Characters dropped from the current cell by the cap. */
  get droppedChars(): number {
    return this.dropped;
  }

  /** Accepts `n` more characters, or counts them as dropped and shows the truncation note. */
  private admit(n: number): boolean {
    if (this.size + n <= this.maxCellOutput) {
      this.size += n;
      return true;
    }
    this.drop(n);
    return false;
  }

  /** Counts `n` dropped characters and shows (or updates) the truncation note. */
  private drop(n: number): void {
    this.dropped += n;
    if (!this.note) {
      this.note = { output_type: 'stream', name: 'stderr', text: '' };
      this.current.push(this.note);
      this.onTruncate?.(this.maxCellOutput);
    }
    this.note.text = `[stagebook] output truncated: this cell's output exceeded ${this.maxCellOutput} characters; ${this.dropped} more characters were dropped (raise the cap with --max-cell-output)\n`;
  }

  /** Applies one iopub message; returns true when the notebook changed. */
  apply(msg: JupyterMessage): boolean {
    const c = msg.content as Record<string, unknown>;
    switch (msg.header.msg_type) {
      case 'stream':
        return this.push(this.stream(String(c.name), String(c.text ?? '')));
      case 'display_data':
      case 'execute_result':
        return this.display(msg.header.msg_type, c);
      case 'update_display_data':
        return this.update(c);
      case 'error':
        return this.push({
          output_type: 'error',
          ename: String(c.ename ?? ''),
          evalue: String(c.evalue ?? ''),
          traceback: Array.isArray(c.traceback) ? c.traceback : [],
        });
      case 'clear_output':
        if (c.wait) this.clearPending = true;
        else this.clear();
        return true;
      default:
        return false;
    }
  }

  private stream(name: string, full: string): NotebookOutput | null {
    this.flushClear();
    const room = Math.max(0, this.maxCellOutput - this.size);
    const text = full.length <= room ? full : full.slice(0, room);
    if (text.length < full.length) this.drop(full.length - text.length);
    this.size += text.length;
    if (text.length === 0) return null;
    // the truncation note stays last: merge into the output before it
    const last =
      this.current[this.current.length - (this.note && this.current[this.current.length - 1] === this.note ? 2 : 1)];
    if (last && last !== this.note && last.output_type === 'stream' && last.name === name) {
      last.text = String(last.text) + text;
      return null;
    }
    return { output_type: 'stream', name, text };
  }

  private display(type: 'display_data' | 'execute_result', c: Record<string, unknown>): boolean {
    const data = (c.data ?? {}) as Record<string, unknown>;
    this.onDisplay?.(data, displayIdOf(c));
    if (!this.admit(JSON.stringify(data).length)) return true;
    const out: NotebookOutput = { output_type: type, data, metadata: c.metadata ?? {} };
    if (type === 'execute_result') out.execution_count = c.execution_count ?? null;
    const displayId = displayIdOf(c);
    if (displayId !== undefined) {
      const list = this.byDisplayId.get(displayId) ?? [];
      list.push(out);
      this.byDisplayId.set(displayId, list);
    }
    return this.push(out);
  }

  private update(c: Record<string, unknown>): boolean {
    const displayId = displayIdOf(c);
    const data = (c.data ?? {}) as Record<string, unknown>;
    this.onDisplay?.(data, displayId);
    const targets = displayId === undefined ? undefined : this.byDisplayId.get(displayId);
    if (!targets) return false;
    // an update replaces data in place: only a bundle over the whole cap is refused
    if (JSON.stringify(data).length > this.maxCellOutput) return this.admit(JSON.stringify(data).length);
    for (const t of targets) {
      t.data = data;
      t.metadata = c.metadata ?? {};
    }
    return true;
  }

  private push(out: NotebookOutput | null): boolean {
    this.flushClear();
    if (out) {
      // keep the truncation note last, where a reader sees it
      if (this.note && this.current[this.current.length - 1] === this.note)
        this.current.splice(this.current.length - 1, 0, out);
      else this.current.push(out);
    }
    return true;
  }

  private flushClear(): void {
    if (this.clearPending) {
      this.clear();
      this.clearPending = false;
    }
  }

  /** Empties the cell: its cap starts over (what was dropped stays counted). */
  private clear(): void {
    this.current.length = 0;
    this.size = 0;
    this.note = undefined;
  }
}

function displayIdOf(c: Record<string, unknown>): string | undefined {
  const id = (c.transient as { display_id?: unknown } | undefined)?.display_id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/** Text of all stderr stream outputs (tslab reports a throwing cell only there). */
export function stderrText(outputs: NotebookOutput[]): string {
  return outputs
    .filter((o) => o.output_type === 'stream' && o.name === 'stderr')
    .map((o) => String(o.text))
    .join('');
}

/** The last structured stagebook error payload among the outputs, if any. */
export function structuredError(outputs: NotebookOutput[]): Record<string, unknown> | undefined {
  for (let i = outputs.length - 1; i >= 0; i--) {
    const data = outputs[i].data as Record<string, unknown> | undefined;
    const payload = data?.[ERROR_MIME];
    if (payload && typeof payload === 'object') return payload as Record<string, unknown>;
  }
  return undefined;
}

/** What we can recover from tslab's stderr text for a failed cell (it sends no `error` message). */
export interface TslabFailure {
  /** Error class name (`StagebookError`, `TypeError`), absent for type-check diagnostics. */
  ename?: string;
  /** One-line message: the `Name: message` line, else the first non-empty line. */
  message: string;
  /** `code: 'E_...'` printed by util.inspect for errors that carry a code property. */
  code?: string;
}

/**
 * Parses stderr printed by tslab's `console.error(e)` (util.inspect of the error: source excerpt,
 * `Name: message`, stack, then own properties such as `code: 'E_...'`) or its diagnostics
 * (`line:col - message` for type errors).
 */
export function parseTslabStderr(stderr: string): TslabFailure {
  const lines = stderr.split('\n');
  const head = lines.find((l) => /^([A-Za-z_$][\w$]*(Error|Exception)|Error)( \[[\w-]+\])?: /.test(l));
  const code = /^\s*code: '([A-Za-z0-9_]+)'/m.exec(stderr)?.[1];
  if (head) {
    const at = head.indexOf(': ');
    return { ename: head.slice(0, at).replace(/ \[.*\]$/, ''), message: head.slice(at + 2), ...(code ? { code } : {}) };
  }
  return { message: lines.find((l) => l.trim() !== '')?.trim() ?? '', ...(code ? { code } : {}) };
}
