'use strict';
/**
 * IMM read benchmark: a 1000-frame sparse (compression 6) IMM, 256x256 pixels, ~2 % nonzero.
 * Ours (kernel-lib/dist: readImm into one preallocated [T,H,W] Uint16Array; readImmSparse into
 * CSR lists) side by side with the numpy approach of xpcs-eigen's python `imm_file.py`
 * (np.fromfile per frame, scatter into a dense frame, np.stack) and its sparse-lists variant.
 * Child mode: `node bench/imm.bench.js --child <dense|sparse> <file>`.
 */
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { spawnSync } = require('node:child_process');
const { runNode, runPython, best, emit, report, PYTHON } = require('./lib/harness');

const ROOT = path.join(__dirname, '..');
const T = 1000,
  H = 256,
  W = 256,
  DENSITY = 0.02;

async function child(mode, file) {
  const imm = require('stagebook');
  let into;
  const fn =
    mode === 'sparse'
      ? () => imm.readImmSparse(file)
      : mode === 'dense'
        ? () => imm.readImm(file)
        : () => imm.readImm(file, { into: (into = into ?? new Uint16Array(T * H * W)) });
  const [seconds, out] = await best(fn, 5);
  const check = mode !== 'sparse' ? out.frames.data.reduce((a, b) => a + b, 0) : out.values.reduce((a, b) => a + b, 0);
  emit({ seconds, check });
}

const PY_READ = `
import sys
sys.path.insert(0, ${JSON.stringify(path.join(ROOT, 'scripts', 'fixtures', 'xpcs'))})
import numpy as np
from imm_np import read_imm, read_header, HEADER
file, mode = sys.argv[1], sys.argv[2]
def sparse_lists():
    idxs, vals = [], []
    with open(file, 'rb') as f:
        while True:
            hb = f.read(HEADER)
            if not hb:
                break
            h = read_header(hb, 0)
            idxs.append(np.fromfile(f, dtype=np.uint32, count=h['dlen']))
            vals.append(np.fromfile(f, dtype=np.uint16, count=h['dlen']))
    return np.concatenate(idxs), np.concatenate(vals)
if mode == 'dense':
    t, out = best(lambda: read_imm(file), 5)
    emit({'seconds': t, 'check': int(out[0].sum(dtype=np.uint64))})
else:
    t, out = best(sparse_lists, 5)
    emit({'seconds': t, 'check': int(out[1].sum(dtype=np.uint64))})
`;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-imm-bench-'));
  const file = path.join(dir, 'sparse1000.imm');
  try {
    const gen = spawnSync(
      PYTHON,
      [
        path.join(ROOT, 'scripts', 'fixtures', 'xpcs', 'imm_np.py'),
        'write',
        file,
        '--frames',
        String(T),
        '--rows',
        String(H),
        '--cols',
        String(W),
        '--sparse',
        '--density',
        String(DENSITY),
        '--seed',
        '1',
      ],
      { encoding: 'utf8' },
    );
    if (gen.status !== 0) throw new Error(gen.stderr);
    const size = `${T} frames ${H}x${W} sparse ${(DENSITY * 100).toFixed(0)}% (${(fs.statSync(file).size / 1e6).toFixed(1)} MB)`;
    const rows = [];
    for (const mode of ['dense', 'reuse', 'sparse']) {
      const ours = runNode(__filename, ['--child', mode, file]);
      const ref = runPython(PY_READ, [file, mode === 'reuse' ? 'dense' : mode]);
      if (ours.check !== ref.check)
        throw new Error(`checksum mismatch (${mode}): ours ${ours.check} numpy ${ref.check}`);
      rows.push({
        kernel: {
          dense: 'readImm -> new [T,H,W] stack',
          reuse: 'readImm -> reused [T,H,W] stack (options.into)',
          sparse: 'readImmSparse -> index/value lists',
        }[mode],
        size,
        ours_s: ours.seconds,
        ref_s: ref.seconds,
        ref_name: 'numpy imm_file.py-style',
        ours_peak_mb: ours.peak_rss_mb,
        ref_peak_mb: ref.peak_rss_mb,
        note:
          mode === 'dense'
            ? 'checksums equal; ours pays first-touch page faults of a fresh 131 MB array each repeat, numpy reuses freed heap'
            : 'checksums equal',
      });
    }
    report('imm', rows);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child')
  child(process.argv[3], process.argv[4]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
else
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
