/**
 * Random-groups primary HDUs (FITS standard 4.0 section 6; astropy.io.fits GroupsHDU / GroupData):
 * NAXIS1 = 0, GROUPS = T, GCOUNT groups of PCOUNT parameters followed by NAXIS2 x ... x NAXISn
 * values, all of type BITPIX. Parameters are PTYPEn with PSCALn/PZEROn, the array BSCALE/BZERO.
 * As in astropy, a scaled parameter or array is float64 (stored * scale + zero) and an unscaled one
 * keeps the stored type; `byName` sums parameters that share a name (GroupData.par).
 */
import { decodeNumeric } from './bintable';
import { fitsError, FitsLocation } from './errors';
import { FitsHeader } from './header';
import { Bitpix, FitsImageData } from './image';
import { TformCode } from './table-format';

export interface FitsGroupParameter {
  /** PTYPEn (may repeat). */
  name: string;
  /** One value per group. */
  values: FitsImageData;
}

export interface FitsGroups {
  /** GCOUNT. */
  count: number;
  /** Parameters in PTYPE order. */
  parameters: FitsGroupParameter[];
  /** Parameter values by name; parameters sharing a name are summed (astropy GroupData.par). */
  byName: Record<string, FitsImageData>;
  /** The arrays of all groups, C order [GCOUNT, NAXISn, ..., NAXIS2]. */
  data: FitsImageData;
  shape: number[];
}

const CODE: Record<number, TformCode> = {
  8: 'B',
  16: 'I',
  32: 'J',
  64: 'K',
  [-32]: 'E',
  [-64]: 'D',
};

/** True for a random-groups primary header (GROUPS = T and NAXIS1 = 0). */
export function isRandomGroups(h: FitsHeader): boolean {
  return h.get('GROUPS') === true && h.get('NAXIS1') === 0;
}

function scaled(values: FitsImageData, scale: number, zero: number): FitsImageData {
  if (scale === 1 && zero === 0) return values;
  return Float64Array.from(values as ArrayLike<number | bigint>, (v) => Number(v) * scale + zero);
}

/** Decodes a random-groups data unit (`bytes` holds exactly GCOUNT * (PCOUNT + N) values). */
export function decodeGroups(
  header: FitsHeader,
  bitpix: Bitpix,
  axes: number[],
  bytes: Buffer,
  loc: FitsLocation,
): FitsGroups {
  const count = header.getNumber('GCOUNT', 1);
  const pcount = header.getNumber('PCOUNT', 0);
  const perGroup = axes.slice(1).reduce((a, b) => a * b, 1);
  const width = pcount + perGroup;
  const size = Math.abs(bitpix) / 8;
  if (bytes.length !== count * width * size)
    fitsError('E_FITS_FORMAT', `random groups need ${count * width * size} bytes, got ${bytes.length}`, loc);
  const all = decodeNumeric(bytes, CODE[bitpix], count * width);
  const Ctor = all.constructor as new (n: number) => FitsImageData;
  const parameters: FitsGroupParameter[] = [];
  const byName: Record<string, FitsImageData> = {};
  for (let p = 0; p < pcount; p++) {
    const stored = new Ctor(count);
    for (let g = 0; g < count; g++) (stored as { [i: number]: number | bigint })[g] = all[g * width + p];
    const name = String(header.get(`PTYPE${p + 1}`) ?? `PAR${p + 1}`).trim();
    const values = scaled(stored, header.getNumber(`PSCAL${p + 1}`, 1), header.getNumber(`PZERO${p + 1}`, 0));
    parameters.push({ name, values });
    const prev = byName[name];
    byName[name] =
      prev === undefined
        ? values
        : Float64Array.from(prev as ArrayLike<number | bigint>, (v, g) => Number(v) + Number(values[g]));
  }
  const stored = new Ctor(count * perGroup);
  for (let g = 0; g < count; g++) {
    for (let k = 0; k < perGroup; k++)
      (stored as { [i: number]: number | bigint })[g * perGroup + k] = all[g * width + pcount + k];
  }
  const data = scaled(stored, header.getNumber('BSCALE', 1), header.getNumber('BZERO', 0));
  return {
    count,
    parameters,
    byName,
    data,
    shape: [count, ...axes.slice(1).reverse()],
  };
}
