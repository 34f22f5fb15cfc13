/**
 * STIX FITS products: a primary header (STIXCore's common keywords: FILENAME, DATE, LEVEL, CREATOR,
 * VERSION, STYPE/SSTYPE/SSID, OBT_BEG/OBT_END, RAW_FILE, PARENT, ...) and BINTABLE extensions
 * CONTROL (one row per packet) and DATA (one row per sample). Products are merged, never
 * overwritten (STIXCore `write_fits`: `prod = prod + existing`): the rows of an existing file are read
 * back, rows with the same key are dropped as duplicates, and the union is written sorted by time.
 * The file is written through the engine's temp path, so the previous file stays whole until the
 * rename.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readFits, writeFits, type FitsColumnInput, type FitsHeader } from '../../formats/fits';
import type { FitsCardInput } from '../../formats/fits/header';
import { StagebookError } from '../../errors/stagebook-error';
import { fitsCreationDate } from '../../formats/fits/creation-date';

export type ColKind = 'f64' | 'i32' | 'u32' | 'i64' | 'u8' | 'u16' | 'str';

/** A column held as plain arrays (values flat: nrows * repeat). */
export interface Col {
  name: string;
  kind: ColKind;
  unit?: string;
  repeat?: number;
  values: Array<number | string>;
}

/** Tables of a product. */
export interface ProductTables {
  control: Col[];
  data: Col[];
}

export function col(name: string, kind: ColKind, values: Array<number | string>, unit?: string, repeat?: number): Col {
  return { name, kind, values, unit, repeat };
}

