/**
 * The dense multi-tau path (DenseCorrSeries + the wasm kernel) against corr's per-pixel rows
 * (corrPixelMultiTau, default mode) on the same preprocessed frames, bit for bit: plain, with
 * dark/lld/sigma/flat field (including flat-field zeros) and with frame-sum normalisation; and
 * xpcsCorr's result for dense frames against the sparse-row path of the same data.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../simulate/random';
import { buildCorrBins } from './corr-bins';
import { DenseCorrSeries } from './corr-dense';
import { runCorrFilter } from './corr-filter';
import { corrPixelMultiTau, type CorrPixelSums } from './corr-multitau';
import { corrFrameCounts, parseXpcsCorrSettings, type XpcsCorrSettingsInput } from './corr-settings';
import { ArrayCorrSource, type CorrRawFrame } from './corr-source';
import { corrDelays, xpcsCorr } from './corr';

const H = 11;
const W = 13;
const T = 170;

function frames(pedestal: number): CorrRawFrame[] {
  const r = seededRandom(23);
  let level = Float64Array.from({ length: H * W }, () => r.uniform() * 3);
  return Array.from({ length: T }, (_, t) => {
    level = level.map((v) => 0.8 * v + 0.2 * r.uniform() * 3 * Math.exp(-t / 60));
    const dense = Uint16Array.from(
      level,
      (v) => pedestal + (r.uniform() < v / 4 ? Math.floor(v * 2 + r.uniform() * 2) : 0),
    );
    return { elapsed: t * 0.01, tick: t, dense };
  });
}

function settings(extra: Partial<XpcsCorrSettingsInput>): XpcsCorrSettingsInput {
  const dq = Array.from({ length: H * W }, (_, p) => 1 + (Math.floor(p / W) % 3));
  dq[7] = 0;
  return {
    shape: [H, W],
    dqmap: dq,
    sqmap: dq.map((q, p) => 2 * q - 1 + (p % 2)),
    dataBeginTodo: 1,
    dataEndTodo: 160,
    delaysPerLevel: 3,
    staticMeanWindowSize: 7,
    normFactor: null,
    ...extra,
  };
}

function sameBits(a: CorrPixelSums, b: CorrPixelSums): void {
  for (const k of ['G2', 'IP', 'IF'] as const)
    for (let i = 0; i < a[k].length; i++)
      if (!Object.is(a[k][i], b[k][i])) expect.fail(`${k}[${i}]: ${a[k][i]} != ${b[k][i]}`);
}

const CASES: Array<[string, number, Partial<XpcsCorrSettingsInput>]> = [
  ['plain', 0, {}],
  [
    'dark + lld + sigma + flat field with zeros',
    6,
    {
      darkBeginTodo: 161,
      darkEndTodo: 170,
      lld: 0.5,
      sigma: 0.2,
      flatfield: Array.from({ length: H * W }, (_, p) => (p % 11 === 0 ? 0 : 0.7 + (p % 5) * 0.1)),
    },
  ],
  [
    'frame-sum normalisation, stride 2, avg 2',
    0,
    { normalizeByFramesum: true, strideFrames: 2, avgFrames: 2, dataEndTodo: 168 },
  ],
];

describe('dense multi-tau path', () => {
  it.each(CASES)('kernel sums equal the rows: %s', (_name, pedestal, extra) => {
    const s = parseXpcsCorrSettings('test', settings(extra));
    const bins = buildCorrBins('test', s);
    const N = corrFrameCounts(s).frames;
    const dense = new DenseCorrSeries(bins, N);
    const p = runCorrFilter('test', s, bins, new ArrayCorrSource(false, frames(pedestal)), (f, px, v, n) =>
      dense.add(f, px, v, n),
    );
    if (s.normalizeByFramesum) dense.normalizeByFramesum(p.frameMean);
    expect(dense.finite()).toBe(true);
    const delays = corrDelays(N, s.delaysPerLevel);
    const nd = delays.length;
    const rows: CorrPixelSums = {
      G2: new Float64Array(nd * dense.slots),
      IP: new Float64Array(nd * dense.slots),
      IF: new Float64Array(nd * dense.slots),
      slots: dense.slots,
    };
    dense.rows().forEach((r, px) => r && corrPixelMultiTau(r, N, delays, false, rows, dense.slotOf[px]));
    sameBits(dense.sums(delays), rows);
  });

  it.each([
    ['plain', {}, false],
    [
      // frame 5 has counts only where the flat field is 0: its frame sum is 0 and its stored values
      // become 0/0 = NaN after frame-sum normalisation, so the dense series falls back to the rows
      'frame-sum normalisation of an all-zero frame (NaN values: row fallback)',
      { normalizeByFramesum: true, flatfield: Array.from({ length: H * W }, (_, p) => (p < 3 ? 0 : 1)) },
      true,
    ],
  ] as Array<[string, Partial<XpcsCorrSettingsInput>, boolean]>)(
    'xpcsCorr on dense frames equals the sparse-row path of the same counts: %s',
    (_name, extra, zeroFrame) => {
      // Without dark or threshold, corr stores exactly the non-zero counts: a sparse source holding
      // them goes through the rows, the dense source through the kernel (or its row fallback).
      const dense = frames(0);
      if (zeroFrame) dense[5].dense = Uint16Array.from({ length: H * W }, (_, p) => (p < 3 ? 2 : 0));
      const sparse = dense.map((f) => {
        const idx = Array.from({ length: H * W }, (_, p) => p).filter((p) => f.dense![p] > 0);
        return { elapsed: f.elapsed, tick: f.tick, indices: idx, values: idx.map((p) => f.dense![p]) };
      });
      const a = xpcsCorr(new ArrayCorrSource(false, dense), settings({ g2out: true, ...extra }));
      const b = xpcsCorr(new ArrayCorrSource(true, sparse), settings({ g2out: true, ...extra }));
      if (zeroFrame) expect(a.datasets.get('G2')!.data.some((v) => Number.isNaN(v))).toBe(true);
      for (const [k, v] of a.datasets) {
        const w = b.datasets.get(k)!;
        for (let i = 0; i < v.data.length; i++) if (!Object.is(v.data[i], w.data[i])) expect.fail(`${k}[${i}]`);
      }
    },
  );
});
