/**
 * One HDU of a FITS file, read lazily: the header is parsed when the HDU is located, data are read
 * with positional reads only when asked for (whole image, a range of rows, table rows, checksum).
 */
import { readAsciiTable } from './asciitable';
import { FitsColumn, FitsTable, readFixedColumn, readVlaColumn } from './bintable';
import { addSums, onesComplementSum } from './checksum';
import { compressedImageHeader, compressionInfo, TableAccess } from './compressed';
import { decodeCompressedRows } from './compressed-read';
import { fitsError, FitsLocation } from './errors';
import { decodeGroups, FitsGroups, isRandomGroups } from './groups';
import { BLOCK, FitsHeader } from './header';
import { Bitpix, checkBitpix, FitsImageData, scalingOf, storedView, toPhysical } from './image';
import { readAt, withFile } from './io';
import { binaryColumns } from './table-format';

export type FitsHduKind = 'primary' | 'groups' | 'image' | 'bintable' | 'table' | 'compressed-image' | 'other';

/** Pixels with physical values: `shape` is C order ([NAXIS2, NAXIS1] for 2-D), `data` row-major. */
export interface FitsImage {
  data: FitsImageData;
  shape: number[];
  /** Storage BITPIX (ZBITPIX for compressed images). */
  bitpix: Bitpix;
  /** First row returned (0 for whole images). */
  startRow: number;
}

export interface ReadTableOptions {
  /** [first row, count]; default all rows. */
  rows?: [number, number];
  /** Column names to decode (case-insensitive); default all. */
  columns?: string[];
}

export interface ChecksumStatus {
  /** true/false when CHECKSUM is present (HDU sums to -0), undefined when absent or blank. */
  checksum?: boolean;
  /** true/false when DATASUM is present, undefined when absent or blank. */
  datasum?: boolean;
  /** The computed data sum. */
  computedDatasum: number;
}

/** Validates the structural keywords and returns the data size in bytes (unpadded). */
export function structuralSize(
  header: FitsHeader,
  loc: FitsLocation,
): { bitpix: Bitpix; axes: number[]; size: number } {
  const cards = header.cards;
  const bitpixCard = cards.findIndex((c) => c.key === 'BITPIX');
  const bitpix = checkBitpix(header.get('BITPIX'), { ...loc, card: bitpixCard < 0 ? 2 : bitpixCard + 1 });
  const naxis = header.get('NAXIS');
  if (typeof naxis !== 'number' || !Number.isInteger(naxis) || naxis < 0 || naxis > 999) {
    return fitsError('E_FITS_FORMAT', `NAXIS = ${String(naxis)} is not an integer in 0..999`, loc);
  }
  const axes: number[] = [];
  for (let i = 1; i <= naxis; i++) {
    const n = header.get(`NAXIS${i}`);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
      return fitsError('E_FITS_FORMAT', `NAXIS${i} = ${String(n)} is not a non-negative integer`, loc);
    axes.push(n);
  }
  const groups = header.get('GROUPS') === true && axes[0] === 0;
  const counted = groups ? axes.slice(1) : axes;
  const pixels = naxis === 0 ? 0 : counted.reduce((a, b) => a * b, 1);
  const size = (Math.abs(bitpix) / 8) * header.getNumber('GCOUNT', 1) * (header.getNumber('PCOUNT', 0) + pixels);
  return { bitpix, axes, size };
}

export class FitsHdu {
  readonly kind: FitsHduKind;
  /** The header; for compressed images the rebuilt image header (as astropy's CompImageHDU.header). */
  readonly header: FitsHeader;
  readonly bitpix: Bitpix;
  /** NAXISn in FITS order (fastest first) of the stored unit (the table, for compressed images). */
  readonly axes: number[];
  readonly dataSize: number;

