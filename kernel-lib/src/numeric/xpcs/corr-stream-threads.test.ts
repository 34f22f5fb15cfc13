/**
 * xpcsCorrStream on worker threads (corr-stream-share.ts) against the in-memory path, bit for bit,
 * where the split is awkward: a share whose pixels never get an event, blocks smaller than the
 * thread count, tiny hand-over batches and output chunks; and a worker failure surfacing as a
 * StagebookError with its cause, with no thread left behind (checked in a child process that must
 * exit by itself). Workers run the compiled dist/ code: `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStagebookError } from '../../errors/stagebook-error';
import { seededRandom } from '../../simulate/random';
import { corrDelays } from './corr';
import { StreamingMultiTau } from './corr-stream';
import { streamShareWorkersIdle, type ShareTuning } from './corr-stream-share';
import { ArrayCorrSource, xpcsCorr, xpcsCorrStream, type CorrRawFrame, type XpcsCorrSettingsInput } from './index';

const H = 12;
const W = 14;
const T = 120;

/** Sparse frames; pixels of rows with row % 3 === 2 (q-bin 3: the last share of 3) never get an event. */
function frames(seed: number, silentQ3: boolean): CorrRawFrame[] {
  const r = seededRandom(seed);
  return Array.from({ length: T }, (_, t) => {
    const idx: number[] = [];
    for (let p = 0; p < H * W; p++) {
      if (silentQ3 && Math.floor(p / W) % 3 === 2) continue;
      if (r.uniform() < 0.25 || p % 31 === t % 31) idx.push(p);
    }
    // u32 indices and u16 counts, as an IMM frame comes (routed in WebAssembly by the stream).
    const values = Uint16Array.from(idx, () => Math.floor(r.uniform() * 4));
    return { elapsed: t * 0.01, tick: t, indices: Uint32Array.from(idx), values };
  });
}

/** `every`: only every n-th pixel labelled (fewer pixels: fewer passes when blocks are tiny). */
function settings(extra: Partial<XpcsCorrSettingsInput> = {}, every = 1): XpcsCorrSettingsInput {
  const dq = Array.from({ length: H * W }, (_, p) => (p % every ? 0 : 1 + (Math.floor(p / W) % 3)));
  dq[5] = 0;
  return {
    shape: [H, W],
    dqmap: dq,
    sqmap: dq.map((q, p) => 2 * q - 1 + (p % 2)),
    dataBeginTodo: 1,
    dataEndTodo: T,
    delaysPerLevel: 3,
    staticMeanWindowSize: 7,
    normFactor: null,
    ...extra,
  };
}

function expectBits(a: Map<string, { data: Float64Array }>, b: Map<string, { data: Float64Array }>): void {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [k, v] of a)
    for (let i = 0; i < v.data.length; i++)
      if (!Object.is(v.data[i], b.get(k)!.data[i])) expect.fail(`${k}[${i}]: ${b.get(k)!.data[i]} != ${v.data[i]}`);
}

const perSlot = StreamingMultiTau.bytesPerSlot(T, corrDelays(T, 3));

