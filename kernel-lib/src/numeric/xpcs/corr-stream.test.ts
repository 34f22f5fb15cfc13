/**
 * The streaming multi-tau (xpcsCorrStream) against the in-memory path (xpcsCorr), bit for bit, on
 * data that fits both: dense and sparse sources, gaps, stride/avg, dark, flat field, frame-sum
 * normalisation, and a budget small enough to force several pixel blocks (passes).
 */
import { describe, expect, it } from 'vitest';
import { ArrayCorrSource, xpcsCorr, xpcsCorrStream, type CorrRawFrame, type XpcsCorrSettingsInput } from './index';
import { seededRandom } from '../../simulate/random';

const H = 12;
const W = 14;

function frames(T: number, seed: number, sparse: boolean, pedestal = 0): CorrRawFrame[] {
  const r = seededRandom(seed);
  const rnd = () => r.uniform();
  const out: CorrRawFrame[] = [];
  let level = Float64Array.from({ length: H * W }, () => rnd() * 3);
  for (let t = 0; t < T; t++) {
    level = level.map((v) => 0.8 * v + 0.2 * rnd() * 3 * Math.exp(-t / 60));
    const dense = Uint16Array.from(level, (v) => pedestal + (rnd() < v / 4 ? Math.floor(v * 2 + rnd() * 2) : 0));
    if (!sparse) out.push({ elapsed: t * 0.01, tick: t, dense });
    else {
      // As an IMM frame comes: u32 indices, u16 counts (the stream routes these in WebAssembly).
      const idx = Uint32Array.from([...dense.keys()].filter((p) => dense[p] > 0 || p % 37 === t % 37));
      out.push({ elapsed: t * 0.01, tick: t, indices: idx, values: Uint16Array.from(idx, (p) => dense[p]) });
    }
  }
  return out;
}

function settings(extra: Partial<XpcsCorrSettingsInput> = {}): XpcsCorrSettingsInput {
  const dq = Array.from({ length: H * W }, (_, p) => 1 + (Math.floor(p / W) % 3));
  const sq = dq.map((q, p) => 2 * q - 1 + (p % 2));
  dq[5] = 0;
  return {
    shape: [H, W],
    dqmap: dq,
    sqmap: sq,
    dataBeginTodo: 1,
    dataEndTodo: 150,
    delaysPerLevel: 3,
    staticMeanWindowSize: 7,
    normFactor: null,
    ...extra,
  };
}

function expectSame(
  a: Map<string, { data: Float64Array; shape: number[] }>,
  b: Map<string, { data: Float64Array; shape: number[] }>,
) {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [k, v] of a) {
    const w = b.get(k)!;
    expect(w.shape, k).toEqual(v.shape);
    for (let i = 0; i < v.data.length; i++)
      if (!Object.is(v.data[i], w.data[i])) expect.fail(`${k}[${i}]: ${w.data[i]} != ${v.data[i]}`);
  }
}

const CASES: Array<[string, boolean, Partial<XpcsCorrSettingsInput>, number]> = [
  ['dense, plain', false, {}, 1 << 30],
  ['sparse with stored zeros, gaps, 5 blocks', true, {}, 4000],
  ['sparse with stored zeros, one block', true, {}, 1 << 30],
  [
    'dense, dark + lld + sigma + flat field, 3 blocks',
    false,
    {
      darkBeginTodo: 151,
      darkEndTodo: 160,
      dataEndTodo: 150,
      lld: 0.5,
      sigma: 0.3,
      flatfield: Array.from({ length: H * W }, (_, p) => 0.8 + (p % 5) * 0.1),
    },
    9000,
  ],
  [
    'sparse, stride 2, avg 3, frame-sum normalisation, 4 blocks',
    true,
    { strideFrames: 2, avgFrames: 3, normalizeByFramesum: true },
    6000,
  ],
];

const THREADED = CASES.flatMap(([name, sparse, extra, budget]) =>
  [1, 2, 3].map((threads) => [`${name}, ${threads} thread(s)`, sparse, extra, budget, threads] as const),
);

