// The parallel split of the multi-tau engine (windows.ts, split-plan.ts, engine.ts joins): every
// event is computed exactly once and the joined sums equal a whole run bit for bit, in every
// arithmetic mode (int16 ring engine, int16 Gram kernel, float64 chains). Needs the compiled dist/
// twin of xpcs-task.ts for the public parallel functions: run `npx tsc -p kernel-lib/tsconfig.build.json`.
import { afterAll, describe, expect, it } from 'vitest';
import type { FrameData, Frames } from '../frames';
import { closeWorkerPool } from '../parallel/pool';
import { joinRoiGroups, joinWindows, levelEvents, runEngine, type EngineSums } from './engine';
import { multiTauAutoCorr, multiTauAutoCorrParallel, twoTimeCorr, twoTimeCorrParallel } from './index';
import { frameKind, readLabelMap, roiLayout } from './layout';
import { planSplit } from './split-plan';
import { planWindows } from './windows';

afterAll(() => closeWorkerPool());

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** T frames of H x W; frames from `bigFrom` on get values up to 60000 (float64 engine levels). */
function stack(
  T: number,
  H: number,
  W: number,
  seed: number,
  bigFrom = T,
  Ctor: new (n: number) => FrameData = Uint16Array,
): Frames {
  const rand = lcg(seed);
  const data = new Ctor(T * H * W);
  for (let i = 0; i < data.length; i++)
    data[i] = i >= bigFrom * H * W ? Math.floor(rand() * 60000) : Math.floor(rand() * 9);
  return { data, shape: [T, H, W] };
}

function labelsOf(H: number, W: number, rois: number): Int32Array {
  return Int32Array.from({ length: H * W }, (_, p) => 1 + (Math.floor(p / W) * rois) / H);
}

const sameBits = (a: Float64Array, b: Float64Array) =>
  a.length === b.length &&
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const sameRows = (a: ArrayLike<number>[], b: ArrayLike<number>[]) =>
  a.length === b.length &&
  a.every((r, i) => r.length === b[i].length && Array.from(r).every((v, j) => Object.is(v, b[i][j])));

describe('planWindows', () => {
  it.each([
    [1000, 8, 8, 2],
    [1000, 8, 8, 3],
    [500, 1, 500, 2],
    [300, 4, 16, 3],
    [129, 8, 4, 2],
  ])('T %i, levels %i, nb %i, %i threads: each event exactly once, with its history', (T, levels, nb, threads) => {
    const windows = planWindows(T, levels, nb, threads, 8);
    expect(windows.length).toBeGreaterThanOrEqual(1);
    expect(windows.length).toBeLessThanOrEqual(threads);
    levelEvents(T, levels).forEach((n, L) => {
      let next = 0;
      for (const w of windows) {
        expect(w.emitLo[L]).toBe(next);
        next = w.emitHi[L];
        if (w.emitHi[L] > w.emitLo[L]) {
          // The frames of the emitted events and of their nb-1 predecessors are read.
          expect(w.t0).toBeLessThanOrEqual(Math.max(0, (w.emitLo[L] - (nb - 1)) * 2 ** L));
          expect(w.f1).toBeGreaterThanOrEqual(w.emitHi[L] * 2 ** L);
        }
      }
      expect(next).toBe(n);
    });
    for (const w of windows) expect(w.t0 % 2 ** (levels - 1)).toBe(0);
  });
});

describe('planSplit', () => {
  it('splits many similar ROIs by ROI and a single ROI by time', () => {
    expect(planSplit(Array(10).fill(4000), 1000, 65536, 8, 8, 2)?.by).toBe('rois');
    expect(planSplit([40000], 1000, 65536, 8, 8, 2)?.by).toBe('time');
    expect(planSplit([40000], 100, 65536, 8, 8, 2)).toBeUndefined(); // 100 frames < one 128-frame step
  });
});

describe('joined shares equal a whole engine run', () => {
  const H = 12,
    W = 10;
  const cases: Array<[string, Frames, number, number]> = [
    ['uint16, int16 ring engine', stack(300, H, W, 1), 5, 8],
    ['uint16, one level, all pairs (Gram kernel)', stack(200, H, W, 2), 1, 200],
    ['uint16 with large second half (float64 levels there)', stack(260, H, W, 3, 130), 4, 8],
    ['float64', stack(200, H, W, 4, 0, Float64Array), 3, 6],
  ];
  it.each(cases)('%s', (_name, frames, levels, nb) => {
    const [T] = frames.shape;
    const layout = roiLayout('test', readLabelMap('test', 'labels', labelsOf(H, W, 3), H * W));
    const src = { data: frames.data, kind: frameKind(frames), P: H * W };
    const whole = runEngine('test', src, T, layout, levels, nb);
    const check = (joined: EngineSums) => {
      expect(sameBits(joined.prod, whole.prod)).toBe(true);
      expect(sameBits(joined.sums, whole.sums)).toBe(true);
    };
    for (const threads of [2, 3]) {
      const parts = planWindows(T, levels, nb, threads, 8).map((w) =>
        runEngine(
          'test',
          { ...src, data: frames.data.subarray(w.t0 * H * W, w.f1 * H * W) },
          w.f1 - w.t0,
          layout,
          levels,
          nb,
          w,
        ),
      );
      check(joinWindows(parts, T));
    }
    const group = (r0: number, r1: number) => {
      const base = layout.roiStart[r0];
      return {
        pix: layout.pix.slice(base, layout.roiStart[r1]),
        roiStart: Int32Array.from(layout.roiStart.subarray(r0, r1 + 1), (v) => v - base),
        numPixels: layout.numPixels.slice(r0, r1),
      };
    };
    check(
      joinRoiGroups([
        runEngine('test', src, T, group(0, 1), levels, nb),
        runEngine('test', src, T, group(1, 3), levels, nb),
      ]),
    );
  });
});

describe('parallel correlators in every split and arithmetic mode', () => {
  it('multiTauAutoCorrParallel: one ROI (time split) and mixed int16/float64 levels', async () => {
    const frames = stack(520, 16, 16, 5, 260);
    for (const labels of [new Int32Array(256).fill(1), labelsOf(16, 16, 4)]) {
      const opts = { numLevels: 6, numBufs: 8 };
      const s = multiTauAutoCorr(frames, labels, opts);
      for (const threads of [2, 3]) {
        const p = await multiTauAutoCorrParallel(frames, labels, opts, { threads });
        expect(sameRows(p.g2, s.g2) && sameRows(p.G, s.G) && sameRows(p.pastIntensity, s.pastIntensity)).toBe(true);
      }
    }
  });
  it('twoTimeCorrParallel: all pairs (Gram kernel), uint16 and float32, by ROI and (one ROI) by time', async () => {
    for (const frames of [stack(180, 16, 16, 6), stack(120, 16, 16, 7, 0, Float32Array)]) {
      const opts = { numBufs: frames.shape[0] };
      for (const labels of [labelsOf(16, 16, 3), new Int32Array(256).fill(1)]) {
        const s = twoTimeCorr(frames, labels, opts);
        for (const threads of [2, 3]) {
          const p = await twoTimeCorrParallel(frames, labels, opts, { threads });
          expect(sameRows(p.g2, s.g2)).toBe(true);
          expect([p.lagSteps, p.roiLabels, p.numPixels, p.numFrames]).toEqual([
            s.lagSteps,
            s.roiLabels,
            s.numPixels,
            s.numFrames,
          ]);
        }
      }
    }
  });
});
