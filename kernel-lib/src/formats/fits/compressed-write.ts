/**
 * RICE_1 tile compression of integer images for writeFits, laid out like fpack / astropy
 * CompImageHDU output: one tile per image row (ZTILE1 = NAXIS1, other ZTILEn = 1), a BINTABLE with
 * one COMPRESSED_DATA variable-length byte column, BLOCKSIZE 32 and BYTEPIX = |BITPIX| / 8.
 * The image header's structural cards move to their Z equivalents (ZBITPIX, ZNAXISn, ZTENSION...).
 */
import { invalidArgument } from '../../errors/stagebook-error';
import { FitsHeader } from './header';
import { storageOf, toStoredBytes } from './image';
import { riceEncodeTiles } from './rice';
import type { FitsImageInput } from './write';

const MOVED = new Set(['XTENSION', 'BITPIX', 'NAXIS', 'PCOUNT', 'GCOUNT']);
const BLOCKSIZE = 32;

/** Table header and data (rows + heap, unpadded) of a RICE_1-compressed image. */
export function encodeRiceImage(
  image: FitsHeader,
  input: FitsImageInput,
  index: number,
): { header: FitsHeader; data: Buffer } {
  const data = input.data;
  if (!data) return invalidArgument('writeFits', `hdus[${index}].data`, 'a compressed image needs data');
  const { bitpix } = storageOf(data);
  if (bitpix < 0 || bitpix === 64)
    invalidArgument(
      'writeFits',
      `hdus[${index}].compress`,
      `RICE_1 needs 8, 16 or 32-bit integer data, got BITPIX ${bitpix}`,
    );
  const bytepix = bitpix / 8;
  const axes: number[] = [];
  for (let i = 1; i <= image.getNumber('NAXIS'); i++) axes.push(image.getNumber(`NAXIS${i}`));
  const width = axes[0] ?? 0;
  const ntiles = width === 0 ? 0 : data.length / width;
  // Stored (signed, BZERO-shifted) values in host order: the big-endian bytes swapped back.
  const stored = toStoredBytes(data);
  if (bytepix === 2) stored.swap16();
  else if (bytepix === 4) stored.swap32();
  const { heap, lengths } = ntiles
    ? riceEncodeTiles(stored, new Array<number>(ntiles).fill(width), BLOCKSIZE, bytepix)
    : { heap: Buffer.alloc(0), lengths: [] };
  const rows = Buffer.alloc(8 * ntiles + heap.length);
  let offset = 0;
  lengths.forEach((len, t) => {
    rows.writeInt32BE(len, 8 * t);
    rows.writeInt32BE(offset, 8 * t + 4);
    offset += len;
  });
  heap.copy(rows, 8 * ntiles);
  const h = new FitsHeader();
  h.set('XTENSION', 'BINTABLE', 'binary table extension');
  h.set('BITPIX', 8, 'array data type');
  h.set('NAXIS', 2, 'number of array dimensions');
  h.set('NAXIS1', 8, 'length of dimension 1');
  h.set('NAXIS2', ntiles, 'length of dimension 2');
  h.set('PCOUNT', heap.length, 'number of group parameters');
  h.set('GCOUNT', 1, 'number of groups');
  h.set('TFIELDS', 1, 'number of table fields');
  h.set('TTYPE1', 'COMPRESSED_DATA', 'label for field 1');
  h.set('TFORM1', `1PB(${Math.max(0, ...lengths)})`, 'data format of field: variable length array');
  h.set('ZIMAGE', true, 'extension contains compressed image');
  h.set('ZTENSION', 'IMAGE', 'Image extension');
  h.set('ZBITPIX', bitpix, 'data type of original image');
  h.set('ZNAXIS', axes.length, 'dimension of original image');
  axes.forEach((n, i) => h.set(`ZNAXIS${i + 1}`, n, `length of original image axis`));
  h.set('ZPCOUNT', 0, 'number of parameters');
  h.set('ZGCOUNT', 1, 'number of groups');
  axes.forEach((n, i) => h.set(`ZTILE${i + 1}`, i === 0 ? n : 1, 'size of tiles to be compressed'));
  h.set('ZCMPTYPE', 'RICE_1', 'compression algorithm');
  h.set('ZNAME1', 'BLOCKSIZE', 'compression block size');
  h.set('ZVAL1', BLOCKSIZE, 'pixels per block');
  h.set('ZNAME2', 'BYTEPIX', 'bytes per pixel (1, 2, 4, or 8)');
  h.set('ZVAL2', bytepix, 'bytes per pixel (1, 2, 4, or 8)');
  for (const c of image.cards) {
    if (c.kind === 'commentary' || !(MOVED.has(c.key) || /^NAXIS\d+$/.test(c.key))) h.appendCard(c);
  }
  return { header: h, data: rows };
}
