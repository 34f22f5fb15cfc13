'use strict';
/**
 * FITS reading vs astropy 5.2 (Debian python3-astropy, cfitsio-based decompression):
 *  - a 4096x4096 int16 RICE_1 tile-compressed `.fits.fz` (row tiles, as fpack / LCO frames),
 *    written by astropy: CompImageHDU.data vs stagebook readImage() (Rice decoding in wasm-core)
 *  - a 4096x4096 float32 uncompressed image: astropy fits.open(memmap=False)[0].data (stays
 *    big-endian) vs stagebook readImage() (native-order Float32Array)
 *  - a 4096x4096 float32 RICE_1 image quantised with SUBTRACTIVE_DITHER_1 (lossy, as LCO serves)
 *  - a 4096x4096 int16 HCOMPRESS_1 image (lossless, 16-row tiles: HCOMPRESS decoding in wasm-core)
 *  - a 4096x4096 float32 HCOMPRESS_1 image quantised with SUBTRACTIVE_DITHER_1 (lossy)
 * Fixtures are written by astropy into a temp dir (scripts/fixtures/fits is the generator family).
 * Each side reports a checksum of the pixels so the rows also prove the results agree.
 * Usage: node bench/fits.bench.js            (suite)
 *        node bench/fits.bench.js child FILE HDU   (one measurement of ours)
 */
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runNode, runPython, best, emit, report } = require('./lib/harness');

const N = 4096;

/** Sum of pixels as doubles (both sides compute the same reduction). */
function pixelSum(data) {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += Number(data[i]);
  return s;
}

async function child(file, hdu) {
  const { openFits } = require('stagebook');
  const [seconds, img] = await best(() => openFits(file).hdu(Number(hdu)).readImage(), 3);
  emit({ seconds, sum: pixelSum(img.data), type: img.data.constructor.name });
}

const MAKE = `
import numpy as np, sys
from astropy.io import fits
out = sys.argv[1]
n = ${N}
rng = np.random.default_rng(1)
y, x = np.mgrid[0:n, 0:n]
sky = 1000 + 300 * np.sin(x / 300.0) * np.cos(y / 200.0)
img = rng.poisson(sky).astype(np.float64)
fits.HDUList([fits.PrimaryHDU(), fits.CompImageHDU(img.astype(np.int16), compression_type='RICE_1')]).writeto(out + '/i16.fits.fz')
fits.PrimaryHDU(img.astype(np.float32)).writeto(out + '/f32.fits')
fits.HDUList([fits.PrimaryHDU(), fits.CompImageHDU(img.astype(np.float32), compression_type='RICE_1', quantize_method=1, dither_seed=42)]).writeto(out + '/f32q.fits.fz')
fits.HDUList([fits.PrimaryHDU(), fits.CompImageHDU(img.astype(np.int16), compression_type='HCOMPRESS_1', tile_size=(16, n))]).writeto(out + '/h16.fits.fz')
fits.HDUList([fits.PrimaryHDU(), fits.CompImageHDU(img.astype(np.float32), compression_type='HCOMPRESS_1', tile_size=(16, n), quantize_method=1, dither_seed=42)]).writeto(out + '/h32q.fits.fz')
`;

const READ = (file, hdu, memmap) => `
from astropy.io import fits
import numpy as np
def run():
    with fits.open(${JSON.stringify(file)}${memmap ? ', memmap=False' : ''}) as h:
        return h[${hdu}].data
t, d = best(run, 3)
emit({'seconds': t, 'sum': float(np.sum(d, dtype=np.float64))})
`;

function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stagebook-fits-bench-'));
  try {
    const { spawnSync } = require('node:child_process');
    const make = spawnSync('/usr/bin/python3', ['-c', MAKE, dir], { encoding: 'utf8' });
    if (make.status !== 0) throw new Error(make.stderr);
    const rows = [];
    const cases = [
      ['RICE_1 int16 .fits.fz read', 'i16.fits.fz', 1, false],
      ['float32 image read', 'f32.fits', 0, true],
      ['RICE_1 float32 dithered .fits.fz read', 'f32q.fits.fz', 1, false],
      ['HCOMPRESS_1 int16 .fits.fz read', 'h16.fits.fz', 1, false],
      ['HCOMPRESS_1 float32 dithered .fits.fz read', 'h32q.fits.fz', 1, false],
    ];
    for (const [kernel, name, hdu, memmap] of cases) {
      const file = path.join(dir, name);
      const ours = runNode(__filename, ['child', file, String(hdu)]);
      const ref = runPython(READ(file, hdu, memmap));
      const agree = Math.abs(ours.sum - ref.sum) <= 1e-9 * Math.abs(ref.sum);
      rows.push({
        kernel,
        size: `${N}x${N}`,
        ours_s: ours.seconds,
        ref_s: ref.seconds,
        ref_name: 'astropy 5.2',
        ours_peak_mb: ours.peak_rss_mb,
        ref_peak_mb: ref.peak_rss_mb,
        note: `${ours.type}; pixel sums ${agree ? 'agree' : `DIFFER ${ours.sum} vs ${ref.sum}`}`,
      });
    }
    report('fits', rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') child(process.argv[3], process.argv[4]);
else main();
