import { describe, expect, it } from 'vitest';
import { expectStagebookError as expectThrows, lcg, python } from '../../../../test/support/helpers';
import { filtfilt, lfilter, lfilterZi } from './index';

function expectClose(actual: ArrayLike<number>, expected: number[], atol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThanOrEqual(atol);
}

const r = lcg(99, -0.5);
const x = Array.from({ length: 500 }, (_, i) => Math.sin(i / 13) + r());
// butter(4, 0.1) (nc = 5, generic path), a biquad with a[0] != 1 (nc = 3 path), a 7-tap FIR.
const filters: { name: string; b: number[]; a: number[] }[] = [
  {
    name: 'butter4',
    ...python("b, a = ss.butter(4, 0.1)\nprint(json.dumps({'b': b.tolist(), 'a': a.tolist()}))", null),
  },
  { name: 'biquad a0=2', b: [0.2, 0.4, 0.2], a: [2, -1.1, 0.4] },
  { name: 'fir7', b: [1, 2, 3, 4, 3, 2, 1].map((v) => v / 16), a: [1] },
  { name: 'iir1', b: [0.1], a: [1, -0.9] },
];

describe.each(filters)('$name against scipy.signal', ({ b, a }) => {
  const ref = python(
    `b, a, x = D
zi = ss.lfilter_zi(b, a)
y, zf = ss.lfilter(b, a, x, zi=zi * 0.5)
out = {'zi': zi.tolist(), 'y0': ss.lfilter(b, a, x).tolist(), 'y': y.tolist(), 'zf': zf.tolist()}
for pt in ['odd', 'even', 'constant', None]:
    out['ff_' + str(pt)] = ss.filtfilt(b, a, x, padtype=pt).tolist()
out['ff_padlen'] = ss.filtfilt(b, a, x, padlen=40).tolist()
print(json.dumps(out))`,
    [b, a, x],
  );

  it('lfilterZi, lfilter (with and without zi)', () => {
    expectClose(lfilterZi(b, a), ref.zi, 1e-12);
    expectClose(lfilter(b, a, x), ref.y0, 1e-12);
    const zi = Array.from(lfilterZi(b, a), (v) => v * 0.5);
    const res = lfilter(b, a, x, zi);
    expectClose(res.y, ref.y, 1e-12);
    expectClose(res.zf, ref.zf, 1e-12);
  });

  it('filtfilt with every padtype and an explicit padlen', () => {
    for (const pt of ['odd', 'even', 'constant', null] as const)
      expectClose(filtfilt(b, a, x, { padtype: pt }), ref[`ff_${pt ?? 'None'}`], 1e-12);
    expectClose(filtfilt(b, a, x, { padlen: 40 }), ref.ff_padlen, 1e-12);
  });
});

describe('filter errors', () => {
  it("reports scipy's padlen message when x is too short", () => {
    expectThrows(
      () => filtfilt([1, 1, 1], [1], [1, 2, 3, 4, 5, 6, 7, 8, 9]),
      /filtfilt: The length of the input vector x must be greater than padlen, which is 9\./,
    );
    expectThrows(() => filtfilt([1], [1, -0.5], [1, 2, 3], { padlen: 3 }), /padlen, which is 3\./);
  });

  it('validates coefficients, zi, options and data', () => {
    expectThrows(() => lfilter([1], [0, 1], [1, 2]), /lfilter: a\[0\] must be nonzero/);
    expectThrows(() => lfilter([], [1], [1, 2]), /lfilter: b has 0 elements/);
    expectThrows(() => lfilter([1, 1], [1], [1, 2], [1, 2]), /unexpected shape for zi: expected \(1,\)/);
    expectThrows(() => lfilterZi([1], [0, 0]), /lfilterZi: there must be at least one nonzero a/);
    expectThrows(() => filtfilt([1, 1], [1], [1, NaN, 3, 4, 5, 6, 7, 8]), /filtfilt: x\[1\] is NaN/);
    expectThrows(() => filtfilt([1, 1], [1], new Array(20).fill(1), { padtype: 'mirror' as 'odd' }), /padtype must be/);
    expectThrows(() => filtfilt([1, 1], [1], new Array(20).fill(1), { padlen: 2.5 }), /padlen must be an integer/);
  });
});
