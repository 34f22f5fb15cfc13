import { afterAll, describe, expect, it } from 'vitest';
import { lcg } from '../../../../test/support/helpers';
import { isStagebookError } from '../../errors/stagebook-error';
import type { Frames } from '../frames';
import { closeWorkerPool } from '../parallel/pool';
import {
  multiTauAutoCorr,
  multiTauAutoCorrParallel,
  oneTimeFromTwoTime,
  twoTimeCorr,
  twoTimeCorrParallel,
  xpcsMultiTau,
  xpcsMultiTauParallel,
} from './index';

afterAll(() => closeWorkerPool());

function rings(H: number, W: number, n: number): Int32Array {
  const labels = new Int32Array(H * W);
  for (let r = 0; r < H; r++)
    for (let c = 0; c < W; c++) {
      const b = Math.floor(Math.hypot(r - H / 2, c - W / 2) / (H / 2 / n));
      labels[r * W + c] = b < n ? b + 1 : 0;
    }
  return labels;
}

function counts(T: number, H: number, W: number, seed: number): Frames {
  const rand = lcg(seed);
  return { data: Uint16Array.from({ length: T * H * W }, () => Math.floor(rand() * 12)), shape: [T, H, W] };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isStagebookError(e) ? `${e.code}: ${e.message}` : `not a StagebookError: ${String(e)}`;
  }
  return 'no error';
}

describe('validation (StagebookError with the function and parameter named)', () => {
  const frames = counts(4, 4, 4, 1);
  const labels = rings(4, 4, 2);
  it('rejects a wrong frames shape / data length', () => {
    expect(
      codeOf(() =>
        multiTauAutoCorr({ data: new Uint16Array(10), shape: [4, 4, 4] }, labels, { numLevels: 1, numBufs: 2 }),
      ),
    ).toMatch(/^E_INVALID_SHAPE: multiTauAutoCorr: frames.data has 10 values/);
    expect(
      codeOf(() =>
        twoTimeCorr({ data: new Uint16Array(16), shape: [4, 4] as unknown as [number, number, number] }, labels, {
          numBufs: 2,
        }),
      ),
    ).toMatch(/^E_INVALID_SHAPE: twoTimeCorr: frames.shape/);
  });
  it('rejects labels whose length is not H*W', () => {
    expect(codeOf(() => multiTauAutoCorr(frames, new Int32Array(15), { numLevels: 1, numBufs: 2 }))).toMatch(
      /^E_INVALID_SHAPE: multiTauAutoCorr: labels has 15 values but the frames have H\*W = 16/,
    );
    expect(codeOf(() => xpcsMultiTau(frames, labels, new Int32Array(3), { delaysPerLevel: 1 }))).toMatch(
      /^E_INVALID_SHAPE: xpcsMultiTau: sqmap has 3 values/,
    );
  });
  it('rejects NaN in float frames', () => {
    const data = new Float64Array(64).fill(1);
    data[37] = NaN;
    expect(codeOf(() => multiTauAutoCorr({ data, shape: [4, 4, 4] }, labels, { numLevels: 1, numBufs: 2 }))).toMatch(
      /^E_NON_FINITE: multiTauAutoCorr: frames contain NaN/,
    );
    expect(codeOf(() => xpcsMultiTau({ data, shape: [4, 4, 4] }, labels, labels, { delaysPerLevel: 1 }))).toMatch(
      /^E_NON_FINITE: xpcsMultiTau/,
    );
  });
  it('rejects odd or too small numBufs and numLevels < 1', () => {
    expect(codeOf(() => multiTauAutoCorr(frames, labels, { numLevels: 2, numBufs: 5 }))).toMatch(
      /^E_INVALID_ARGUMENT: multiTauAutoCorr: numBufs must be even/,
    );
    expect(codeOf(() => multiTauAutoCorr(frames, labels, { numLevels: 2, numBufs: 0 }))).toMatch(
      /^E_INVALID_ARGUMENT: multiTauAutoCorr: numBufs must be an integer >= 2/,
    );
    expect(codeOf(() => multiTauAutoCorr(frames, labels, { numLevels: 0, numBufs: 4 }))).toMatch(
      /^E_INVALID_ARGUMENT: multiTauAutoCorr: numLevels must be an integer >= 1/,
    );
    expect(codeOf(() => twoTimeCorr(frames, labels, { numBufs: 3 }))).toMatch(
      /^E_INVALID_ARGUMENT: twoTimeCorr: numBufs must be even/,
    );
    expect(codeOf(() => xpcsMultiTau(frames, labels, labels, { delaysPerLevel: 0 }))).toMatch(
      /^E_INVALID_ARGUMENT: xpcsMultiTau: delaysPerLevel/,
    );
  });
  it('rejects empty frames and label maps without any ROI', () => {
    expect(
      codeOf(() =>
        multiTauAutoCorr({ data: new Uint16Array(0), shape: [0, 4, 4] }, labels, { numLevels: 1, numBufs: 2 }),
      ),
    ).toMatch(/^E_EMPTY_INPUT: multiTauAutoCorr: frames is empty/);
    expect(codeOf(() => twoTimeCorr(frames, new Int32Array(16), { numBufs: 2 }))).toMatch(
      /^E_EMPTY_INPUT: twoTimeCorr: labels has no nonzero pixel/,
    );
  });
  it('rejects non-integer labels and a numFrames below T', () => {
    const bad = Array.from(labels, (v) => v + 0.5);
    expect(codeOf(() => multiTauAutoCorr(frames, bad, { numLevels: 1, numBufs: 2 }))).toMatch(
      /^E_INVALID_ARGUMENT: multiTauAutoCorr: labels\[0\] must be an integer/,
    );
    expect(codeOf(() => twoTimeCorr(frames, labels, { numBufs: 2, numFrames: 3 }))).toMatch(
      /^E_INVALID_ARGUMENT: twoTimeCorr: numFrames \(3\)/,
    );
  });
});

