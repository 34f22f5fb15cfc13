import { describe, expect, it } from 'vitest';
import { expectStagebookError as expectThrows, python } from '../../../../test/support/helpers';
import { resampleLinear, splev, splrepLinear } from './index';

describe('splrepLinear / splev against scipy.interpolate', () => {
  it('reproduces tck and ext=0 values on irregular data, unsorted query points and extrapolation', () => {
    let s = 12345;
    const u = () => (s = (Math.imul(1664525, s) + 1013904223) >>> 0) / 2 ** 32;
    const x: number[] = [];
    for (let i = 0, t = 1.3e9; i < 300; i++) x.push((t += 1 + 30 * u()));
    const y = x.map(() => 1e-6 * (u() - 0.3));
    const xNew = Array.from({ length: 400 }, () => x[0] - 500 + (x[299] - x[0] + 1000) * u()).concat(x.slice(0, 50));
    const ref = python(
      't, c, k = si.splrep(D[0], D[1], k=1, s=0)\nprint(json.dumps({"t": t.tolist(), "c": c.tolist(), "y": si.splev(D[2], (t, c, k)).tolist()}))',
      [x, y, xNew],
    );
    const tck = splrepLinear(x, y);
    expect(Array.from(tck.t)).toEqual(ref.t);
    const scale = 1e-12 * Math.max(...y.map(Math.abs));
    tck.c.forEach((v, i) => expect(Math.abs(v - ref.c[i])).toBeLessThanOrEqual(scale));
    const yNew = splev(xNew, tck);
    yNew.forEach((v, i) => expect(Math.abs(v - ref.y[i])).toBeLessThanOrEqual(scale));
    expect(Array.from(resampleLinear(x, y, xNew))).toEqual(Array.from(yNew));
  });

  it('passes NaN query points through as NaN', () => {
    expect(splev([NaN, 0.5], splrepLinear([0, 1], [0, 2]))[0]).toBeNaN();
  });
});

describe('splrepLinear errors', () => {
  it('rejects too few points, unsorted and duplicate x, mismatched lengths, NaN', () => {
    expectThrows(() => splrepLinear([1], [1]), /splrepLinear: x has 1 points, needs at least 2/);
    expectThrows(() => splrepLinear([0, 2, 1], [0, 1, 2]), /x must be increasing \(scipy: 'Error on input data'\)/);
    expectThrows(() => splrepLinear([0, 1, 1, 3], [0, 1, 2, 3]), /duplicate x value 1 at indices 1 and 2/);
    expectThrows(() => splrepLinear([0, 1], [0]), /same length/);
    expectThrows(() => splrepLinear([0, NaN], [0, 1]), /x\[1\] is NaN/);
    expectThrows(
      () => splev([0], { t: new Float64Array([0, 0, 1, 1]), c: new Float64Array([0, 1, 0, 0]), k: 3 as 1 }),
      /splev: tck.k must be 1/,
    );
  });
});
