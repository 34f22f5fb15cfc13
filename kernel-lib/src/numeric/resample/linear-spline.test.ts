/**
 * The degree-1 spline against scipy 1.10's splrep(k=1, s=0) + splev (Debian python3-scipy, run in a
 * child process on the same inputs): bit-identical values inside, on the knots, and extrapolated
 * beyond both ends. Skipped (with the reason printed) only when python3-scipy is not installed.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { evalLinearSpline, linearSpline } from './linear-spline';

const PY = '/usr/bin/python3';
const hasScipy = spawnSync(PY, ['-c', 'import scipy.interpolate'], { encoding: 'utf8' }).status === 0;
if (!hasScipy) console.warn('linear-spline.test: python3-scipy missing, the scipy comparison is skipped');

function scipySplev(x: number[], y: number[], t: number[]): number[] {
  const script = `
import json, sys
from scipy.interpolate import splrep, splev
d = json.load(sys.stdin)
tck = splrep(d['x'], d['y'], k=1, s=0)
print(json.dumps([repr(float(v)) for v in splev(d['t'], tck)]))`;
  const r = spawnSync(PY, ['-c', script], { input: JSON.stringify({ x, y, t }), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  // repr() is Python's shortest round-trip form: Number() reads back the same double.
  return (JSON.parse(r.stdout) as string[]).map(Number);
}

/** Deterministic pseudo-random numbers (LCG). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('linearSpline / evalLinearSpline (splrep k=1 s=0 + splev)', () => {
  it('interpolates linearly and extrapolates the end segments (hand-checked)', () => {
    const s = linearSpline([0, 10, 20], [1, 3, 2]);
    expect(Array.from(evalLinearSpline(s, [0, 5, 10, 15, 20, -10, 30]))).toEqual([1, 2, 3, 2.5, 2, -1, 1]);
  });

  it.skipIf(!hasScipy)('is bit-identical to scipy on XRS-like times (knots, fractions, beyond both ends)', () => {
    const r = rng(7);
    const x: number[] = [];
    const y: number[] = [];
    let t0 = 1297199460.123;
    for (let i = 0; i < 400; i++) {
      t0 += 2 + (r() < 0.05 ? 30 * r() : 0.001 * r());
      x.push(t0);
      y.push(1e-6 * (1 + 5 * r()) * (r() < 0.01 ? 100 : 1));
    }
    const t: number[] = [x[0] - 0.5, x[0] - 61, x[399] + 0.9, x[399] + 120, x[0], x[399], x[17], x[200]];
    for (let k = 0; k < 200; k++) t.push(Math.floor(x[0]) + 60 * k * r() * 0.3);
    const ours = Array.from(evalLinearSpline(linearSpline(x, y), t));
    expect(ours).toEqual(scipySplev(x, y, t));
  });

  it('refuses what FITPACK refuses: repeated or decreasing x, one point, NaN, mismatched lengths', () => {
    expect(() => linearSpline([0, 1, 1], [1, 2, 3])).toThrow(/strictly increasing \(x\[2\]/);
    expect(() => linearSpline([0], [1])).toThrow(/needs at least 2/);
    expect(() => linearSpline([0, NaN], [1, 2])).toThrow(/x\[1\] is NaN/);
    expect(() => linearSpline([0, 1], [1])).toThrow(/x has 2 points, y has 1/);
    expect(() => evalLinearSpline(linearSpline([0, 1], [1, 2]), [Infinity])).toThrow(/t\[0\] is Infinity/);
  });
});
