/**
 * Terminal rendering of engine events: on a TTY one progress line redrawn in place (stage, units
 * n/total, elapsed time, ETA) that stays on screen when the run ends; plain lines otherwise (CI
 * logs, pipes), like listr2's fallback renderer. Both end with a summary that tells a fully cached
 * run ("nothing recomputed") from a real one.
 */
import type { StagebookEvent } from '../events/emitter';
import { formatDuration } from './text-table';

/** Unit outcomes counted for the summary. */
interface Tally {
  computed: number;
  cached: number;
  failed: number;
  blocked: number;
}

/** Per-stage position, for the bar and its ETA. */
interface StageClock {
  total: number;
  done: number;
  computed: number;
  /** Milliseconds spent in computed units (cached units cost ~0 and would skew the rate). */
  computeMs: number;
}

const BAR_WIDTH = 20;

/** ETA of the current stage from the mean duration of its computed units; undefined while unknown. */
function etaMs(s: StageClock, runningSince: number | undefined, now: number): number | undefined {
  if (s.computed === 0) return undefined;
  const left = s.total - s.done;
  const mean = s.computeMs / s.computed;
  // The running unit has already used part of its mean.
  const inFlight = runningSince === undefined ? 0 : Math.min(mean, now - runningSince);
  return Math.max(0, left * mean - inFlight);
}

function bar(frac: number): string {
  const done = Math.max(0, Math.min(BAR_WIDTH, Math.round(frac * BAR_WIDTH)));
  return `[${'#'.repeat(done)}${'.'.repeat(BAR_WIDTH - done)}]`;
}

/** The closing summary: distinguishes a fully cached run from one that computed units. */
export function summaryLine(runId: string, status: string, elapsedMs: number, t: Tally, message?: string): string {
  const units = t.computed + t.cached + t.failed + t.blocked;
  const what =
    units === 0
      ? 'no units'
      : t.computed === 0 && t.failed === 0 && t.blocked === 0
        ? `all ${units} units cached, nothing recomputed`
        : [
            `${t.computed} computed`,
            `${t.cached} cached`,
            ...(t.failed ? [`${t.failed} failed`] : []),
            ...(t.blocked ? [`${t.blocked} blocked`] : []),
          ].join(', ');
  return `stagebook: run ${runId} ${status} in ${formatDuration(elapsedMs)} (${what})${message ? `: ${message}` : ''}`;
}

/**
 * Writes events to a stream; returns the listener to subscribe. `now` is injectable so tests can
 * drive the clock (elapsed/ETA) without racing it.
 */
export function terminalRenderer(
  stream: NodeJS.WriteStream,
  interactive: boolean,
  verbose = false,
  now: () => number = Date.now,
): (e: StagebookEvent) => void {
  let barShown = false;
  let lastBar = '';
  let runStart: number | undefined;
  let unitStart: number | undefined;
  const tally: Tally = { computed: 0, cached: 0, failed: 0, blocked: 0 };
  const stages = new Map<string, StageClock>();
  const clearBar = (): void => {
    if (barShown) stream.write('\r\x1b[2K');
    barShown = false;
  };
  const line = (text: string): void => {
    clearBar();
    stream.write(text + '\n');
  };
  const stageOf = (e: StagebookEvent): StageClock => {
    const key = e.stage ?? '';
    let s = stages.get(key);
    if (!s) stages.set(key, (s = { total: e.total ?? 0, done: 0, computed: 0, computeMs: 0 }));
    if (e.total !== undefined && e.type !== 'progress') s.total = e.total;
    return s;
  };
  const drawBar = (e: StagebookEvent): void => {
    const t = now();
    const s = stageOf(e);
    // inside a unit, `progress` n/total are steps of that unit: a fraction of one unit
    const within = e.type === 'progress' && e.n !== undefined && e.total ? e.n / e.total : 0;
    const frac = s.total ? (s.done + within) / s.total : 0;
    const eta = etaMs(s, unitStart, t);
    const where = `${e.stage ?? ''}${e.unit ? ` ${e.unit}` : ''}`;
    const text = `${bar(frac)} ${s.done}/${s.total || '?'} ${where}  elapsed ${formatDuration(t - (runStart ?? t))}  ETA ${eta === undefined ? '--' : formatDuration(eta)}`;
    lastBar = text.slice(0, (stream.columns || 120) - 1);
    stream.write(`\r\x1b[2K${lastBar}`);
    barShown = true;
  };
  const unitDone = (e: StagebookEvent, outcome: keyof Tally): void => {
    const s = stageOf(e);
    s.done++;
    tally[outcome]++;
    if (outcome === 'computed') {
      s.computed++;
      s.computeMs += e.durationMs ?? 0;
    }
    unitStart = undefined;
  };
  return (e) => {
    const where = e.stage ? `${e.stage}${e.unit ? ` ${e.unit}` : ''}` : '';
    const pos = e.n !== undefined && e.total !== undefined ? ` (${e.n}/${e.total})` : '';
    if (e.type === 'stage-finished') unitDone(e, 'computed');
    else if (e.type === 'stage-skipped-cached') unitDone(e, 'cached');
    else if (e.type === 'stage-failed') unitDone(e, 'failed');
    else if (e.type === 'stage-blocked') unitDone(e, 'blocked');
    else if (e.type === 'stage-started') unitStart = now();
    switch (e.type) {
      case 'run-started':
        runStart = now();
        line(`stagebook: ${e.pipeline} ${e.message ?? ''}`);
        break;
      case 'run-finished': {
        // the last bar stays on screen (a newline instead of clearing it), then the summary
        if (interactive && barShown) stream.write(`\r\x1b[2K${lastBar}\n`);
        barShown = false;
        line(summaryLine(e.runId, e.status ?? '?', now() - (runStart ?? now()), tally, e.message));
        break;
      }
      case 'stage-failed':
        line(`FAILED ${where}${pos}: ${e.error?.code} ${e.error?.message}`);
        break;
      case 'stage-blocked':
        line(`blocked ${where}: ${e.message ?? ''}`);
        break;
      case 'log':
        if (verbose) line(`  ${e.level} [${where}] ${e.message}`);
        break;
      case 'unit-retrying': // BullMQ executor: an attempt failed or its worker was lost
        line(`retrying ${where}: ${e.message ?? ''}`);
        break;
      default:
        if (interactive) drawBar(e);
        else if (e.type !== 'progress' || verbose) {
          line(
            `${e.type} ${where}${pos}${e.durationMs !== undefined ? ` ${e.durationMs} ms` : ''}${e.message && e.type === 'progress' ? ` ${e.message}` : ''}${e.worker ? ` on ${e.worker}` : ''}`,
          );
        }
    }
  };
}
