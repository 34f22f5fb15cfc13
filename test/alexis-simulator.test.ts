/**
 * The simulated Sun: deterministic frames with the real header keywords, flares where and when
 * they were injected (hotter AIA channels peak earlier, XRS-B peak = class), defects on demand,
 * and GOES XRS netCDF4 files that Debian's python3-netcdf4 reads identically.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openFits } from '../kernel-lib/src/formats/fits';
import {
  aiaFrameIndexNear,
  goesClassFlux,
  makeSolarScene,
  readXrsNetcdf,
  renderAiaFrame,
  renderSxiFrame,
  simulateXrsDay,
  writeAiaFits,
  writeXrsNetcdf,
  xrsFileName,
  XRS_B_CLASS_FACTOR,
  XRS_EPOCH_UNIX_S,
  type AiaChannel,
} from '../kernel-lib/src/testing/solar';

const dir = mkdtempSync(join(tmpdir(), 'sb-sun-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const scene = makeSolarScene({ seed: 7 });

function brightestPixel(data: Int16Array, n: number): [number, number] {
  let best = 0;
  for (let i = 1; i < data.length; i++) if (data[i] > data[best]) best = i;
  return [best % n, Math.floor(best / n)];
}

describe('solar simulator', () => {
  it('renders AIA deterministically with the headers ALEXIS reads, in a RICE-compressed HDU 1', () => {
    const a = renderAiaFrame(scene, '171', 100, { scale: 128, defect: 'none' });
    const b = renderAiaFrame(scene, '171', 100, { scale: 128, defect: 'none' });
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
    const file = join(dir, 'a.fits');
    writeAiaFits(file, a);
    const hdu = openFits(file).hdu(1);
    for (const k of [
      'T_OBS',
      'WAVELNTH',
      'EXPTIME',
      'QUALITY',
      'CRPIX1',
      'CRPIX2',
      'CDELT1',
      'CDELT2',
      'CROTA2',
      'RSUN_OBS',
      'R_SUN',
      'DSUN_OBS',
      'X0_MP',
      'IMSCL_MP',
    ]) {
      expect(hdu.header.has(k), k).toBe(true);
    }
    expect(hdu.header.getNumber('WAVELNTH')).toBe(171);
    expect(Array.from(hdu.readImage().data as Int16Array)).toEqual(Array.from(a.data));
  });

  it('puts each flare at its injected position at its peak time, hotter channels peaking earlier', () => {
    const f = scene.flares[2];
    const n = 256;
    const frame = renderAiaFrame(scene, '335', aiaFrameIndexNear(scene, '335', f.peakMs), { scale: n, defect: 'none' });
    const [i, j] = brightestPixel(frame.data, n);
    const x0 = frame.header.find((c) => Array.isArray(c) && c[0] === 'X0_MP') as [string, number];
    const scale = (frame.header.find((c) => Array.isArray(c) && c[0] === 'IMSCL_MP') as [string, number])[1];
    // Near-zero roll: the pixel offset from the sun centre times the plate scale is the position.
    expect(Math.abs((i - x0[1]) * scale - f.x)).toBeLessThan(2 * scale);
    const flux = (ch: AiaChannel, tMs: number): number => {
      const fr = renderAiaFrame(scene, ch, aiaFrameIndexNear(scene, ch, tMs), { scale: 64, defect: 'none' });
      return Math.max(...Array.from(fr.data));
    };
    const series = (ch: AiaChannel): number => {
      let best = -Infinity;
      let at = 0;
      for (let dt = -300_000; dt <= 300_000; dt += 24_000) {
        const v = flux(ch, f.peakMs + dt);
        if (v > best) {
          best = v;
          at = dt;
        }
      }
      return at;
    };
    expect(series('131')).toBeLessThan(series('171'));
  });

  it('renders SXI frames off-centre with a roll and the requested defects', () => {
    const s = renderSxiFrame(scene, 15, 600, { defect: 'none', filter: 'PTHK' });
    expect(s.shape).toEqual([512, 580]);
    const card = (k: string): unknown => (s.header.find((c) => Array.isArray(c) && c[0] === k) as [string, unknown])[1];
    expect(card('CROTA1')).not.toBe(0);
    expect(Math.abs((card('CRPIX1') as number) - 290.5)).toBeGreaterThan(2);
    expect(card('IMG_CODE')).toBe('FL');
    expect(renderSxiFrame(scene, 15, 600, { defect: 'not-fl' }).header).toContainEqual(['IMG_CODE', 'PF']);
  });

  it('has an XRS-B peak of 0.7 x each injected class (ALEXIS classifies flux / 0.7)', () => {
    const day = simulateXrsDay(scene, 15);
    for (const f of scene.flares) {
      let peak = 0;
      for (let k = 0; k < day.time.length; k++) {
        const tMs = (day.time[k] + XRS_EPOCH_UNIX_S) * 1000;
        if (Math.abs(tMs - f.peakMs) < 1_800_000 && day.bFlags[k] === 0) peak = Math.max(peak, day.bFlux[k]);
      }
      // The class has two significant digits; the peak is within 0.2% of it.
      expect(Math.abs(peak / XRS_B_CLASS_FACTOR / goesClassFlux(f.goesClass) - 1)).toBeLessThan(2e-3);
    }
  });
});

const hasNetcdf4 = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import netCDF4'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasNetcdf4)('XRS netCDF4 interop with python3-netcdf4', () => {
  it('reads identically (dimension time, variables, units)', async () => {
    const day = simulateXrsDay(scene, 15);
    const file = join(dir, xrsFileName(15, scene.dayStartMs));
    await writeXrsNetcdf(file, day);
    const back = await readXrsNetcdf(file);
    expect(Array.from(back.bFlux.slice(0, 100))).toEqual(Array.from(day.bFlux.slice(0, 100)));
    const script = `import netCDF4, json, sys, hashlib
d = netCDF4.Dataset(sys.argv[1])
out = {'dims': {k: len(v) for k, v in d.dimensions.items()}, 'vars': {k: list(v.dimensions) for k, v in d.variables.items()},
  'units': d['time'].units, 'b': [float(x) for x in d['b_flux'][:5]], 'bmax': float(d['b_flux'][:].max()),
  'flags': int(d['a_flags'][:].astype('int64').sum()), 't0': float(d['time'][0]), 'nfill': int((d['a_flux'][:] < -9000).sum())}
print(json.dumps(out))`;
    const r = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }));
    expect(r.dims).toEqual({ time: 43200 });
    expect(r.vars).toEqual({
      time: ['time'],
      a_flux: ['time'],
      b_flux: ['time'],
      a_flags: ['time'],
      b_flags: ['time'],
    });
    expect(r.units).toBe('seconds since 2000-01-01 12:00:00');
    expect(r.b).toEqual(Array.from(day.bFlux.slice(0, 5)).map((v) => Math.fround(v)));
    expect(r.bmax).toBe(Math.max(...Array.from(day.bFlux)));
    expect(r.flags).toBe(day.aFlags.reduce((a, b) => a + b, 0));
    expect(r.t0).toBe(scene.dayStartMs / 1000 - XRS_EPOCH_UNIX_S);
    expect(r.nfill).toBeGreaterThan(0);
  });
});