  constructor(
    readonly file: string,
    readonly index: number,
    /** The header as stored in the file (the BINTABLE header for compressed images). */
    readonly rawHeader: FitsHeader,
    readonly headerOffset: number,
    readonly dataOffset: number,
    /** Verify CHECKSUM/DATASUM before the first data read (E_FITS_CHECKSUM on a mismatch). */
    readonly checksumOnRead = false,
  ) {
    const s = structuralSize(rawHeader, this.loc());
    this.bitpix = s.bitpix;
    this.axes = s.axes;
    this.dataSize = s.size;
    this.kind = classify(rawHeader, index);
    this.header = this.kind === 'compressed-image' ? compressedImageHeader(rawHeader) : rawHeader;
  }

  /**
   * EXTNAME (or undefined). A compressed image keeps the table's EXTNAME even when it is the
   * default COMPRESSED_IMAGE that the rebuilt image header leaves out (astropy CompImageHDU.name).
   */
  get name(): string | undefined {
    const v =
      this.header.get('EXTNAME') ?? (this.kind === 'compressed-image' ? this.rawHeader.get('EXTNAME') : undefined);
    return typeof v === 'string' ? v : undefined;
  }

  /** Offset of the next HDU's header. */
  get nextOffset(): number {
    return this.dataOffset + Math.ceil(this.dataSize / BLOCK) * BLOCK;
  }

  /** Image shape in C order (slowest axis first), e.g. [NAXIS2, NAXIS1]. */
  get shape(): number[] {
    if (this.kind === 'compressed-image') return compressionInfo(this.rawHeader, this.loc()).axes.slice().reverse();
    return this.axes.slice().reverse();
  }

  private loc(extra: Partial<FitsLocation> = {}): FitsLocation {
    return { file: this.file, hdu: this.index, ...extra };
  }

  private checksummed = false;

  /**
   * With `checksum: true` on open: verifies this HDU's CHECKSUM and DATASUM once, throwing
   * E_FITS_CHECKSUM on a mismatch (absent or blank keywords are undefined, not failures).
   */
  ensureChecksum(): void {
    if (!this.checksumOnRead || this.checksummed) return;
    const s = this.verifyChecksum();
    if (s.datasum === false) {
      const stored = String(this.rawHeader.get('DATASUM')).trim();
      fitsError(
        'E_FITS_CHECKSUM',
        `DATASUM is ${stored} but the data unit sums to ${s.computedDatasum}`,
        this.loc({ where: 'checksum', offset: this.dataOffset }),
      );
    }
    if (s.checksum === false) {
      fitsError(
        'E_FITS_CHECKSUM',
        'CHECKSUM does not verify: the header or data unit changed since it was written',
        this.loc({ where: 'checksum', offset: this.headerOffset }),
      );
    }
    this.checksummed = true;
  }

  private requireImage(where: string): void {
    if (this.kind !== 'primary' && this.kind !== 'image' && this.kind !== 'compressed-image') {
      fitsError('E_FITS_FORMAT', `HDU is a ${this.kind}, not an image`, this.loc({ where }));
    }
  }

  /** Group parameters and arrays of a random-groups primary HDU (astropy GroupsHDU.data). */
  readGroups(): FitsGroups {
    if (this.kind !== 'groups') {
      fitsError('E_FITS_FORMAT', `HDU is a ${this.kind}, not random groups`, this.loc({ where: 'readGroups' }));
    }
    this.ensureChecksum();
    const raw = withFile(this.file, (fd, size) => {
      if (this.dataOffset + this.dataSize > size) {
        fitsError(
          'E_FITS_TRUNCATED',
          `random groups need ${this.dataSize} bytes from byte ${this.dataOffset} but the file has ${size}`,
          this.loc({ offset: size }),
        );
      }
      return readAt(fd, this.dataOffset, this.dataSize, { file: this.file, hdu: this.index, what: 'random groups' });
    });
    return decodeGroups(this.header, this.bitpix, this.axes, raw, this.loc({ where: 'readGroups' }));
  }

