/**
 * Terminal side of `stagebook notebook run`: papermill's per-cell progress bar (tqdm on stderr,
 * on by default on a terminal) and `--log-output` (cell outputs streamed as they arrive).
 */
import { formatDuration as duration } from '../display/format';
import type { RunnerEvent } from './events';
import type { JupyterMessage } from './wire';

export interface CellTerminal {
  onEvent(e: RunnerEvent): void;
  onIopub(cell: number, msg: JupyterMessage): void;
}

/**
 * `interactive`: a bar redrawn in place (`Executing [####....] 3/8 cells  elapsed 4.1 s`), left on
 * screen at the end; otherwise, when the bar was asked for explicitly, one line per finished cell.
 * `logOutput` writes stream text and the text/plain of displays, clearing the bar first.
 */
export function cellTerminal(
  stream: NodeJS.WritableStream & { columns?: number },
  options: { bar: boolean; interactive: boolean; logOutput: boolean; now?: () => number },
): CellTerminal {
  const now = options.now ?? Date.now;
  let total = 0;
  let done = 0;
  let t0 = now();
  let shown = false;
  let running: number | undefined;
  const draw = (): void => {
    if (!options.bar || !options.interactive) return;
    const width = 20;
    const fill = total ? Math.round((done / total) * width) : 0;
    const cell = running === undefined ? '' : `  cell ${running + 1}`;
    const text = `Executing [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total || '?'} cells${cell}  elapsed ${duration(now() - t0)}`;
    stream.write(`\r\x1b[2K${text.slice(0, (stream.columns || 120) - 1)}`);
    shown = true;
  };
  const clear = (): void => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  return {
    onEvent(e) {
      if (e.type === 'run_start') {
        total = Number(e.code_cells ?? 0);
        t0 = now();
      } else if (e.type === 'cell_start') running = Number(e.cell);
      else if (e.type === 'cell_end') {
        done++;
        running = undefined;
        if (options.bar && !options.interactive)
          stream.write(
            `cell ${Number(e.cell) + 1} ${String(e.status)} (${done}/${total}, ${duration(Number(e.duration_ms ?? 0))})\n`,
          );
      }
      if (e.type === 'run_end') {
        draw();
        if (shown) stream.write('\n'); // the last bar stays on screen
        shown = false;
        return;
      }
      draw();
    },
    onIopub(_cell, msg) {
      if (!options.logOutput) return;
      const c = msg.content as { name?: string; text?: string; data?: Record<string, unknown> };
      let text: string | undefined;
      if (msg.header.msg_type === 'stream') text = c.text;
      else if (msg.header.msg_type === 'display_data' || msg.header.msg_type === 'execute_result') {
        const plain = c.data?.['text/plain'];
        if (typeof plain === 'string') text = `${plain}\n`;
      }
      if (!text) return;
      clear();
      stream.write(text.endsWith('\n') ? text : `${text}\n`);
      draw();
    },
  };
}
