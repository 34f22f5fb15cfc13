/**
 * Worker side of corr-stream-share.ts: one share of each pass's pixel block. It waits (Atomics.wait)
 * for the calling thread's messages, pushes each FRAMES batch into its own StreamingMultiTau, and
 * on FINISH writes the share's sums in normalisation order into the two-chunk output ring. Any
 * failure is posted on the port and signalled through shared memory (the caller is blocked in
 * Atomics.wait and cannot receive events). Only node:worker_threads is loaded before the `try`, so
 * even a module that fails to load is reported.
 */
import { isMainThread, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { StreamingMultiTau as SMT } from './corr-stream';
import type { ShareWorkerData, ShareWorkerError } from './corr-stream-share';

/** Thrown when the calling thread gave up: the worker just ends. */
class Aborted {}

function run(data: ShareWorkerData, ctrl: Int32Array): void {
  const { StreamingMultiTau } = require('./corr-stream') as typeof import('./corr-stream');
  const { CTRL, MSG, publish, waitAtLeast } = require('./corr-stream-share') as typeof import('./corr-stream-share');
  const meta = data.meta.map((b) => new Int32Array(b));
  const slots = data.slots.map((b) => new Uint32Array(b));
  const values = data.values.map((b) => new Float64Array(b));
  const out = data.out.map((b) => new Float64Array(b));
  const nd = data.delays.length;
  const C = data.chunk;
  let mt: SMT | undefined;
  let visit = new Int32Array(0);
  let batches = 0;
  let written = 0;
  for (let m = 0; ; m++) {
    if (!waitAtLeast(ctrl, CTRL.PUB, m + 1)) throw new Aborted();
    const h = m % 2;
    const kind = meta[h][0];
    if (kind === MSG.EXIT) return;
    if (kind === MSG.START) {
      visit = (receiveMessageOnPort(data.port)!.message as { visit: Int32Array }).visit;
      mt = undefined; // the previous pass's memory can go before the next is allocated
      mt = new StreamingMultiTau(visit.length, data.frames, data.delays, data.kernel);
    } else if (kind === MSG.FRAMES) {
      if (++batches === data.failAtBatch)
        throw Object.assign(new Error(`injected failure at batch ${batches}`), { code: 'E_WASM' });
      const F = meta[h][1];
      for (let f = 0; f < F; f++) {
        const a = meta[h][2 + f];
        const b = meta[h][3 + f];
        const dst = mt!.beginFrame();
        dst.slots.set(slots[h].subarray(a, b), dst.offset);
        dst.values.set(values[h].subarray(a, b), dst.offset);
        mt!.endFrame(b - a);
      }
    } else if (kind === MSG.FINISH) {
      let buf = out[0];
      const flush = () => publish(ctrl, CTRL.OUT_PUB, ++written);
      mt!.finish(visit, (i, sums) => {
        const at = i % C;
        if (at === 0) {
          // The chunk written two back must have been folded before its buffer is reused.
          if (!waitAtLeast(ctrl, CTRL.OUT_CON, written - 1)) throw new Aborted();
          buf = out[written % 2];
        }
        for (let d = 0; d < nd; d++) {
          buf[d * C + at] = sums.G2[d];
          buf[(nd + d) * C + at] = sums.IP[d];
          buf[(2 * nd + d) * C + at] = sums.IF[d];
        }
        if (at === C - 1 || i === visit.length - 1) flush();
      });
      mt = undefined;
    }
    publish(ctrl, CTRL.CON, m + 1);
  }
}

function main(data: ShareWorkerData): void {
  const ctrl = new Int32Array(data.ctrl);
  try {
    run(data, ctrl);
  } catch (e) {
    if (e instanceof Aborted) return;
    const err = e as { code?: unknown; message?: unknown; name?: unknown; stack?: unknown; context?: unknown };
    const report: ShareWorkerError = {
      code: typeof err?.code === 'string' ? err.code : undefined,
      message: String(err?.message ?? e),
      name: typeof err?.name === 'string' ? err.name : undefined,
      stack: typeof err?.stack === 'string' ? err.stack : undefined,
      context: err?.context && typeof err.context === 'object' ? (err.context as Record<string, unknown>) : undefined,
    };
    data.port.postMessage(report);
    // Word indices written out: this path must not depend on modules that may have failed to load.
    Atomics.store(ctrl, 2, 1); // ERR
    for (const i of [1, 3]) {
      Atomics.store(ctrl, i, -3); // CON, OUT_PUB = FAILED
      Atomics.notify(ctrl, i);
    }
  }
}

if (!isMainThread && (workerData as ShareWorkerData | undefined)?.kind === 'xpcs-stream-share') main(workerData);
