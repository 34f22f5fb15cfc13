// IMM interop with the numpy reference reader/writer (scripts/fixtures/xpcs/imm_np.py, in the
// style of xpcs-eigen's python/io/imm_file.py), run with Debian's /usr/bin/python3.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readImm, readImmSparse, writeImm } from '../kernel-lib/src/formats/imm';

const SCRIPT = path.join(__dirname, '..', 'scripts', 'fixtures', 'xpcs', 'imm_np.py');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-imm-interop-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function py(args: string[]): string {
  const r = spawnSync('/usr/bin/python3', [SCRIPT, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`imm_np.py ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

describe('IMM interop with numpy', () => {
  for (const sparse of [false, true]) {
    const kind = sparse ? 'sparse' : 'dense';
    it(`numpy-written ${kind} file reads identically`, async () => {
      const file = path.join(dir, `np-${kind}.imm`);
      py([
        'write',
        file,
        '--frames',
        '7',
        '--rows',
        '9',
        '--cols',
        '11',
        '--density',
        '0.3',
        '--seed',
        '5',
        ...(sparse ? ['--sparse'] : []),
      ]);
      const ref = JSON.parse(py(['dump', file]));
      const got = await readImm(file);
      expect(got.frames.shape).toEqual(ref.shape);
      expect(Array.from(got.frames.data)).toEqual(ref.data);
      expect(got.headers.map((h) => h.elapsed)).toEqual(ref.elapsed);
      expect(got.headers.map((h) => h.corecotick)).toEqual(ref.corecotick);
      expect(got.headers.map((h) => h.compression)).toEqual(ref.compression);
      const sp = await readImmSparse(file);
      expect(sp.ptr[7]).toBe(ref.data.filter((v: number) => v !== 0).length);
    });

    it(`stagebook-written ${kind} file reads identically in numpy`, async () => {
      const t = 4,
        h = 5,
        w = 6;
      const data = new Uint16Array(t * h * w).map((_, i) => (i % 7 === 0 ? 65535 - i : i % 3 === 0 ? i : 0));
      const file = path.join(dir, `sb-${kind}.imm`);
      await writeImm(
        file,
        { data, shape: [t, h, w] },
        { compression: sparse ? 'sparse' : 'dense', elapsed: [0.25, 0.5, 0.75, 1], corecotick: [7, 8, 9, 2147483647] },
      );
      const ref = JSON.parse(py(['dump', file]));
      expect(ref.shape).toEqual([t, h, w]);
      expect(ref.data).toEqual(Array.from(data));
      expect(ref.elapsed).toEqual([0.25, 0.5, 0.75, 1]);
      expect(ref.corecotick).toEqual([7, 8, 9, 2147483647]);
      expect(ref.compression).toEqual(new Array(t).fill(sparse ? 6 : 0));
    });
  }
});
