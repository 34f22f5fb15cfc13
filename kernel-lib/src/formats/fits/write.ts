/**
 * writeFits: primary/IMAGE HDUs, BINTABLEs and RICE_1 tile-compressed integer images, with
 * DATASUM/CHECKSUM (on by default, as astropy's `checksum=True`). The file is written to a
 * temporary name in the same directory and renamed into place, so a failure halfway leaves
 * nothing (or the previous file) behind.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { invalidArgument } from '../../errors/stagebook-error';
import { encodeBinaryTable, FitsColumnInput } from './bintable-write';
import { addSums, CHECKSUM_PLACEHOLDER, encodeChecksum, onesComplementSum } from './checksum';
import { encodeRiceImage } from './compressed-write';
import { fitsCreationDate } from './creation-date';
import { fitsError } from './errors';
import { BLOCK, FitsCardInput, FitsHeader } from './header';
import { FitsImageData, storageOf, toStoredBytes } from './image';

export interface FitsImageInput {
  type?: 'image';
  /** Pixels (row-major, C order); omitted for a header-only HDU. */
  data?: FitsImageData;
  /** C-order shape, e.g. [NAXIS2, NAXIS1]; default [data.length]. */
  shape?: number[];
  /** Extra cards (structural keywords, BSCALE/BZERO and checksums are recomputed). */
  header?: FitsHeader | FitsCardInput[];
  /** EXTNAME. */
  name?: string;
  /** Tile-compress with RICE_1 (integer data only; written as a BINTABLE extension like fpack). */
  compress?: 'RICE_1';
}

export interface FitsTableInput {
  type: 'bintable';
  columns: FitsColumnInput[];
  header?: FitsHeader | FitsCardInput[];
  name?: string;
}

export type FitsHduInput = FitsImageInput | FitsTableInput;

export interface WriteFitsOptions {
  /** Write DATASUM and CHECKSUM cards (default true). */
  checksum?: boolean;
  /** Replace an existing file (default false, like astropy). */
  overwrite?: boolean;
}

const STRUCTURAL = new RegExp(
  '^(SIMPLE|XTENSION|BITPIX|NAXIS\\d*|EXTEND|PCOUNT|GCOUNT|GROUPS|TFIELDS|THEAP|CHECKSUM|DATASUM|END|' +
    '(TTYPE|TFORM|TUNIT|TSCAL|TZERO|TNULL|TDIM|TBCOL)\\d+|' +
    'Z(IMAGE|CMPTYPE|BITPIX|NAXIS\\d*|TILE\\d+|NAME\\d+|VAL\\d+|QUANTIZ|DITHER0|SIMPLE|TENSION|EXTEND|BLOCKED|PCOUNT|GCOUNT|HECKSUM|DATASUM|MASKCMP))$',
);

function userCards(h: FitsHeader | FitsCardInput[] | undefined, drop: (key: string) => boolean): FitsHeader {
  const src = h instanceof FitsHeader ? h : new FitsHeader(h ?? []);
  return new FitsHeader(src.cards.filter((c) => c.kind === 'commentary' || !drop(c.key)));
}

function imageHdu(input: FitsImageInput, primary: boolean): { header: FitsHeader; data: Buffer } {
  const data = input.data;
  const shape = input.shape ?? (data ? [data.length] : []);
  const count = shape.reduce((a, b) => a * b, 1);
  if (data && count !== data.length)
    invalidArgument('writeFits', 'shape', `[${shape.join(', ')}] has ${count} elements but data has ${data.length}`);
  if (shape.some((n) => !Number.isInteger(n) || n < 0))
    invalidArgument('writeFits', 'shape', `must be non-negative integers: [${shape.join(', ')}]`);
  const storage = data ? storageOf(data) : { bitpix: 8 as const };
  const h = new FitsHeader();
  if (primary) h.set('SIMPLE', true, 'conforms to FITS standard');
  else h.set('XTENSION', 'IMAGE', 'Image extension');
  h.set('BITPIX', storage.bitpix, 'array data type');
  const axes = data ? [...shape].reverse() : [];
  h.set('NAXIS', axes.length, 'number of array dimensions');
  axes.forEach((n, i) => h.set(`NAXIS${i + 1}`, n));
  if (primary) h.set('EXTEND', true);
  else h.set('PCOUNT', 0, 'number of parameters').set('GCOUNT', 1, 'number of groups');
  const isFloat = storage.bitpix < 0;
  const user = userCards(
    input.header,
    (k) =>
      STRUCTURAL.test(k) ||
      k === 'BSCALE' ||
      k === 'BZERO' ||
      (isFloat && k === 'BLANK') ||
      (!!input.name && k === 'EXTNAME'),
  );
  if (input.name) h.set('EXTNAME', input.name, 'extension name');
  if ('bzero' in storage && storage.bzero !== undefined) {
    h.set('BSCALE', 1);
    h.set('BZERO', storage.bzero);
  }
  for (const c of user.cards) h.appendCard(c);
  return { header: h, data: data ? toStoredBytes(data) : Buffer.alloc(0) };
}