describe('xpcsCorrStream is bit-identical to xpcsCorr', () => {
  it.each(THREADED)('%s', (_name, sparse, extra, budget, threads) => {
    const src = () => new ArrayCorrSource(sparse, frames(160, 11, sparse, extra.darkEndTodo ? 5 : 0));
    const mem = xpcsCorr(src(), settings(extra));
    const str = xpcsCorrStream(src(), settings(extra), { memoryBudgetBytes: budget, threads });
    expectSame(mem.datasets, str.datasets);
    if (budget < 1e6) expect(str.passes).toBeGreaterThan(1);
  });

  it.each([
    ['tiny batches', { batchFrames: 5, batchEvents: 50 }],
    ['one frame per batch', { batchFrames: 1 }],
    ['one batch for every frame', { batchFrames: 1 << 12, batchEvents: 1 << 20 }],
  ])('sparse, batches: %s', (_name, kernel) => {
    const src = () => new ArrayCorrSource(true, frames(160, 12, true));
    const mem = xpcsCorr(src(), settings());
    const str = xpcsCorrStream(src(), settings(), { memoryBudgetBytes: 5000, kernel, threads: 1 });
    expectSame(mem.datasets, str.datasets);
    expect(str.passes).toBeGreaterThan(1);
  });

  it.each([1, 2, 31])('sparse, %i delays per level (the ring mask reaches 63 level-frames)', (dpl) => {
    const src = () => new ArrayCorrSource(true, frames(160, 13, true));
    const mem = xpcsCorr(src(), settings({ delaysPerLevel: dpl }));
    const str = xpcsCorrStream(src(), settings({ delaysPerLevel: dpl }), { memoryBudgetBytes: 30_000 });
    expectSame(mem.datasets, str.datasets);
  });

  it('plain sparse frames (fast path in runCorrFilter) give the bits of the same frames listed out of order', () => {
    const ordered = frames(160, 13, true);
    const shuffled = ordered.map((f) => ({
      ...f,
      indices: [...(f.indices as Uint32Array)].reverse(),
      values: [...(f.values as Uint16Array)].reverse(),
    }));
    const fast = xpcsCorr(new ArrayCorrSource(true, ordered), settings());
    const general = xpcsCorr(new ArrayCorrSource(true, shuffled), settings());
    expectSame(general.datasets, fast.datasets);
    const streamed = xpcsCorrStream(new ArrayCorrSource(true, shuffled), settings(), { threads: 2 });
    expectSame(general.datasets, streamed.datasets);
  });

  it.each([
    [1, false],
    [2, false],
    [1, true],
    [2, true],
  ])(
    'frames the WebAssembly router takes and frames it cannot (repeated or number[] indices), interleaved: %i thread(s), frame-sum normalisation %s',
    (threads, normalizeByFramesum) => {
      // Every third frame is listed out of order with one pixel repeated: the general path sums it,
      // the router refuses it, so the products pass back and forth between the two (take/give).
      const mixed = frames(160, 14, true).map((f, t) => {
        if (t % 3 !== 1) return f;
        const idx = [...(f.indices as Uint32Array)].reverse();
        const val = [...(f.values as Uint16Array)].reverse();
        return { ...f, indices: [...idx, idx[0]], values: [...val, 1] };
      });
      const extra = { normalizeByFramesum };
      const mem = xpcsCorr(new ArrayCorrSource(true, mixed), settings(extra));
      const str = xpcsCorrStream(new ArrayCorrSource(true, mixed), settings(extra), {
        memoryBudgetBytes: 9000,
        threads,
      });
      expectSame(mem.datasets, str.datasets);
      expect(str.passes).toBeGreaterThan(1);
    },
  );

  it('refuses an invalid thread count, naming options.threads', () => {
    for (const threads of [0, 1.5, 65, '2'])
      expect(() =>
        xpcsCorrStream(new ArrayCorrSource(false, frames(20, 1, false)), settings({ dataEndTodo: 20 }), {
          threads: threads as number,
        }),
      ).toThrow(/options\.threads/);
  });

  it('refuses what it does not stream, naming the setting', () => {
    expect(() =>
      xpcsCorrStream(new ArrayCorrSource(true, frames(160, 1, true)), settings({ delaysPerLevel: 32 })),
    ).toThrow(/settings.delaysPerLevel/);
    expect(() =>
      xpcsCorrStream(
        new ArrayCorrSource(false, frames(20, 1, false)),
        settings({ compat: 'xpcs-eigen', dataEndTodo: 20 }),
      ),
    ).toThrow(/settings.compat/);
    expect(() =>
      xpcsCorrStream(new ArrayCorrSource(false, frames(20, 1, false)), settings({ g2out: true, dataEndTodo: 20 })),
    ).toThrow(/settings.g2out/);
  });
});
