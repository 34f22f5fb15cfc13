/**
 * Opening FITS files: HDUs are located one header at a time (positional reads), so asking for the
 * header of HDU 0 of a 4 GB file reads one or a few 2880-byte blocks. Nothing stays open between
 * calls: every read opens the file, reads, and closes it (safe in long-running notebooks).
 */
import { invalidArgument } from '../../errors/stagebook-error';
import { FitsTable } from './bintable';
import { fitsError } from './errors';
import { BLOCK, FitsHeader } from './header';
import { FitsGroups } from './groups';
import { FitsHdu, FitsImage } from './hdu';
import { readAt, readHeaderAt, withFile } from './io';

export class FitsFile {
  private readonly located: FitsHdu[] = [];
  private complete = false;

  constructor(
    readonly path: string,
    private readonly options: OpenFitsOptions = {},
  ) {}

  /** Locates HDUs up to `index` (reading only their headers); false when the file has fewer. */
  private locate(index: number): boolean {
    if (index < this.located.length) return true;
    if (this.complete) return false;
    withFile(this.path, (fd, size) => {
      while (this.located.length <= index && !this.complete) {
        const i = this.located.length;
        const offset = i === 0 ? 0 : this.located[i - 1].nextOffset;
        if (i > 0 && !this.hasAnotherHdu(fd, size, offset, this.located[i - 1])) {
          this.complete = true;
          break;
        }
        if (
          i === 0 &&
          (size < 9 || readAt(fd, 0, 9, { file: this.path, hdu: 0, what: 'header' }).toString('latin1') !== 'SIMPLE  =')
        ) {
          fitsError('E_FITS_FORMAT', 'not a FITS file: it does not start with SIMPLE  =', {
            file: this.path,
            hdu: 0,
            card: 1,
            offset: 0,
          });
        }
        const raw = readHeaderAt(fd, size, offset, this.path, i);
        checkFirstCard(raw.header, i, this.path, offset);
        this.located.push(
          new FitsHdu(this.path, i, raw.header, raw.headerOffset, raw.dataOffset, this.options.checksum === true),
        );
      }
    });
    return index < this.located.length;
  }

  /**
   * True when another extension header starts at `offset`; throws when the previous data unit is cut
   * short, or when the bytes there are neither an extension nor zero padding (a damaged header or
   * trailing data: astropy stops with a warning there, we refuse to call the file complete).
   */
  private hasAnotherHdu(fd: number, size: number, offset: number, prev: FitsHdu): boolean {
    if (prev.dataOffset + prev.dataSize > size) {
      fitsError(
        'E_FITS_TRUNCATED',
        `data unit needs ${prev.dataSize} bytes from byte ${prev.dataOffset} but the file has ${size}`,
        { file: this.path, hdu: prev.index, offset: size },
      );
    }
    if (offset >= size) return false;
    const loc = { file: this.path, hdu: prev.index + 1, offset };
    const head = readAt(fd, offset, Math.min(8, size - offset), { ...loc, what: 'header' }).toString('latin1');
    if (head === 'XTENSION') return true;
    if (isZeroPadding(fd, offset, size, this.path)) return false;
    if (size - offset >= BLOCK) {
      const found = JSON.stringify(head);
      fitsError('E_FITS_FORMAT', `expected an extension header (XTENSION) or the end of the file, found ${found}`, {
        ...loc,
        card: 1,
      });
    }
    return fitsError(
      'E_FITS_FORMAT',
      `${size - offset} bytes after the last HDU are neither an extension nor zero padding`,
      loc,
    );
  }

  /** The HDU at `index`, or the first with EXTNAME `name` (case-insensitive) and optional EXTVER. */
  hdu(which: number | string, extver?: number): FitsHdu {
    if (typeof which === 'number') {
      if (!Number.isInteger(which) || which < 0)
        invalidArgument('FitsFile.hdu', 'index', `must be a non-negative integer, got ${which}`);
      if (!this.locate(which))
        invalidArgument('FitsFile.hdu', 'index', `${this.path} has ${this.located.length} HDUs, no HDU ${which}`);
      return this.located[which];
    }
    const want = which.toUpperCase();
    for (let i = 0; this.locate(i); i++) {
      const h = this.located[i];
      if (h.name?.toUpperCase() === want && (extver === undefined || h.header.getNumber('EXTVER', 1) === extver))
        return h;
    }
    return invalidArgument('FitsFile.hdu', 'name', `${this.path} has no HDU with EXTNAME ${which}`);
  }

