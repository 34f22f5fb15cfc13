/**
 * Reading and writing the mission's products: a FITS image (float32) with the PUNCH keywords this
 * mission uses, a quick-look PNG beside it (punchpipe writes .jp2: naming.ts) and, when
 * configured, a `.sha` holding the FITS file's sha256 (`<hex>  <name>`, sha256sum's format).
 * Every write is atomic (temp + rename): a crash never leaves a half product under its name.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodePalettePng, schemePalette } from '../../../display/raster';
import { StagebookError } from '../../../errors/stagebook-error';
import { readFits, writeFits, type FitsHeader } from '../../../formats/fits';
import { ensureDirSync } from '../../../workdirs/atomic';
import { parseProductName, quicklookPath, shaPath } from '../naming';

export interface ProductImage {
  data: Float64Array | Float32Array;
  /** FITS order reversed: [planes?, rows, cols]. */
  shape: number[];
  header: FitsHeader;
}

/** Reads the primary image of a product. */
export function readProduct(file: string): ProductImage {
  const [hdu] = readFits(file, { hdus: [0] });
  if (!hdu.image)
    throw new StagebookError('E_FORMAT', `readProduct: ${file} has no image in its primary HDU`, {
      where: 'readProduct',
      file,
    });
  return { data: hdu.image.data as Float32Array, shape: hdu.image.shape, header: hdu.header };
}

function atomicWrite(file: string, data: string | Uint8Array): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** A colour-mapped PNG of the first plane (square-root stretch of the 1-99 % range, NaN black). */
export function quicklookPng(data: ArrayLike<number>, rows: number, cols: number): Buffer {
  const plane = Array.from({ length: rows * cols }, (_, i) => Number(data[i]));
  const finite = plane.filter(Number.isFinite).sort((a, b) => a - b);
  const lo = finite.length ? finite[Math.floor(finite.length * 0.01)] : 0;
  const hi = finite.length ? finite[Math.floor(finite.length * 0.99)] : 1;
  const colors = schemePalette('inferno');
  const idx = new Uint8Array(rows * cols);
  for (let i = 0; i < idx.length; i++) {
    const v = plane[i];
    const t = Number.isFinite(v) && hi > lo ? Math.sqrt(Math.min(1, Math.max(0, (v - lo) / (hi - lo)))) : 0;
    idx[i] = Math.round(t * (colors.length - 1));
  }
  return encodePalettePng(idx, cols, rows, colors);
}

export interface WriteProductOptions {
  quicklook: boolean;
  sha: boolean;
  /** Extra header cards. */
  cards?: Array<[string, string | number | boolean, string?]>;
}

/**
 * Writes a product at `file` (its name must be a PUNCH product name: the level, type, observatory
 * and time go into the header from it). Refuses to overwrite (E_PUNCH_OUTPUT_EXISTS).
 */
export function writeProduct(
  file: string,
  data: Float64Array | Float32Array,
  shape: number[],
  options: WriteProductOptions,
): string {
  const key = parseProductName(file);
  if (existsSync(file))
    throw new StagebookError('E_PUNCH_OUTPUT_EXISTS', `writeProduct: ${file} already exists`, {
      where: 'writeProduct',
      file,
    });
  ensureDirSync(path.dirname(file));
  const cards: Array<[string, string | number | boolean, string?]> = [
    ['LEVEL', key.level, 'PUNCH processing level'],
    ['TYPECODE', key.file_type, 'product type code'],
    ['OBSCODE', key.observatory, 'observatory (1-4, M = mosaic)'],
    ['DATE-OBS', new Date(key.date_obs).toISOString().replace('Z', ''), 'observation time (UTC)'],
    ['FILEVRSN', key.file_version, 'file version'],
    ...(options.cards ?? []),
  ];
  writeFits(file, [{ data: Float32Array.from(data), shape, header: cards }]);
  const rows = shape[shape.length - 2];
  const cols = shape[shape.length - 1];
  if (options.quicklook) atomicWrite(quicklookPath(file), quicklookPng(data, rows, cols));
  if (options.sha) {
    const hex = createHash('sha256').update(readFileSync(file)).digest('hex');
    atomicWrite(shaPath(file), `${hex}  ${path.basename(file)}\n`);
  }
  return file;
}