/** [min, max] of numbers without spreading them (tables reach millions of rows). */
export function extent(values: ArrayLike<number | string>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

export function rowCount(cols: readonly Col[]): number {
  return cols.length === 0 ? 0 : Math.floor(cols[0].values.length / (cols[0].repeat ?? 1));
}

function typed(c: Col): FitsColumnInput['data'] {
  const v = c.values as number[];
  switch (c.kind) {
    case 'f64':
      return Float64Array.from(v);
    case 'i32':
      return Int32Array.from(v);
    case 'u32':
      return Uint32Array.from(v);
    case 'u16':
      return Uint16Array.from(v);
    case 'u8':
      return Uint8Array.from(v);
    case 'i64':
      return BigInt64Array.from(v.map((x) => BigInt(Math.round(x))));
    case 'str':
      return (c.values as string[]).map(String);
  }
}

/** FITS columns; every column gets a TUNIT (' ' when unitless, as STIXCore's `add_default_tuint`). */
export function toFitsColumns(cols: readonly Col[]): FitsColumnInput[] {
  return cols.map((c) => ({
    name: c.name,
    data: typed(c),
    repeat: c.kind === 'str' ? undefined : c.repeat,
    unit: c.unit ?? ' ',
  }));
}

function kindOf(data: unknown): ColKind {
  if (Array.isArray(data)) return 'str';
  const n = (data as object).constructor.name;
  const map: Record<string, ColKind> = {
    Float64Array: 'f64',
    Int32Array: 'i32',
    Uint32Array: 'u32',
    Uint16Array: 'u16',
    Uint8Array: 'u8',
    BigInt64Array: 'i64',
    Float32Array: 'f64',
    Int16Array: 'i32',
  };
  const k = map[n];
  if (!k)
    throw new StagebookError('E_UNSUPPORTED', `fits-product: column type ${n} is not used by STIX products`, {
      where: 'readProduct',
    });
  return k;
}

/** Reads the CONTROL and DATA tables and the primary header of a product. */
export function readProduct(file: string): { header: FitsHeader; tables: ProductTables } {
  const hdus = readFits(file);
  const table = (name: string): Col[] => {
    const h = hdus.find((x) => x.name?.toUpperCase() === name);
    if (!h?.table)
      throw new StagebookError('E_FORMAT', `${file}: no ${name} table (not a STIX product written by stagebook?)`, {
        where: 'readProduct',
        file,
      });
    return h.table.columns.map((c) => ({
      name: c.name,
      kind: kindOf(c.data),
      unit: c.unit && c.unit.trim() !== '' ? c.unit : undefined,
      repeat: c.shape.length > 1 ? c.shape[1] : undefined,
      values: Array.isArray(c.data)
        ? (c.data as string[]).map((s) => String(s).trimEnd())
        : Array.from(c.data as ArrayLike<number | bigint>, Number),
    }));
  };
  return { header: hdus[0].header, tables: { control: table('CONTROL'), data: table('DATA') } };
}

/** Row `r` of `cols` as values (for keys). */
function rowValues(cols: readonly Col[], r: number): Array<number | string> {
  return cols.map((c) => {
    const n = c.repeat ?? 1;
    return n === 1 ? c.values[r] : c.values.slice(r * n, (r + 1) * n).join(',');
  });
}

/**
 * Union of two tables with the same columns: a row whose key is in both is kept once (the fresh
 * one; counted as a duplicate); the result is sorted by the first key column (time).
 */
export function mergeRows(
  existing: readonly Col[],
  fresh: readonly Col[],
  keyCols: readonly string[],
): { cols: Col[]; added: number; duplicates: number } {
  const names = existing.map((c) => c.name).join(',');
  if (names !== fresh.map((c) => c.name).join(',')) {
    throw new StagebookError(
      'E_FORMAT',
      `mergeRows: existing columns (${names}) differ from the new ones (${fresh.map((c) => c.name).join(',')})`,
      { where: 'mergeRows' },
    );
  }
  const idx = keyCols.map((k) => existing.findIndex((c) => c.name === k));
  const keyOf = (cols: readonly Col[], r: number): string =>
    idx.map((i) => String(rowValues([cols[i]], r)[0])).join('|');
  const rows: Array<{ src: readonly Col[]; r: number; key: string }> = [];
  const seen = new Set<string>();
  const existingKeys = new Set<string>();
  for (let r = 0; r < rowCount(existing); r++) existingKeys.add(keyOf(existing, r));
  let duplicates = 0;
  // Fresh rows first: a re-made row (e.g. new UTC from a definitive correlation) replaces the old one.
  for (const src of [fresh, existing]) {
    for (let r = 0; r < rowCount(src); r++) {
      const key = keyOf(src, r);
      if (seen.has(key)) continue;
      if (src === fresh && existingKeys.has(key)) duplicates++;
      seen.add(key);
      rows.push({ src, r, key });
    }
  }
  const t0 = idx[0];
  rows.sort((a, b) => Number(a.src[t0].values[a.r]) - Number(b.src[t0].values[b.r]));
  const cols = existing.map((c, ci) => {
    const n = c.repeat ?? 1;
    const values: Array<number | string> = [];
    for (const { src, r } of rows) for (let k = 0; k < n; k++) values.push(src[ci].values[r * n + k]);
    return { ...c, values };
  });
  return { cols, added: rows.length - rowCount(existing), duplicates };
}

/** Writes a product to `tmpPath` (the engine renames it to its final name). */
export function writeProduct(tmpPath: string, header: FitsCardInput[], tables: ProductTables): void {
  writeFits(
    tmpPath,
    [
      { header },
      { type: 'bintable', name: 'CONTROL', columns: toFitsColumns(tables.control) },
      { type: 'bintable', name: 'DATA', columns: toFitsColumns(tables.data) },
    ],
    { overwrite: true },
  );
}

/** Common primary-header cards of a STIX product. */
export function commonHeader(o: {
  filename: string;
  level: string;
  version: number;
  service: number;
  subtype: number;
  ssid?: number;
  rawFiles: string[];
  parents: string[];
  obtBeg: number;
  obtEnd: number;
  rid?: number;
  tcSeq?: number;
}): FitsCardInput[] {
  return [
    ['FILENAME', o.filename, 'FITS filename'],
    ['RAW_FILE', o.rawFiles.join(';'), 'Raw filename(s)'],
    ['PARENT', o.parents.join(';'), 'Source file current data product'],
    ['DATE', fitsCreationDate(), 'FITS file creation date in UTC'],
    ['LEVEL', o.level, 'Data processing level'],
    ['ORIGIN', 'stagebook', 'Processing site'],
    ['CREATOR', 'stagebook', 'FITS creation software'],
    ['VERSION', String(o.version).padStart(2, '0'), 'Version of data product'],
    ['OBSRVTRY', 'Solar Orbiter', 'Satellite name'],
    ['TELESCOP', 'SOLO/STIX', 'Telescope/Sensor name'],
    ['INSTRUME', 'STIX', 'Instrument name'],
    ['STYPE', o.service, 'Service Type'],
    ['SSTYPE', o.subtype, 'Sub-service Type'],
    ['SSID', o.ssid ?? -1, 'Science Structure ID'],
    ['SCI_RID', o.rid === undefined ? '' : String(o.rid).padStart(10, '0'), 'Science data request ID'],
    [
      'SCI_TCC',
      o.tcSeq === undefined ? '' : String(o.tcSeq).padStart(5, '0'),
      'Science data request TC packet seq. control',
    ],
    ['OBT_BEG', o.obtBeg, 'Start of acquisition time in OBT'],
    ['OBT_END', o.obtEnd, 'End of acquisition time in OBT'],
  ];
}

/** Parent/raw-file lists of an existing product, merged with new names (no duplicates). */
export function mergedList(existing: FitsHeader | undefined, key: 'RAW_FILE' | 'PARENT', add: string[]): string[] {
  const old = existing
    ? String(existing.get(key) ?? '')
        .split(';')
        .filter((s) => s !== '')
    : [];
  return [...new Set([...old, ...add.map((f) => path.basename(f))])];
}

/** Reads the existing product at `file` when there is one. */
export function existingProduct(file: string): ReturnType<typeof readProduct> | undefined {
  return existsSync(file) ? readProduct(file) : undefined;
}
