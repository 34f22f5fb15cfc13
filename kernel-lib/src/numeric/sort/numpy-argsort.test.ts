/**
 * Tie order against the real NumPy (Debian's python3-numpy 1.24, the version the oracle used):
 * tie-heavy random arrays of many sizes, including the heapsort fallback and NaN.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { lcg } from '../../../../test/support/helpers';
import { numpyArgsort } from './numpy-argsort';

function numpyReference(arrays: number[][]): number[][] {
  const code =
    'import json,sys,numpy as np\nfor line in sys.stdin:\n  a=np.array(json.loads(line),dtype=np.float64)\n  print(json.dumps(np.argsort(a).tolist()))';
  const input =
    arrays.map((a) => JSON.stringify(a.map((x) => (Number.isNaN(x) ? 'NaN' : x))).replace(/"NaN"/g, 'NaN')).join('\n') +
    '\n';
  const r = spawnSync('/usr/bin/python3', ['-c', code], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('numpyArgsort', () => {
  it('matches np.argsort tie order on tie-heavy arrays of sizes 0..3000', () => {
    const rnd = lcg(7);
    const arrays: number[][] = [];
    for (const n of [0, 1, 2, 5, 16, 17, 18, 33, 64, 100, 257, 1000, 3000]) {
      for (const levels of [1, 2, 3, 7, 50]) arrays.push(Array.from({ length: n }, () => Math.floor(rnd() * levels)));
    }
    const expected = numpyReference(arrays);
    arrays.forEach((a, i) => expect(Array.from(numpyArgsort(a)), `array ${i} (n=${a.length})`).toEqual(expected[i]));
  });

  it('matches on adversarial patterns (sorted, reversed, organ pipe) and NaN', () => {
    const n = 2000;
    const arrays = [
      Array.from({ length: n }, (_, i) => i % 5),
      Array.from({ length: n }, (_, i) => n - i),
      Array.from({ length: n }, (_, i) => Math.min(i, n - i) % 13),
      Array.from({ length: 40 }, (_, i) => (i % 7 === 0 ? NaN : i % 3)),
    ];
    const expected = numpyReference(arrays);
    arrays.forEach((a, i) => expect(Array.from(numpyArgsort(a))).toEqual(expected[i]));
  });

  it('sorts ascending', () => {
    const v = [3, 1, 2];
    expect(Array.from(numpyArgsort(v))).toEqual([1, 2, 0]);
  });
});
