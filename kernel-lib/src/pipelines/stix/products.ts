/**
 * STIX product types, versions and file names, exactly as STIXCore names them
 * (`stixcore/io/product_processors/fits/processors.py`):
 * `solo_{LEVEL}_stix-{type}-{name}_{daterange}_V{NN}{U?}[_{rid:010d}-{tcseq:05d}].fits`, where
 * - LB: `{service}-{subtype}-{ssid}` with the SCET day start `{coarse:010d}`, or `0000000000-9999999999`
 *   plus the request suffix for science;
 * - L0: daily `{coarse day start:010d}`, science `{start coarse:010d}-{end coarse:010d}`;
 * - L1/L2: daily `YYYYMMDD`, science `YYYYMMDDTHHMMSS-YYYYMMDDTHHMMSS`;
 * - `U` marks a daily L1/L2 file made with the predicted time correlation only.
 * Version = max(PRODUCT_PROCESSING_VERSION, the product's own version), as `BaseProduct`.
 */
import { StagebookError } from '../../errors/stagebook-error';

/** STIXCore's `BaseProduct.PRODUCT_PROCESSING_VERSION` analogue. */
export const PRODUCT_PROCESSING_VERSION = 2;
export const SEC_IN_DAY = 86_400;
/** SCET epoch: on-board time 0 is 2000-01-01T00:00:00Z (before time correlation). */
export const SCET_EPOCH_MS = Date.UTC(2000, 0, 1);

/** A product type: its packet key and STIX type/name. */
export interface ProductType {
  /** `service-subtype-ssid` */
  key: string;
  type: 'hk' | 'ql' | 'sci';
  name: string;
  /** Daily files (hk, ql) or one file per science request. */
  daily: boolean;
  /** Per-product processing version (the higher of this and PRODUCT_PROCESSING_VERSION wins). */
  version?: number;
}

/** The product types stagebook processes (packets of other types are counted and reported). */
export const PRODUCT_TYPES: readonly ProductType[] = [
  { key: '3-25-2', type: 'hk', name: 'maxi', daily: true },
  { key: '21-6-30', type: 'ql', name: 'lightcurve', daily: true },
  { key: '21-6-21', type: 'sci', name: 'xray-cpd', daily: false },
];

/** The product type of a packet key, or undefined. */
export function productOf(key: string): ProductType | undefined {
  return PRODUCT_TYPES.find((p) => p.key === key);
}

/** The version a product is written with. */
export function productVersion(p: ProductType): number {
  return Math.max(PRODUCT_PROCESSING_VERSION, p.version ?? 0);
}

const v2 = (n: number): string => String(n).padStart(2, '0');
const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Request suffix `_{rid:010d}-{tcseq:05d}` of science products. */
export function requestSuffix(rid?: number, tcSeq?: number): string {
  return rid === undefined ? '' : `_${pad(rid, 10)}-${pad(tcSeq ?? 0, 5)}`;
}

/** Start of the SCET day holding `coarse` (STIX `get_scedays(timestamp=True)`). */
export function scetDayStart(coarse: number): number {
  return Math.floor(coarse / SEC_IN_DAY) * SEC_IN_DAY;
}

/** LB file name. */
export function lbFileName(
  key: string,
  version: number,
  day: number | undefined,
  rid?: number,
  tcSeq?: number,
): string {
  const range = day === undefined ? '0000000000-9999999999' : pad(day, 10);
  return `solo_LB_stix-${key}_${range}_V${v2(version)}${requestSuffix(rid, tcSeq)}.fits`;
}

/** L0 file name: daily by SCET day, science by SCET coarse range. */
export function l0FileName(
  p: ProductType,
  version: number,
  range: { day?: number; start?: number; end?: number },
  rid?: number,
  tcSeq?: number,
): string {
  const dr = p.daily
    ? pad(range.day as number, 10)
    : `${pad(range.start as number, 10)}-${pad(range.end as number, 10)}`;
  return `solo_L0_stix-${p.type}-${p.name}_${dr}_V${v2(version)}${requestSuffix(rid, tcSeq)}.fits`;
}

function utcCompact(ms: number, withTime: boolean): string {
  const iso = new Date(ms).toISOString();
  const d = iso.slice(0, 10).replace(/-/g, '');
  return withTime ? `${d}T${iso.slice(11, 19).replace(/:/g, '')}` : d;
}

/** L1/L2 file name: daily `YYYYMMDD` (with `U` when incomplete), science `start-end` UTC. */
export function l1FileName(
  level: 'L1' | 'L2',
  p: ProductType,
  version: number,
  range: { dayMs?: number; startMs?: number; endMs?: number },
  incomplete: boolean,
  rid?: number,
  tcSeq?: number,
): string {
  const dr = p.daily
    ? utcCompact(range.dayMs as number, false)
    : `${utcCompact(range.startMs as number, true)}-${utcCompact(range.endMs as number, true)}`;
  const u = incomplete && p.daily ? 'U' : '';
  return `solo_${level}_stix-${p.type}-${p.name}_${dr}_V${v2(version)}${u}${requestSuffix(rid, tcSeq)}.fits`;
}

const NAME = /^solo_(LB|L0|L1|L2)_stix-([^_]+)_([^_]+)_V(\d{2})(U?)(?:_(\d{10})-(\d{5}))?\.fits$/;

/** Parsed parts of a product file name. */
export interface ProductName {
  level: string;
  product: string;
  dateRange: string;
  version: number;
  incomplete: boolean;
  rid?: number;
  tcSeq?: number;
}

/** Parses a STIX product file name (E_INVALID_ARGUMENT when it does not follow the convention). */
export function parseProductName(name: string): ProductName {
  const m = NAME.exec(name);
  if (!m)
    throw new StagebookError('E_INVALID_ARGUMENT', `parseProductName: ${name} is not a STIX product name`, {
      where: 'parseProductName',
      field: 'name',
    });
  return {
    level: m[1],
    product: m[2],
    dateRange: m[3],
    version: Number(m[4]),
    incomplete: m[5] === 'U',
    rid: m[6] ? Number(m[6]) : undefined,
    tcSeq: m[7] ? Number(m[7]) : undefined,
  };
}

/** The complete name of an incomplete (`…_VnnU…`) file (STIXCore `util.get_complete_file_name`). */
export function completeFileName(name: string): string {
  return name.replace(/(_V\d{2})U(?=[_.])/, '$1');
}

/** The incomplete (`U`) name of a complete daily file name. */
export function incompleteFileName(name: string): string {
  return name.replace(/(_V\d{2})(?=[_.])/, '$1U');
}