describe('xpcsCorrStream on worker threads', () => {
  it.each<[string, boolean, number, number, ShareTuning & { every?: number }]>([
    ['a share with zero events (q-bin 3 silent, 3 threads, one block)', true, 3, 1 << 30, {}],
    ['blocks of 2 pixels for 3 threads (the last block 1 pixel)', false, 3, 2 * perSlot, { every: 17 }],
    [
      'tiny hand-over batches and output chunks, frame-sum normalisation',
      false,
      2,
      40 * perSlot,
      { batchFrames: 3, batchEvents: 5, chunk: 4 },
    ],
    ['kernel batches of one message each', false, 2, 40 * perSlot, { batchFrames: 3, messagesPerBatch: 1 }],
    [
      'kernel batches of three messages (a pass ends mid-batch)',
      false,
      3,
      40 * perSlot,
      { batchFrames: 5, messagesPerBatch: 3 },
    ],
  ])('%s: bit-identical to xpcsCorr', (_name, silent, threads, budget, { every, ...shareTuning }) => {
    const extra = shareTuning.chunk ? { normalizeByFramesum: true } : {};
    const mem = xpcsCorr(new ArrayCorrSource(true, frames(3, silent)), settings(extra, every));
    const str = xpcsCorrStream(new ArrayCorrSource(true, frames(3, silent)), settings(extra, every), {
      memoryBudgetBytes: budget,
      threads,
      shareTuning,
    });
    expectBits(mem.datasets, str.datasets);
    if (budget < 1e6) expect(str.passes).toBeGreaterThan(2);
    if (silent) {
      // q-bin 3 (the third share) really had no event: its g2 column is NaN (0/0) at every delay.
      const g2 = str.datasets.get('norm-0-g2')!;
      const nq = g2.shape[1];
      expect(nq).toBe(3);
      for (let d = 0; d < g2.shape[0]; d++) expect(g2.data[d * nq + 2]).toBeNaN();
    }
  });

  it('refuses a kernel batch of no messages', () => {
    expect(() =>
      xpcsCorrStream(new ArrayCorrSource(true, frames(3, false)), settings(), {
        threads: 2,
        shareTuning: { messagesPerBatch: 0 },
      }),
    ).toThrow(/shareTuning.messagesPerBatch = 0/);
  });

  it('a failing worker surfaces as a StagebookError with its cause', async () => {
    let caught: unknown;
    try {
      xpcsCorrStream(new ArrayCorrSource(true, frames(4, false)), settings(), {
        threads: 2,
        shareTuning: { batchFrames: 4, failAtBatch: 3 },
      });
    } catch (e) {
      caught = e;
    }
    expect(isStagebookError(caught, 'E_WASM')).toBe(true);
    const err = caught as Error & { context: Record<string, unknown> };
    expect(err.message).toMatch(/worker thread of share 0 failed: injected failure at batch 3/);
    expect(err.context.share).toBe(0);
    expect((err.cause as Error).message).toBe('injected failure at batch 3');
    expect((err.cause as Error).stack).toMatch(/corr-stream-share-worker/);
    // Every worker thread ends (the failed one and its sibling, terminated): waits on their exit events.
    await streamShareWorkersIdle();
  });

  it('a failure on the calling thread (the source ends early) stops every worker', async () => {
    const short = frames(4, false).slice(0, 50);
    expect(() =>
      xpcsCorrStream(new ArrayCorrSource(true, short), settings(), { threads: 3, shareTuning: { batchFrames: 4 } }),
    ).toThrow(/frame 51 requested/);
    await streamShareWorkersIdle();
  });

  it('leaves no thread behind: a child process exits by itself after a run, a worker failure and a caller failure', () => {
    const dist = join(__dirname, '..', '..', '..', 'dist', 'numeric', 'xpcs');
    const script = `
      const xp = require(${JSON.stringify(dist)});
      const s = ${JSON.stringify(settings())};
      const fr = ${JSON.stringify(frames(5, false))};
      const ok = xp.xpcsCorrStream(new xp.ArrayCorrSource(true, fr), s, { threads: 3, memoryBudgetBytes: 1e9 });
      const codes = [];
      try {
        xp.xpcsCorrStream(new xp.ArrayCorrSource(true, fr), s, { threads: 2, shareTuning: { batchFrames: 2, failAtBatch: 2 } });
      } catch (e) { codes.push(e.code); }
      try { // the calling thread fails mid-pass (the source ends early) while the workers wait for frames
        xp.xpcsCorrStream(new xp.ArrayCorrSource(true, fr.slice(0, 60)), s, { threads: 2, shareTuning: { batchFrames: 4 } });
      } catch (e) { codes.push(e.code); }
      console.log(JSON.stringify({ passes: ok.passes, codes }));
    `;
    // The guard only turns a hang into a failure; a passing run exits in well under a second.
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000 });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ passes: 1, codes: ['E_WASM', 'E_TRUNCATED'] });
  });
});
