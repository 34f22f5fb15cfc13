/**
 * Worker side of corr-stream-share.ts: one share of one pass's pixel block. It builds its own
 * StreamingMultiTau, waits (Atomics.wait) for the calling thread's messages, pushes each FRAMES
 * batch into it, and on FINISH writes the share's sums in normalisation order into the two-chunk
 * output ring and ends. Any failure is posted on the port and signalled through shared memory (the
 * caller is blocked in Atomics.wait and cannot receive events). Only node:worker_threads is loaded before the `try`, so
 * even a module that fails to load is reported.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import type { StreamingMultiTau as SMT } from './corr-stream';
import type { ShareWorkerData, ShareWorkerError } from './corr-stream-share';

/** Thrown when the calling thread gave up: the worker just ends. */
class Aborted {}

function run(data: ShareWorkerData, ctrl: Int32Array): void {
  const { adoptCoreModule } = require('../wasm/core') as typeof import('../wasm/core');
  const { StreamingMultiTau } = require('./corr-stream') as typeof import('./corr-stream');
  adoptCoreModule('xpcs', data.module);
  const { CTRL, MSG, publish, waitAtLeast } = require('./corr-stream-share') as typeof import('./corr-stream-share');
  const meta = data.meta.map((b) => new Int32Array(b));
  const slots = data.slots.map((b) => new Uint32Array(b));
  const values = data.values.map((b) => new Float64Array(b));
  const out = data.out.map((b) => new Float64Array(b));
  const { visit, chunk: C } = data;
  const nd = data.delays.length;
  // Built while the calling thread reads the pass's first frames.
  // A kernel batch is `messagesPerBatch` messages (pushed when the last of them is copied), unless
  // `kernel` sets smaller ones.
  const per = data.messagesPerBatch;
  const mt = new StreamingMultiTau(visit.length, data.frames, data.delays, {
    batchFrames: data.kernel.batchFrames ?? per * data.messageFrames,
    batchEvents: data.kernel.batchEvents ?? per * data.messageEvents,
  });
  let batches = 0;
  for (let m = 0; ; m++) {
    if (!waitAtLeast(ctrl, CTRL.PUB, m + 1)) throw new Aborted();
    const h = m % 2;
    if (meta[h][0] === MSG.FINISH) {
      finishShare(mt, visit, nd, C, out, ctrl, { CTRL, publish, waitAtLeast });
      publish(ctrl, CTRL.CON, m + 1);
      return; // the thread ends: its WebAssembly memory goes with it
    }
    if (++batches === data.failAtBatch)
      throw Object.assign(new Error(`injected failure at batch ${batches}`), { code: 'E_WASM' });
    const F = meta[h][1];
    for (let f = 0; f < F; f++) {
      const a = meta[h][2 + f];
      const b = meta[h][3 + f];
      const dst = mt.beginFrame();
      dst.slots.set(slots[h].subarray(a, b), dst.offset);
      dst.values.set(values[h].subarray(a, b), dst.offset);
      mt.endFrame(b - a);
    }
    // The message's buffer is free once copied: release it before correlating, so the calling
    // thread fills it while this thread works.
    publish(ctrl, CTRL.CON, m + 1);
    if (batches % per === 0) mt.push();
  }
}

/** The share's sums in normalisation order, chunk by chunk through the two-chunk output ring. */
function finishShare(
  mt: SMT,
  visit: Int32Array,
  nd: number,
  C: number,
  out: Float64Array[],
  ctrl: Int32Array,
  sync: Pick<typeof import('./corr-stream-share'), 'CTRL' | 'publish' | 'waitAtLeast'>,
): void {
  let buf = out[0];
  let written = 0;
  mt.finish(visit, (i, sums) => {
    const at = i % C;
    if (at === 0) {
      // The chunk written two back must have been folded before its buffer is reused.
      if (!sync.waitAtLeast(ctrl, sync.CTRL.OUT_CON, written - 1)) throw new Aborted();
      buf = out[written % 2];
    }
    for (let d = 0; d < nd; d++) {
      buf[d * C + at] = sums.G2[d];
      buf[(nd + d) * C + at] = sums.IP[d];
      buf[(2 * nd + d) * C + at] = sums.IF[d];
    }
    if (at === C - 1 || i === visit.length - 1) sync.publish(ctrl, sync.CTRL.OUT_PUB, ++written);
  });
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
