/**
 * Simulated GOES XRS (A: 0.5-4 A, B: 1-8 A) at 2 s in NOAA's science netCDF4 layout
 * (`sci_gxrs-l2-irrad_gNN_dYYYYMMDD_v0-0-0.nc`, one file per satellite per day): dimension `time`
 * (seconds since 2000-01-01 12:00:00 UTC), variables `time`, `a_flux`, `b_flux`, `a_flags`,
 * `b_flags`. B = background + flares, whose peak / 0.7 is exactly the injected class; A peaks ~30 s
 * earlier at a lower flux. Flagged samples (eclipse-like runs) and fill values (-9999) are what
 * ALEXIS's onboarding drops (flags == 0 and flux > 0 kept).
 *
 * netCDF4 files are HDF5 files whose dimensions are HDF5 dimension scales: `time` is made a scale
 * named `time` and attached to every variable, which is how netCDF-C (and python-netCDF4) find it.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { loadH5wasm, h5Reason } from '../../formats/hdf5/h5wasm';
import { writeAtomically } from '../../formats/hdf5/file-io';
import { flareProfile, stableHash, type SolarScene } from './scene';
import { seededRandom } from '../../simulate/random';
import { readXrsFile, XRS_EPOCH_UNIX_S } from '../../archives/noaa-xrs';

export { XRS_EPOCH_UNIX_S };

export const XRS_CADENCE_S = 2;
export const XRS_FILL = -9999;
/** XRS-B flux per unit of class flux: ALEXIS classifies flux / 0.7 (see simulateXrsDay). */
export const XRS_B_CLASS_FACTOR = 0.7;

export interface XrsDay {
  satellite: number;
  /** Seconds since 2000-01-01 12:00 UTC. */
  time: Float64Array;
  aFlux: Float32Array;
  bFlux: Float32Array;
  aFlags: Uint8Array;
  bFlags: Uint8Array;
}

/** XRS-B background (W m^-2): a B3 level with a slow drift. */
function background(tMs: number, dayStartMs: number): number {
  return 3e-7 * (1 + 0.15 * Math.sin(((tMs - dayStartMs) / 86_400_000) * 2 * Math.PI));
}

/** The day's series for one satellite. */
export function simulateXrsDay(scene: SolarScene, satellite = 15): XrsDay {
  const n = 86400 / XRS_CADENCE_S;
  const time = new Float64Array(n);
  const aFlux = new Float32Array(n);
  const bFlux = new Float32Array(n);
  const aFlags = new Uint8Array(n);
  const bFlags = new Uint8Array(n);
  const rnd = seededRandom(stableHash('xrs', scene.seed, satellite, scene.date));
  const flaggedStart = (2 * 3600) / XRS_CADENCE_S + (stableHash('xrs-flag', scene.seed, satellite) % 600);
  for (let k = 0; k < n; k++) {
    const tMs = scene.dayStartMs + k * XRS_CADENCE_S * 1000;
    time[k] = tMs / 1000 - XRS_EPOCH_UNIX_S;
    const bg = background(tMs, scene.dayStartMs);
    let b = bg;
    let a = bg * 0.08;
    for (const f of scene.flares) {
      // B peaks at XRS_B_CLASS_FACTOR x the class flux (background included): the class is read as
      // mag_to_class(flux / 0.7), ALEXIS's convention (create_peakfinder_scale.py) that the catalogue
      // reproduces, so an injected C4.0 is catalogued C4.
      const bgAtPeak = background(f.peakMs, scene.dayStartMs);
      b += (XRS_B_CLASS_FACTOR * f.peakFlux - bgAtPeak) * flareProfile(f, tMs);
      a += 0.2 * f.peakFlux * flareProfile(f, tMs, -30);
    }
    // Noise on the background only: the flare's own peak stays the injected class to <0.1%.
    bFlux[k] = b + bg * 0.005 * rnd.normal();
    aFlux[k] = a * (1 + 0.004 * rnd.normal());
    if (k >= flaggedStart && k < flaggedStart + 45) {
      aFlags[k] = 4;
      bFlags[k] = 4;
    }
    if (k % 7919 === 11) {
      aFlux[k] = XRS_FILL;
      bFlux[k] = XRS_FILL;
    }
  }
  return { satellite, time, aFlux, bFlux, aFlags, bFlags };
}

/** NOAA's file name of a day's science file. */
export function xrsFileName(satellite: number, dayStartMs: number): string {
  const d = new Date(dayStartMs).toISOString();
  return `sci_gxrs-l2-irrad_g${satellite}_d${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}_v0-0-0.nc`;
}

/** Writes the day as a netCDF4 (HDF5 with dimension scales) file, atomically. */
export async function writeXrsNetcdf(file: string, day: XrsDay): Promise<void> {
  const where = 'writeXrsNetcdf';
  const h5 = await loadH5wasm();
  await writeAtomically(where, file, (tmp) => {
    const f = new h5.File(tmp, 'w') as unknown as H5FileNc;
    try {
      f.create_attribute('title', 'GOES XRS L2 irradiances (stagebook simulated Sun, not a real observation)');
      f.create_attribute('platform', `g${day.satellite}`);
      f.create_attribute('Conventions', 'CF-1.6');
      const t = f.create_dataset({ name: 'time', data: day.time, shape: [day.time.length], dtype: '<d' });
      t.create_attribute('units', 'seconds since 2000-01-01 12:00:00');
      t.create_attribute('long_name', 'time');
      t.make_scale('time');
      const vars: Array<[string, Float32Array | Uint8Array, string, string]> = [
        ['a_flux', day.aFlux, '<f', 'W m-2'],
        ['b_flux', day.bFlux, '<f', 'W m-2'],
        ['a_flags', day.aFlags, '<B', '1'],
        ['b_flags', day.bFlags, '<B', '1'],
      ];
      for (const [name, data, dtype, units] of vars) {
        const ds = f.create_dataset({ name, data, shape: [data.length], dtype });
        ds.create_attribute('units', units);
        ds.attach_scale(0, '/time');
      }
      f.flush();
    } catch (e) {
      throw new StagebookError('E_WRITE_FAILED', `${where}: ${file}: ${h5Reason(e)}`, { where, file }, { cause: e });
    } finally {
      f.close();
    }
  });
}

interface H5DatasetNc {
  create_attribute(name: string, value: unknown): void;
  make_scale(name: string): void;
  attach_scale(index: number, scalePath: string): void;
}
interface H5FileNc {
  create_attribute(name: string, value: unknown): void;
  create_dataset(args: { name: string; data: unknown; shape: number[]; dtype: string }): H5DatasetNc;
  flush(): void;
  close(): number;
}

/** Reads a science file back (the archives' reader: the variables ALEXIS uses). */
export async function readXrsNetcdf(file: string): Promise<XrsDay> {
  const d = await readXrsFile(file);
  return { satellite: Number(/_g(\d+)_d/.exec(file)?.[1] ?? NaN), ...d };
}