function tableHdu(input: FitsTableInput): { header: FitsHeader; data: Buffer } {
  const t = encodeBinaryTable(input.columns);
  const h = new FitsHeader();
  h.set('XTENSION', 'BINTABLE', 'binary table extension');
  h.set('BITPIX', 8, 'array data type');
  h.set('NAXIS', 2, 'number of array dimensions');
  h.set('NAXIS1', t.naxis1, 'length of dimension 1');
  h.set('NAXIS2', t.nrows, 'length of dimension 2');
  h.set('PCOUNT', t.pcount, 'number of group parameters');
  h.set('GCOUNT', 1, 'number of groups');
  h.set('TFIELDS', input.columns.length, 'number of table fields');
  for (const [k, v] of t.cards as Array<[string, string | number | bigint]>) h.set(k, v);
  if (input.name) h.set('EXTNAME', input.name, 'extension name');
  const user = userCards(input.header, (k) => STRUCTURAL.test(k) || (!!input.name && k === 'EXTNAME'));
  for (const c of user.cards) h.appendCard(c);
  return { header: h, data: t.data };
}

function padded(data: Buffer): Buffer {
  const size = Math.ceil(data.length / BLOCK) * BLOCK;
  if (size === data.length) return data;
  const out = Buffer.alloc(size);
  data.copy(out);
  return out;
}

/** Adds DATASUM and CHECKSUM so the HDU sums to -0 (cfitsio ffpcks). */
export function addChecksum(header: FitsHeader, paddedData: Buffer): void {
  const datasum = onesComplementSum(paddedData);
  // astropy's comment stamp; fixed by SOURCE_DATE_EPOCH like DATE, so a product can be byte-deterministic
  const stamp = fitsCreationDate().slice(0, 19);
  header.delete('CHECKSUM');
  header.delete('DATASUM');
  header.set('CHECKSUM', CHECKSUM_PLACEHOLDER, `HDU checksum updated ${stamp}`);
  header.set('DATASUM', String(datasum), `data unit checksum updated ${stamp}`);
  const total = addSums(onesComplementSum(header.toBytes()), datasum);
  header.set('CHECKSUM', encodeChecksum(total));
}

function encodeHdu(input: FitsHduInput, index: number): { header: FitsHeader; data: Buffer } {
  if (input.type === 'bintable') return tableHdu(input);
  if (input.compress !== undefined) {
    if (input.compress !== 'RICE_1')
      invalidArgument(
        'writeFits',
        `hdus[${index}].compress`,
        `only 'RICE_1' is supported, got ${String(input.compress)}`,
      );
    const img = imageHdu({ ...input, compress: undefined }, false);
    return encodeRiceImage(img.header, input, index);
  }
  return imageHdu(input, index === 0);
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length;)
    done += fs.writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
}

/**
 * Writes `hdus` to `path`. A table or compressed image first in the list gets an empty primary HDU
 * in front of it (FITS requires the primary HDU to be an image).
 */
export function writeFits(path: string, hdus: FitsHduInput[], options: WriteFitsOptions = {}): void {
  if (typeof path !== 'string' || path === '') invalidArgument('writeFits', 'path', 'must be a non-empty string');
  if (!Array.isArray(hdus) || hdus.length === 0) invalidArgument('writeFits', 'hdus', 'must be a non-empty array');
  const checksum = options.checksum ?? true;
  if (!options.overwrite && fs.existsSync(path))
    invalidArgument('writeFits', 'path', `${path} exists (pass {overwrite: true} to replace it)`);
  const list: FitsHduInput[] =
    hdus[0].type === 'bintable' || (hdus[0] as FitsImageInput).compress ? [{}, ...hdus] : hdus;
  const tmp = nodePath.join(nodePath.dirname(path), `.${nodePath.basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx');
    for (let i = 0; i < list.length; i++) {
      const { header, data } = encodeHdu(list[i], i);
      const body = padded(data);
      if (checksum) addChecksum(header, body);
      writeAll(fd, header.toBytes());
      writeAll(fd, body);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, path);
  } catch (cause) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    if (cause instanceof Error && cause.name === 'StagebookError') throw cause;
    fitsError('E_FITS_IO', `writeFits failed: ${(cause as Error).message}`, { file: path }, cause);
  }
}