describe('parallel variants are bit-identical to the serial functions', () => {
  const frames = counts(150, 24, 20, 5);
  const labels = rings(24, 20, 5);
  const same = (a: ArrayLike<number>[], b: ArrayLike<number>[]) =>
    a.length === b.length &&
    a.every((row, i) => row.length === b[i].length && Array.from(row).every((v, j) => Object.is(v, b[i][j])));
  it('multiTauAutoCorrParallel (uint16 and float64 frames)', async () => {
    const opts = { numLevels: 5, numBufs: 8 };
    const s = multiTauAutoCorr(frames, labels, opts);
    const p = await multiTauAutoCorrParallel(frames, labels, opts, { threads: 2 });
    expect(
      same(p.g2, s.g2) &&
        same(p.G, s.G) &&
        same(p.pastIntensity, s.pastIntensity) &&
        same(p.futureIntensity, s.futureIntensity),
    ).toBe(true);
    const rand = lcg(9);
    const f64: Frames = { data: Float64Array.from(frames.data, (v) => v * (0.5 + rand())), shape: frames.shape };
    const sf = multiTauAutoCorr(f64, labels, opts);
    const pf = await multiTauAutoCorrParallel(f64, labels, opts, { threads: 2 });
    expect(same(pf.g2, sf.g2) && same(pf.G, sf.G)).toBe(true);
  });
  it('twoTimeCorrParallel (two levels)', async () => {
    const opts = { numBufs: 10, numLevels: 2 };
    const s = twoTimeCorr(frames, labels, opts);
    const p = await twoTimeCorrParallel(frames, labels, opts, { threads: 2 });
    expect(same(p.g2, s.g2)).toBe(true);
  });
  it('xpcsMultiTauParallel', async () => {
    const s = xpcsMultiTau(frames, labels, rings(24, 20, 10), { delaysPerLevel: 4 });
    const p = await xpcsMultiTauParallel(frames, labels, rings(24, 20, 10), { delaysPerLevel: 4 }, { threads: 2 });
    expect(same(p.g2, s.g2) && same(p.stderr, s.stderr)).toBe(true);
    expect(p.taus).toEqual(s.taus);
  });
});

/**
 * Synthetic speckle: each pixel's field is an AR(1) complex Gaussian process with correlation
 * exp(-1/tau) per frame, so |g1(lag)| = exp(-lag/tau) and the intensity I = |E|^2 has
 * g2 = 1 + beta exp(-2 lag / tau) with beta = 1 (fully coherent, Siegert relation).
 */
function speckle(T: number, H: number, W: number, tauOf: (p: number) => number, seed: number): Frames {
  const rand = lcg(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand());
  const P = H * W;
  const data = new Float64Array(T * P);
  for (let p = 0; p < P; p++) {
    const a = Math.exp(-1 / tauOf(p));
    const s = Math.sqrt((1 - a * a) / 2);
    let re = gauss() / Math.SQRT2,
      im = gauss() / Math.SQRT2;
    for (let t = 0; t < T; t++) {
      data[t * P + p] = re * re + im * im;
      re = a * re + s * gauss();
      im = a * im + s * gauss();
    }
  }
  return { data, shape: [T, H, W] };
}

describe('physics: synthetic speckle with a known decay', () => {
  const H = 32,
    W = 32,
    T = 1200;
  const labels = Int32Array.from({ length: H * W }, (_, p) => (p % W < W / 2 ? 1 : 2));
  const taus = [4, 16];
  const frames = speckle(T, H, W, (p) => taus[labels[p] - 1], 3);
  it('multiTauAutoCorr g2 follows 1 + exp(-2 lag / tau) at lags 1..7 (level 0)', () => {
    const r = multiTauAutoCorr(frames, labels, { numLevels: 1, numBufs: 8 });
    for (let i = 1; i < 8; i++)
      for (let q = 0; q < 2; q++) {
        expect(Math.abs(r.g2[i][q] - (1 + Math.exp((-2 * r.lagSteps[i]) / taus[q])))).toBeLessThan(0.08);
      }
    expect(r.g2[0][0]).toBeGreaterThan(1.8); // lag 0: <I^2>/<I>^2 = 2 for exponential intensities
  });
  it('xpcsMultiTau g2 decays from ~2 to ~1 and the faster ROI decays first', () => {
    const r = xpcsMultiTau(frames, labels, labels, { delaysPerLevel: 4 });
    const at = (tau: number) => r.g2[r.taus.indexOf(tau)];
    expect(Math.abs(at(1)[0] - (1 + Math.exp(-2 / 4)))).toBeLessThan(0.08);
    expect(Math.abs(at(8)[1] - (1 + Math.exp((-2 * 8) / 16)))).toBeLessThan(0.08);
    expect(at(64)[0]).toBeLessThan(1.05);
    // Standard error of the per-pixel g2 mean: positive and small where many frames contribute.
    expect(r.stderr.slice(0, 16).every((row) => row.every((v) => v > 0 && v < 0.1))).toBe(true);
  });
  it('oneTimeFromTwoTime agrees with the one-time g2 at small lags', () => {
    const small = speckle(300, 16, 16, () => 6, 4);
    const lab = new Int32Array(256).fill(1);
    const one = oneTimeFromTwoTime(twoTimeCorr(small, lab, { numBufs: 300 }))[0];
    for (let lag = 1; lag < 6; lag++) expect(Math.abs(one[lag] - (1 + Math.exp((-2 * lag) / 6)))).toBeLessThan(0.12);
  });
});