  /** Number of HDUs (reads every header once). */
  get length(): number {
    while (this.locate(this.located.length)) {
      /* locate the next one */
    }
    return this.located.length;
  }

  /** All HDUs (reads every header once). */
  hdus(): FitsHdu[] {
    return this.located.slice(0, this.length);
  }
}

/** True when every byte from `offset` to the end of the file is zero. */
function isZeroPadding(fd: number, offset: number, size: number, file: string): boolean {
  const CHUNK = 1 << 20;
  for (let at = offset; at < size; at += CHUNK) {
    const bytes = readAt(fd, at, Math.min(CHUNK, size - at), { file, hdu: -1, what: 'trailing bytes' });
    if (bytes.some((b) => b !== 0)) return false;
  }
  return true;
}

function checkFirstCard(header: FitsHeader, index: number, file: string, offset: number): void {
  const first = header.cards[0];
  if (index === 0) {
    if (!first || first.key !== 'SIMPLE')
      fitsError('E_FITS_FORMAT', 'not a FITS file: the first card is not SIMPLE', { file, hdu: 0, card: 1, offset });
    if (first.value !== true) fitsError('E_FITS_FORMAT', 'SIMPLE is not T', { file, hdu: 0, card: 1, offset });
  } else if (!first || first.key !== 'XTENSION') {
    fitsError('E_FITS_FORMAT', 'extension header does not start with XTENSION', { file, hdu: index, card: 1, offset });
  }
}

export interface OpenFitsOptions {
  /**
   * Verify each HDU's CHECKSUM/DATASUM before its data are first read (default false, as astropy's
   * `checksum=False`); a mismatch throws E_FITS_CHECKSUM. Costs one pass over each HDU read.
   */
  checksum?: boolean;
}

function checkOpenOptions(where: string, options: OpenFitsOptions, allowed = ['checksum']): void {
  if (options === null || typeof options !== 'object') invalidArgument(where, 'options', 'must be an object');
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) invalidArgument(where, `options.${k}`, `is not an option (${allowed.join(', ')})`);
  }
  if (options.checksum !== undefined && typeof options.checksum !== 'boolean') {
    invalidArgument(where, 'options.checksum', 'must be true or false');
  }
}

/** Opens a FITS file lazily: HDUs are located and decoded on demand. */
export function openFits(path: string, options: OpenFitsOptions = {}): FitsFile {
  if (typeof path !== 'string' || path === '') invalidArgument('openFits', 'path', 'must be a non-empty string');
  checkOpenOptions('openFits', options);
  const file = new FitsFile(path, options);
  file.hdu(0); // fail early on a file that is not FITS
  return file;
}

/** The header of one HDU (for compressed images, the image header); reads only the headers up to it. */
export function readFitsHeader(path: string, hdu: number | string = 0): FitsHeader {
  return openFits(path).hdu(hdu).header;
}

export interface ReadFitsOptions extends OpenFitsOptions {
  /** Indices or EXTNAMEs of the HDUs to decode; default all. */
  hdus?: Array<number | string>;
}

export interface FitsHduContent {
  index: number;
  kind: FitsHdu['kind'];
  name?: string;
  header: FitsHeader;
  image?: FitsImage;
  table?: FitsTable;
  /** Random-groups parameters and arrays (kind 'groups'). */
  groups?: FitsGroups;
}

/** Reads and decodes HDUs eagerly (images and tables); see `openFits` for lazy access. */
export function readFits(path: string, options: ReadFitsOptions = {}): FitsHduContent[] {
  checkOpenOptions('readFits', options, ['checksum', 'hdus']);
  const file = openFits(path, { checksum: options.checksum });
  const selected = options.hdus ? options.hdus.map((h) => file.hdu(h)) : file.hdus();
  return selected.map((h) => {
    h.ensureChecksum();
    const out: FitsHduContent = { index: h.index, kind: h.kind, name: h.name, header: h.header };
    if ((h.kind === 'primary' || h.kind === 'image' || h.kind === 'compressed-image') && h.axes.length > 0)
      out.image = h.readImage();
    if (h.kind === 'bintable' || h.kind === 'table') out.table = h.readTable();
    if (h.kind === 'groups') out.groups = h.readGroups();
    return out;
  });
}
