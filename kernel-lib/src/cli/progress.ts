/**
 * Terminal rendering of engine events: a one-line progress bar redrawn in place on a TTY, plain
 * lines otherwise (CI logs, pipes), like listr2's fallback renderer.
 */
import type { StagebookEvent } from '../events/emitter';

/** Writes events to a stream; returns the listener to subscribe. */
export function terminalRenderer(stream: NodeJS.WriteStream, interactive: boolean, verbose = false): (e: StagebookEvent) => void {
  let barShown = false;
  const clearBar = (): void => {
    if (barShown) stream.write('\r\x1b[2K');
    barShown = false;
  };
  const line = (text: string): void => {
    clearBar();
    stream.write(text + '\n');
  };
  return (e) => {
    const where = e.stage ? `${e.stage}${e.unit ? ` ${e.unit}` : ''}` : '';
    const pos = e.n !== undefined && e.total !== undefined ? ` (${e.n}/${e.total})` : '';
    switch (e.type) {
      case 'run-started': line(`stagebook: ${e.pipeline} ${e.message ?? ''}`); break;
      case 'run-finished': line(`stagebook: run ${e.runId} ${e.status}${e.message ? `: ${e.message}` : ''}`); break;
      case 'stage-failed': line(`FAILED ${where}${pos}: ${e.error?.code} ${e.error?.message}`); break;
      case 'stage-blocked': line(`blocked ${where}: ${e.message ?? ''}`); break;
      case 'log': if (verbose) line(`  ${e.level} [${where}] ${e.message}`); break;
      default:
        if (interactive) {
          const frac = e.n && e.total ? e.n / e.total : 0;
          const width = 24;
          const done = Math.round(frac * width);
          stream.write(`\r\x1b[2K[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${e.type.replace('stage-', '')} ${where}${pos}`.slice(0, (stream.columns || 100) - 1));
          barShown = true;
        } else if (e.type !== 'progress' || verbose) {
          line(`${e.type} ${where}${pos}${e.durationMs !== undefined ? ` ${e.durationMs} ms` : ''}${e.message && e.type === 'progress' ? ` ${e.message}` : ''}`);
        }
    }
  };
}
