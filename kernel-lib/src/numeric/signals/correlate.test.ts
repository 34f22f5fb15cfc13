import { describe, expect, it } from 'vitest';
import { expectStagebookError as expectThrows, lcg, python } from '../../../../test/support/helpers';
import {
  chooseCorrelationMethod,
  correlate,
  correlateSignals,
  correlationLags,
  normalizedCrossCorrelation,
} from './index';
import type { CorrelationMode } from './index';

const randomArray = (n: number, r: () => number) => Array.from({ length: n }, r);
const modes: CorrelationMode[] = ['full', 'same', 'valid'];

function expectClose(actual: ArrayLike<number>, expected: number[], rtol: number, atol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(atol + rtol * Math.abs(expected[i]));
}

describe('correlate / correlateSignals against numpy and scipy', () => {
  const r = lcg(42, -0.5);
  const sizes: [number, number][] = [
    [1, 1],
    [1, 4],
    [4, 1],
    [5, 9],
    [4, 8],
    [4, 9],
    [8, 4],
    [9, 5],
    [30, 7],
    [7, 30],
    [64, 64],
    [100, 33],
  ];
  const pairs = sizes.map(([n1, n2]) => [randomArray(n1, r), randomArray(n2, r)]);
  const ref = python(
    `print(json.dumps([[{m: [np.correlate(a, v, m).tolist(), ss.correlate(a, v, m, method='direct').tolist(), ss.correlation_lags(len(a), len(v), m).tolist(), ss.choose_conv_method(np.array(a), np.array(v), m)] for m in ['full','same','valid']}] for a, v in D]))`,
    pairs,
  );

  it.each(sizes.map((s, i) => [s[0], s[1], i]))(
    'n1=%i n2=%i: numpy windows, scipy windows, lags, auto choice',
    (_n1, _n2, i) => {
      const [a, v] = pairs[i];
      for (const m of modes) {
        const [np, sp, lags, choice] = ref[i][0][m];
        expectClose(correlate(a, v, m), np, 1e-12, 1e-12);
        expectClose(correlateSignals(a, v, { mode: m, method: 'direct' }), sp, 1e-12, 1e-12);
        expectClose(correlateSignals(a, v, { mode: m, method: 'fft' }), sp, 0, 1e-10 * Math.max(...sp.map(Math.abs)));
        expect(Array.from(correlationLags(a.length, v.length, m))).toEqual(lags);
        expect(chooseCorrelationMethod(a.length, v.length, m)).toBe(choice);
      }
    },
  );

  it('numpy.correlate defaults to mode valid, scipy.signal.correlate to full', () => {
    expect(correlate([1, 2, 3], [1, 1]).length).toBe(2);
    expect(correlateSignals([1, 2, 3], [1, 1]).length).toBe(4);
  });
});

describe('FFT path', () => {
  it('agrees with the direct sum on random inputs of awkward sizes (atol 1e-12 * max|out|)', () => {
    const r = lcg(7, -0.5);
    for (const [n1, n2] of [
      [1000, 999],
      [1023, 2],
      [4097, 300],
      [3, 5000],
      [2048, 2049],
    ]) {
      const a = randomArray(n1, r);
      const v = randomArray(n2, r);
      for (const mode of modes) {
        const direct = correlateSignals(a, v, { mode, method: 'direct' });
        const fft = correlateSignals(a, v, { mode, method: 'fft' });
        const scale = Math.max(...Array.from(direct, Math.abs));
        expectClose(fft, Array.from(direct), 0, 1e-12 * scale);
      }
    }
  });

  it('auto picks fft for two long inputs and direct for a short kernel (scipy cost model)', () => {
    expect(chooseCorrelationMethod(100000, 100000, 'full')).toBe('fft');
    expect(chooseCorrelationMethod(100000, 5, 'valid')).toBe('direct');
  });
});

describe('normalizedCrossCorrelation', () => {
  it('finds the shift of a rolled noisy copy and matches the formula computed by numpy', () => {
    const r = lcg(3, -0.5);
    const x = randomArray(200, r);
    const y = x.map((_, i) => x[(i - 17 + 200) % 200] + 0.1 * r());
    const res = normalizedCrossCorrelation(x, y);
    expect(res.bestLag).toBe(17);
    const ref = python(
      `x=np.array(D[0]); y=np.array(D[1]); n=len(x)
ncc = ss.correlate(y - y.mean(), x - x.mean(), 'full', method='direct') / (n * x.std() * y.std())
print(json.dumps(ncc.tolist()))`,
      [x, y],
    );
    expectClose(res.ncc, ref, 1e-12, 1e-12);
    expect(res.lags.length).toBe(399);
    expect(res.maxNcc).toBe(Math.max(...res.ncc));
  });

  it('rejects constant and mismatched inputs', () => {
    expectThrows(() => normalizedCrossCorrelation([1, 1, 1], [1, 2, 3]), /x is constant/);
    expectThrows(() => normalizedCrossCorrelation([1, 2, 3], [1, 2]), /same length/);
  });
});

describe('argument errors', () => {
  it('names the function and parameter', () => {
    expectThrows(() => correlate([], [1]), /correlate: a has 0 elements/);
    expectThrows(() => correlate([1, NaN], [1]), /correlate: a\[1\] is NaN/);
    expectThrows(
      () => correlateSignals([1], [1], { mode: 'middle' as CorrelationMode }),
      /correlateSignals: mode must be/,
    );
    expectThrows(() => correlateSignals([1], [1], { method: 'fast' as 'fft' }), /correlateSignals: method must be/);
    expectThrows(() => correlateSignals([1], [Infinity]), /in2\[0\] is Infinity/);
    expectThrows(() => correlationLags(0, 3), /correlationLags: n1 must be a positive integer/);
  });
});