  /** The whole image with physical values (BSCALE/BZERO/BLANK applied as astropy does). */
  readImage(): FitsImage {
    this.requireImage('readImage');
    const shape = this.shape;
    const rows = shape.length === 0 ? 0 : shape.slice(0, -1).reduce((a, b) => a * b, 1);
    return this.readRows(0, rows, 'readImage');
  }

  /**
   * Rows [start, start + count) of an image: lines along NAXIS1, higher axes flattened (for a 2-D
   * image, rows of NAXIS2). Only those bytes (or, when compressed, the overlapping tiles) are read.
   */
  readRows(start: number, count: number, where = 'readRows'): FitsImage {
    this.requireImage(where);
    this.ensureChecksum();
    const shape = this.shape;
    const width = shape.length ? shape[shape.length - 1] : 0;
    const total = shape.length === 0 ? 0 : shape.slice(0, -1).reduce((a, b) => a * b, 1);
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > total) {
      fitsError('E_FITS_FORMAT', `rows ${start}..${start + count} outside 0..${total}`, this.loc({ where }));
    }
    const outShape = shape.length <= 1 ? shape : where === 'readImage' ? shape : [count, width];
    if (this.kind === 'compressed-image') return this.readCompressedRows(start, count, outShape);
    const bytes = Math.abs(this.bitpix) / 8;
    const raw = withFile(this.file, (fd, size) => {
      const offset = this.dataOffset + start * width * bytes;
      const length = count * width * bytes;
      if (offset + length > size)
        fitsError(
          'E_FITS_TRUNCATED',
          `image data need ${length} bytes at byte ${offset} but the file has ${size}`,
          this.loc({ offset: size }),
        );
      return readAt(fd, offset, length, { file: this.file, hdu: this.index, what: 'image data' });
    });
    const data = toPhysical(storedView(raw, this.bitpix), scalingOf(this.header, this.bitpix));
    return { data, shape: outShape, bitpix: this.bitpix, startRow: start };
  }

  private readCompressedRows(start: number, count: number, shape: number[]): FitsImage {
    const info = compressionInfo(this.rawHeader, this.loc());
    const access = this.tableAccess(0, this.axes[1] ?? 0, true);
    const stored = decodeCompressedRows(info, access, this.rawHeader, start, count);
    const data =
      info.zbitpix > 0 || this.header.has('BSCALE') || this.header.has('BZERO')
        ? toPhysical(stored, scalingOf(this.header, info.zbitpix))
        : stored;
    return { data, shape, bitpix: info.zbitpix, startRow: start };
  }

  /** Reads table rows (and the heap when needed) for BINTABLE-based HDUs. */
  private tableAccess(first: number, count: number, withHeap: boolean): TableAccess {
    const rowBytes = this.axes[0] ?? 0;
    const nrows = this.axes[1] ?? 0;
    const loc = this.loc();
    return withFile(this.file, (fd, size) => {
      if (this.dataOffset + this.dataSize > size) {
        fitsError(
          'E_FITS_TRUNCATED',
          `data unit needs ${this.dataSize} bytes from byte ${this.dataOffset} but the file has ${size}`,
          this.loc({ offset: size }),
        );
      }
      const what = { file: this.file, hdu: this.index, what: 'table rows' };
      const rows = readAt(fd, this.dataOffset + first * rowBytes, count * rowBytes, what);
      let heap = Buffer.alloc(0);
      if (withHeap) {
        const theap = this.rawHeader.getNumber('THEAP', rowBytes * nrows);
        const heapSize = this.rawHeader.getNumber('PCOUNT', 0) - (theap - rowBytes * nrows);
        if (heapSize > 0) heap = readAt(fd, this.dataOffset + theap, heapSize, { ...what, what: 'heap' });
      }
      return { columns: this.kind === 'table' ? [] : binaryColumns(this.rawHeader, loc), rows, rowBytes, heap, loc };
    });
  }

  /** Decodes a BINTABLE or ASCII TABLE (optionally a row range and a subset of columns). */
  readTable(options: ReadTableOptions = {}): FitsTable {
    if (this.kind !== 'bintable' && this.kind !== 'table' && this.kind !== 'compressed-image') {
      fitsError('E_FITS_FORMAT', `HDU is a ${this.kind}, not a table`, this.loc({ where: 'readTable' }));
    }
    this.ensureChecksum();
    const nrows = this.axes[1] ?? 0;
    const [first, count] = options.rows ?? [0, nrows];
    if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 0 || first + count > nrows) {
      fitsError(
        'E_FITS_FORMAT',
        `rows ${first}..${first + count} outside 0..${nrows}`,
        this.loc({ where: 'readTable' }),
      );
    }
    const want = options.columns?.map((c) => c.toUpperCase());
    if (this.kind === 'table') {
      const access = this.tableAccess(first, count, false);
      return readAsciiTable(this.rawHeader, access.rows, count, first, this.loc(), options.columns);
    }
    const selected = binaryColumns(this.rawHeader, this.loc()).filter(
      (c) => !want || want.includes(c.name.toUpperCase()),
    );
    const access = this.tableAccess(
      first,
      count,
      selected.some((c) => c.format.vla),
    );
    const heapReader = (offset: number, length: number): Buffer => {
      if (offset + length > access.heap.length)
        fitsError(
          'E_FITS_FORMAT',
          `array descriptor points outside the heap (${offset}+${length} > ${access.heap.length})`,
          this.loc(),
        );
      const out = Buffer.from(new ArrayBuffer(length));
      access.heap.copy(out, 0, offset, offset + length);
      return out;
    };
    const columns: FitsColumn[] = selected.map((c) =>
      c.format.vla
        ? readVlaColumn(c, access.rows, count, access.rowBytes, heapReader, this.loc())
        : readFixedColumn(c, access.rows, count, access.rowBytes),
    );
    const byName: Record<string, FitsColumn> = {};
    for (const c of columns) {
      byName[c.name] = c;
      byName[c.name.toUpperCase()] ??= c;
    }
    return { nrows: count, firstRow: first, columns, byName };
  }

  /** Verifies CHECKSUM (whole HDU sums to -0) and DATASUM (data unit sum), like astropy/fitscheck. */
  verifyChecksum(): ChecksumStatus {
    return withFile(this.file, (fd, size) => {
      const padded = Math.ceil(this.dataSize / BLOCK) * BLOCK;
      const what = { file: this.file, hdu: this.index, what: 'HDU' };
      const header = readAt(fd, this.headerOffset, this.dataOffset - this.headerOffset, what);
      const dataLength = Math.min(padded, size - this.dataOffset);
      if (dataLength < this.dataSize)
        fitsError('E_FITS_TRUNCATED', 'data unit is truncated', this.loc({ offset: size }));
      const data = Buffer.alloc(padded);
      readAt(fd, this.dataOffset, dataLength, what).copy(data);
      const datasum = onesComplementSum(data);
      const total = addSums(onesComplementSum(header), datasum);
      // A blank CHECKSUM/DATASUM ('        ') means "not computed", as in cfitsio's ffvcks.
      const defined = (key: string): string | undefined => {
        const v = this.rawHeader.get(key);
        return v === undefined || v === null || String(v).trim() === '' ? undefined : String(v).trim();
      };
      const ds = defined('DATASUM');
      return {
        checksum: defined('CHECKSUM') === undefined ? undefined : total === 0xffffffff,
        datasum: ds === undefined ? undefined : ds === String(datasum),
        computedDatasum: datasum,
      };
    });
  }
}

function classify(h: FitsHeader, index: number): FitsHduKind {
  if (index === 0) return isRandomGroups(h) ? 'groups' : 'primary';
  const x = String(h.get('XTENSION') ?? '')
    .trim()
    .toUpperCase();
  if (x === 'IMAGE') return 'image';
  if (x === 'TABLE') return 'table';
  if (x === 'BINTABLE' || x === 'A3DTABLE') return h.get('ZIMAGE') === true ? 'compressed-image' : 'bintable';
  return 'other';
}
