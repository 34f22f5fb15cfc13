/**
 * PlainFrameRouter (routePlainFrame in WebAssembly) against a plain JavaScript statement of what it
 * must do, bit for bit: products (per-pixel, partition and window sums, the frame sum), routing to
 * lanes with slot codes, division by `norm`; frames it must refuse leave everything untouched; its
 * buffers grow for a frame larger than any before. (The stream's end-to-end bit-identity with the
 * in-memory path is in corr-stream.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { PlainFrameRouter } from './corr-plain-router';
import type { CorrFilterProducts } from './corr-filter';
import { seededRandom } from '../../simulate/random';

const PX = 60 * 50;
const S = 7;
const WINDOWS = 4;
const BITS = 2;

function products(): CorrFilterProducts {
  return {
    frames: 0,
    pixelSum: new Float64Array(PX),
    frameMean: new Float64Array(0),
    partitionSum: new Float64Array(S),
    partialSum: new Float64Array(S * WINDOWS),
    clock: new Float64Array(0),
    tick: new Float64Array(0),
    darkAvg: null,
    darkStd: null,
  };
}

const r = seededRandom(5);
// Every 5th pixel invalid (bin 0); routes: lanes 0..2 with slots, -1 for a quarter of the valid ones.
const sbin = Int32Array.from({ length: PX }, (_, p) => (p % 5 === 0 ? 0 : 1 + (p % S)));
const route = Int32Array.from(sbin, (b, p) => (b === 0 || p % 4 === 1 ? -1 : (Math.floor(p / 3) << BITS) | (p % 3)));

function frame(n: number): { idx: Uint32Array; val: Uint16Array } {
  const picked = new Set<number>();
  while (picked.size < n) picked.add(Math.floor(r.uniform() * PX));
  const idx = Uint32Array.from([...picked].sort((a, b) => a - b));
  return { idx, val: Uint16Array.from(idx, () => Math.floor(r.uniform() * 70000) % 65536) };
}

/** What the router must do, as plain JavaScript (the order of additions of corr-filter.ts). */
function reference(out: CorrFilterProducts, idx: Uint32Array, val: Uint16Array, at: number, norm?: number) {
  const lanes: Array<{ slots: number[]; values: number[] }> = [0, 1, 2].map(() => ({ slots: [], values: [] }));
  let fsum = 0;
  for (let k = 0; k < idx.length; k++) {
    const p = idx[k];
    if (sbin[p] === 0) continue;
    const v = val[k];
    out.pixelSum[p] += v;
    fsum += v;
    out.partitionSum[sbin[p] - 1] += v;
    out.partialSum[at + sbin[p] - 1] += v;
    if (route[p] < 0) continue;
    lanes[route[p] & 3].slots.push(route[p] >>> BITS);
    lanes[route[p] & 3].values.push(norm === undefined ? v : v / norm);
  }
  return { fsum, lanes };
}

function expectBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string) {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect.fail(`${what}[${i}]: ${a[i]} != ${b[i]}`);
}

describe('PlainFrameRouter', () => {
  it('adds the products and routes each lane as the JavaScript path does, bit for bit (buffers grow for a larger frame)', () => {
    const router = new PlainFrameRouter(sbin, 3, BITS);
    router.setRoute(route);
    const ours = products();
    const ref = products();
    // 1500 events: more than the router's first buffers (1024) hold; then smaller and larger ones.
    [300, 1500, 40, 2900, 0, 800].forEach((n, f) => {
      const { idx, val } = frame(n);
      const norm = f % 2 ? 1.7 + f : undefined;
      const at = S * (f % WINDOWS);
      const want = reference(ref, idx, val, at, norm);
      const fsum = router.frame(idx, val, at, ours, norm);
      expect(Object.is(fsum, want.fsum), `frame ${f} sum`).toBe(true);
      for (let i = 0; i < 3; i++) {
        expect(router.count(i)).toBe(want.lanes[i].slots.length);
        expectBits(router.slots(i), want.lanes[i].slots, `frame ${f} lane ${i} slots`);
        expectBits(router.values(i), want.lanes[i].values, `frame ${f} lane ${i} values`);
      }
    });
    router.take(ours);
    expectBits(ours.pixelSum, ref.pixelSum, 'pixelSum');
    expectBits(ours.partitionSum, ref.partitionSum, 'partitionSum');
    expectBits(ours.partialSum, ref.partialSum, 'partialSum');
  });

  it('refuses, touching nothing, a frame with repeated, unsorted or out-of-detector indices, or of other array types', () => {
    const router = new PlainFrameRouter(sbin, 3, BITS);
    router.setRoute(route);
    const out = products();
    const { idx, val } = frame(200);
    router.frame(idx, val, 0, out);
    router.take(out);
    const before = [out.pixelSum.slice(), out.partitionSum.slice(), out.partialSum.slice()];
    const refused: Array<[string, ArrayLike<number>, ArrayLike<number>]> = [
      ['repeated', Uint32Array.from([3, 7, 7, 9]), Uint16Array.from([1, 1, 1, 1])],
      ['unsorted', Uint32Array.from([3, 9, 7]), Uint16Array.from([1, 1, 1])],
      ['outside the detector', Uint32Array.from([3, PX]), Uint16Array.from([1, 1])],
      ['number[] indices', [3, 7], Uint16Array.from([1, 1])],
      ['u32 counts', Uint32Array.from([3, 7]), Uint32Array.from([1, 1])],
    ];
    for (const [why, i, v] of refused) expect(router.frame(i, v, 0, out), why).toBe(-1);
    router.take(out);
    expectBits(out.pixelSum, before[0], 'pixelSum');
    expectBits(out.partitionSum, before[1], 'partitionSum');
    expectBits(out.partialSum, before[2], 'partialSum');
  });

  it('without products it only routes (the later passes), from its compact route table', () => {
    const router = new PlainFrameRouter(sbin, 3, BITS);
    router.setRoute(route);
    const { idx, val } = frame(700);
    const want = reference(products(), idx, val, 0);
    expect(router.frame(idx, val, 0, null)).toBe(0);
    for (let i = 0; i < 3; i++) expectBits(router.slots(i), want.lanes[i].slots, `lane ${i} slots`);
    // A new route (the next pass) replaces the old one in both tables.
    const next = Int32Array.from(route, (c) => (c < 0 ? 0 : -1));
    router.setRoute(next);
    router.frame(idx, val, 0, null);
    expect(router.count(0)).toBe([...idx].filter((p) => next[p] === 0).length);
    expect(router.count(1) + router.count(2)).toBe(0);
  });
});
