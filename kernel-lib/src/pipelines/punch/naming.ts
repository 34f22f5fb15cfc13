/**
 * PUNCH product names and paths (punchpipe HEAD control/util.py + punchbowl naming):
 * `PUNCH_L{level}_{type}{obs}_{YYYYmmddHHMMSS}_v{version}.fits` under
 * `root/{level}/{type}{obs}/YYYY/MM/DD`, e.g. `PUNCH_L1_PM1_20250521120000_v0.fits` under
 * `root/1/PM1/2025/05/21/`. A quick-look image and an optional `.sha` sit beside each product.
 */
import path from 'node:path';
import { StagebookError } from '../../errors/stagebook-error';

export const LEVELS = ['0', '1', '2', '3', 'Q', 'H'] as const;
export type PunchLevel = (typeof LEVELS)[number];

/**
 * Two-letter type codes (seed-systems.md section 3). The first block is PUNCH's; PT/CT/PA/CA are
 * this mission's mosaics and L3 products (observatory `M`), CN the quick-look mosaic.
 */
export const FILE_TYPE_CODES: Readonly<Record<string, string>> = {
  PM: 'polarizer -60 deg',
  PZ: 'polarizer 0 deg',
  PP: 'polarizer +60 deg',
  CR: 'clear',
  DK: 'dark',
  DY: 'LED (stray light)',
  OV: 'overexposed',
  PX: 'polarized, unknown polarizer',
  XM: 'intermediate, polarizer -60 deg (stage X)',
  XZ: 'intermediate, polarizer 0 deg (stage X)',
  XP: 'intermediate, polarizer +60 deg (stage X)',
  XR: 'intermediate, clear (stage X)',
  YM: 'intermediate, polarizer -60 deg (stage Y)',
  YZ: 'intermediate, polarizer 0 deg (stage Y)',
  YP: 'intermediate, polarizer +60 deg (stage Y)',
  QR: 'quick-look clear',
  PT: 'polarized mosaic (total and polarized brightness)',
  CT: 'clear mosaic',
  PA: 'polarized mosaic, background subtracted',
  CA: 'clear mosaic, background subtracted',
  CN: 'quick-look clear mosaic',
};

/** Observatories 1-3 are WFI, 4 is NFI (SCID 47, punchpipe flows/level0.py); `M` is a mosaic. */
export const OBSERVATORIES = ['1', '2', '3', '4', 'M'] as const;

/** What names a product. */
export interface ProductKey {
  level: string;
  file_type: string;
  observatory: string;
  /** Observation time, UTC epoch milliseconds. */
  date_obs: number;
  file_version: string;
}

function bad(field: string, message: string): never {
  throw new StagebookError('E_INVALID_ARGUMENT', `punch naming: ${field} ${message}`, {
    where: 'punch naming',
    field,
  });
}

/** Validates the parts of a name (level, type code, observatory, version, time). */
export function checkProductKey(k: ProductKey): void {
  if (!(LEVELS as readonly string[]).includes(k.level)) bad('level', `must be one of ${LEVELS.join(', ')}: ${k.level}`);
  if (!(k.file_type in FILE_TYPE_CODES)) bad('file_type', `is not a known type code: ${k.file_type}`);
  if (!(OBSERVATORIES as readonly string[]).includes(k.observatory))
    bad('observatory', `must be one of ${OBSERVATORIES.join(', ')}: ${k.observatory}`);
  if (!/^[0-9A-Za-z.]+$/.test(k.file_version)) bad('file_version', `must be letters, digits or '.': ${k.file_version}`);
  if (!Number.isFinite(k.date_obs)) bad('date_obs', 'must be a time in epoch milliseconds');
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYYmmddHHMMSS` in UTC (seconds truncated, as punchpipe's strftime). */
export function nameTimestamp(ms: number): string {
  const d = new Date(ms);
  return (
    pad(d.getUTCFullYear(), 4) +
    pad(d.getUTCMonth() + 1) +
    pad(d.getUTCDate()) +
    pad(d.getUTCHours()) +
    pad(d.getUTCMinutes()) +
    pad(d.getUTCSeconds())
  );
}

/** `PUNCH_L1_PM1_20250521120000_v0.fits` */
export function productName(k: ProductKey): string {
  checkProductKey(k);
  return `PUNCH_L${k.level}_${k.file_type}${k.observatory}_${nameTimestamp(k.date_obs)}_v${k.file_version}.fits`;
}

/** `root/{level}/{type}{obs}/YYYY/MM/DD` */
export function productDirectory(root: string, k: ProductKey): string {
  checkProductKey(k);
  const d = new Date(k.date_obs);
  return path.join(
    root,
    k.level,
    `${k.file_type}${k.observatory}`,
    pad(d.getUTCFullYear(), 4),
    pad(d.getUTCMonth() + 1),
    pad(d.getUTCDate()),
  );
}

/** Full path of a product. */
export function productPath(root: string, k: ProductKey): string {
  return path.join(productDirectory(root, k), productName(k));
}

/**
 * The quick-look image beside a product. punchpipe writes JPEG 2000 (`.jp2`); Node has no JPEG 2000
 * encoder, so ours is a PNG of the same name (docs/punch.md).
 */
export function quicklookPath(fitsPath: string): string {
  return fitsPath.replace(/\.fits$/, '.png');
}

/** The optional checksum file beside a product (sha256 of the FITS bytes, hex, then the file name). */
export function shaPath(fitsPath: string): string {
  return fitsPath.replace(/\.fits$/, '.sha');
}

const NAME_RE =
  /^PUNCH_L([0123QH])_([A-Z]{2})([1-4M])_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})_v([0-9A-Za-z.]+)\.fits$/;

/** Parses a product name back into its key (E_INVALID_ARGUMENT when it is not one). */
export function parseProductName(name: string): ProductKey {
  const m = NAME_RE.exec(path.basename(name));
  if (!m)
    bad('name', `is not a PUNCH product name (PUNCH_L{level}_{type}{obs}_{YYYYmmddHHMMSS}_v{version}.fits): ${name}`);
  const [, level, type, obs, y, mo, d, h, mi, s, version] = m;
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  const key = { level, file_type: type, observatory: obs, date_obs: ms, file_version: version };
  checkProductKey(key);
  return key;
}
