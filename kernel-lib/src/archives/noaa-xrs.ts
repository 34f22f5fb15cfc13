/**
 * NOAA GOES XRS science files (`.../science/xrs/goesNN/gxrs-l2-irrad_science/YYYY/MM/
 * sci_gxrs-l2-irrad_gNN_dYYYYMMDD_v0-0-0.nc`): monthly directory listings, one netCDF4 file per
 * satellite per day, read with h5wasm (netCDF4 is HDF5). ALEXIS's xray_ftp_query.py keeps the
 * samples with flags == 0 and flux > 0 (`xrsRowsKept`).
 */
import type { DownloadPolicyInput } from '../acquisition/policy';
import { StagebookError } from '../errors/stagebook-error';
import { loadH5wasm, type H5File } from '../formats/hdf5/h5wasm';
import { listDirectory } from './listing';
import { recordsToItems, type ArchiveClient, type ArchiveRecord } from './types';

/** Seconds between 1970-01-01 and NOAA's epoch 2000-01-01 12:00:00 UTC (the files' `time` units). */
export const XRS_EPOCH_UNIX_S = 946728000;
export const XRS_FILE = /^sci_gxrs-l2-irrad_g(\d{2})_d(\d{4})(\d{2})(\d{2})_v\d+-\d+-\d+\.nc$/;

export interface XrsQuery {
  start: string;
  end: string;
}

/** Lists the daily files of the satellites over the months of a window. */
export class NoaaXrsClient implements ArchiveClient<XrsQuery> {
  readonly name = 'noaa-xrs';
  /** `base` holds `goesNN/gxrs-l2-irrad_science/YYYY/MM/`. */
  constructor(
    readonly base: string,
    readonly satellites: readonly number[] = [15],
    private readonly policy?: DownloadPolicyInput,
  ) {}

  async search(q: XrsQuery): Promise<ArchiveRecord[]> {
    const start = Date.parse(q.start);
    const end = Date.parse(q.end);
    const out: ArchiveRecord[] = [];
    for (const sat of this.satellites) {
      const d = new Date(start);
      const months: string[] = [];
      for (let m = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1); m <= end;) {
        const md = new Date(m);
        months.push(`${md.getUTCFullYear()}/${String(md.getUTCMonth() + 1).padStart(2, '0')}/`);
        m = Date.UTC(md.getUTCFullYear(), md.getUTCMonth() + 1, 1);
      }
      for (const month of months) {
        const urls = await listDirectory(`${this.base.replace(/\/$/, '')}/goes${sat}/gxrs-l2-irrad_science/${month}`, {
          pattern: XRS_FILE,
          policy: this.policy,
        });
        for (const url of urls) {
          const name = url.split('/').pop() as string;
          const m = XRS_FILE.exec(name) as RegExpExecArray;
          const day = Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]));
          if (day + 86_400_000 <= start || day > end) continue;
          out.push({
            id: url,
            url,
            filename: name,
            time: new Date(day).toISOString(),
            instrument: `goes${m[1]}`,
            meta: { satellite: Number(m[1]) },
          });
        }
      }
    }
    return out;
  }

  toDownloadItems(records: readonly ArchiveRecord[], subdir?: string) {
    return recordsToItems(records, subdir);
  }
}

/** The variables of a science file ALEXIS reads. */
export interface XrsFileData {
  time: Float64Array;
  aFlux: Float32Array;
  bFlux: Float32Array;
  aFlags: Uint8Array;
  bFlags: Uint8Array;
}

/** Reads `time`, `a_flux`, `b_flux`, `a_flags`, `b_flags` of a science netCDF4 file. */
export async function readXrsFile(file: string): Promise<XrsFileData> {
  const h5 = await loadH5wasm();
  let f: H5File;
  try {
    f = new h5.File(file, 'r');
  } catch (cause) {
    throw new StagebookError(
      'E_FORMAT',
      `readXrsFile: ${file} is not a netCDF4/HDF5 file`,
      { where: 'readXrsFile', file },
      { cause },
    );
  }
  try {
    const get = (name: string): unknown => {
      const ds = f.get(name) as { value: unknown } | null;
      if (!ds)
        throw new StagebookError('E_MISSING_DATASET', `readXrsFile: ${file}: variable ${name} is missing`, {
          where: 'readXrsFile',
          file,
          field: name,
        });
      return ds.value;
    };
    const flags = (name: string): Uint8Array => Uint8Array.from(get(name) as ArrayLike<number>);
    return {
      time: Float64Array.from(get('time') as ArrayLike<number>),
      aFlux: Float32Array.from(get('a_flux') as ArrayLike<number>),
      bFlux: Float32Array.from(get('b_flux') as ArrayLike<number>),
      aFlags: flags('a_flags'),
      bFlags: flags('b_flags'),
    };
  } finally {
    f.close();
  }
}

/** ALEXIS's goes_data rows of a file: flags == 0 and flux > 0, per channel A and B. */
export function xrsRowsKept(
  data: XrsFileData,
  satellite: number,
): Array<{ time_stamp: number; instrument: string; wavelength: 'A' | 'B'; value: number }> {
  const out: Array<{ time_stamp: number; instrument: string; wavelength: 'A' | 'B'; value: number }> = [];
  for (let k = 0; k < data.time.length; k++) {
    const t = data.time[k] + XRS_EPOCH_UNIX_S;
    if (data.aFlags[k] === 0 && data.aFlux[k] > 0)
      out.push({ time_stamp: t, instrument: `goes${satellite}`, wavelength: 'A', value: data.aFlux[k] });
    if (data.bFlags[k] === 0 && data.bFlux[k] > 0)
      out.push({ time_stamp: t, instrument: `goes${satellite}`, wavelength: 'B', value: data.bFlux[k] });
  }
  return out;
}
