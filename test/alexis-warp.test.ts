/**
 * warpAffine against scikit-image 0.19 `warp(order=3, mode='constant', preserve_range=True)`
 * (Debian python3-skimage): random images and rotation+scale+shift matrices, identical to 1e-9
 * relative (the arithmetic is the same; only the evaluation order of the final sum can differ).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { warpAffine, warpAffineParallel } from '../kernel-lib/src/numeric/resample';
import { closeWorkerPool } from '../kernel-lib/src/numeric/parallel/pool';

const PY = '/usr/bin/python3';
const hasSkimage = (() => {
  try {
    execFileSync(PY, ['-c', 'import skimage'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();
const dir = mkdtempSync(join(tmpdir(), 'sb-warp-'));
afterAll(async () => {
  await closeWorkerPool();
  rmSync(dir, { recursive: true, force: true });
});

function skimageWarp(
  img: Float64Array,
  rows: number,
  cols: number,
  m: number[],
  out: [number, number],
  cval: number,
): Float64Array {
  writeFileSync(join(dir, 'in.f64'), img);
  const script = `import numpy as np, sys
from skimage.transform import warp
a = np.fromfile('${dir}/in.f64').reshape(${rows}, ${cols})
M = np.array([[${m[0]}, ${m[1]}, ${m[2]}], [${m[3]}, ${m[4]}, ${m[5]}], [0, 0, 1]], dtype=np.float64)
w = warp(a, M, output_shape=(${out[0]}, ${out[1]}), order=3, mode='constant', cval=${cval}, preserve_range=True)
w.astype(np.float64).tofile('${dir}/out.f64')`;
  execFileSync(PY, ['-c', script], { stdio: 'pipe' });
  const b = readFileSync(join(dir, 'out.f64'));
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

function rotScale(theta: number, s: number, cx: number, cy: number, ox: number, oy: number): number[] {
  const c = Math.cos(theta) / s;
  const d = Math.sin(theta) / s;
  return [c, d, cx - c * ox - d * oy, -d, c, cy + d * ox - c * oy];
}

describe.skipIf(!hasSkimage)('warpAffine vs skimage.transform.warp(order=3)', () => {
  const cases: Array<{ name: string; rows: number; cols: number; m: number[]; out: [number, number]; cval: number }> = [
    {
      name: 'rotation 3 deg + scale 1.07 + shift (AIA registration shape)',
      rows: 64,
      cols: 64,
      m: rotScale(0.052, 1.07, 32.3, 31.1, 31.5, 31.5),
      out: [64, 64],
      cval: 0,
    },
    {
      name: 'non-square, cval outside the input range',
      rows: 40,
      cols: 57,
      m: rotScale(-0.3, 0.8, 28, 20, 30, 25),
      out: [50, 60],
      cval: -5,
    },
    {
      name: 'pure shift (metric branch in skimage)',
      rows: 33,
      cols: 31,
      m: [1, 0, 0.37, 0, 1, -1.61],
      out: [33, 31],
      cval: 0,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const img = new Float64Array(c.rows * c.cols);
      let s = 12345;
      for (let i = 0; i < img.length; i++) {
        s = (s * 1103515245 + 12345) % 2147483648;
        img[i] = (s / 2147483648) * 100 - 10;
      }
      const ours = warpAffine(
        { data: img, shape: [c.rows, c.cols] },
        { inverse: c.m, outputShape: c.out, cval: c.cval },
      );
      const ref = skimageWarp(img, c.rows, c.cols, c.m, c.out, c.cval);
      expect(ours.length).toBe(ref.length);
      let worst = 0;
      for (let i = 0; i < ref.length; i++)
        worst = Math.max(worst, Math.abs(ours[i] - ref[i]) / Math.max(1, Math.abs(ref[i])));
      expect(worst).toBeLessThan(1e-9);
    });
  }
  it('warpAffineParallel gives exactly the values of warpAffine, whatever the thread count', async () => {
    const n = 96;
    const img = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i * 0.37) * 50 + (i % 7));
    const m = rotScale(0.2, 1.1, 47.2, 49.9, 47.5, 47.5);
    const serial = warpAffine({ data: img, shape: [n, n] }, { inverse: m, cval: -3 });
    // bit-identical (issue 21 item 4): every worker runs the serial arithmetic on the whole input
    for (const threads of [2, 3, 5]) {
      const par = await warpAffineParallel({ data: img, shape: [n, n] }, { inverse: m, cval: -3 }, { threads });
      expect(Buffer.from(par.buffer).equals(Buffer.from(serial.buffer))).toBe(true);
    }
  });

  it('refuses a bad matrix and shape', () => {
    expect(() => warpAffine({ data: [1, 2, 3], shape: [2, 2] }, { inverse: [1, 0, 0, 0, 1, 0] })).toThrow(
      /image.shape/,
    );
    expect(() => warpAffine({ data: [1, 2, 3, 4], shape: [2, 2] }, { inverse: [1, 0, 0] })).toThrow(/inverse/);
  });
});
void existsSync;
