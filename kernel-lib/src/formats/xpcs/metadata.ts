/**
 * Search-index metadata of an XPCS HDF5 file, after gladier-xpcs `tools/xpcs_metadata.py`:
 * every dataset's path with '/' -> '.' is the key; scalars and (1,1) become one value,
 * (1,2)/(1,3) a short list; larger arrays are not metadata. NaN -> 0 (the index rejects NaN);
 * the "spoiled" key `measurement.instrument.source_begin.datetime` is dropped (it caused type
 * conflicts on re-ingest); `aps_cycle_v2` is derived from
 * `measurement.instrument.acquisition.root_folder`.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { withHdf5, type Hdf5Reader } from '../hdf5/reader';

export type XpcsMetadataValue = number | string | number[] | string[];
export type XpcsMetadata = Record<string, XpcsMetadataValue>;

/** Keys xpcs_metadata.py drops before ingest. */
export const XPCS_SPOILED_KEYS: readonly string[] = ['measurement.instrument.source_begin.datetime'];
/** Key the Pilot step additionally drops (`exchange.partition_norm_factor`). */
export const XPCS_PILOT_DROPPED_KEYS: readonly string[] = ['exchange.partition_norm_factor'];

export interface FlattenXpcsMetadataOptions {
  /** Keys to drop (default XPCS_SPOILED_KEYS). */
  drop?: readonly string[];
}

const FLAT_SHAPES = ['', '1', '1,1', '1,2', '1,3'];

/** Dotted key of a dataset path: "/measurement/instrument/x" -> "measurement.instrument.x". */
export function xpcsMetadataKey(datasetPath: string): string {
  return datasetPath.split('/').filter(Boolean).join('.');
}

function nanToZero(v: number): number {
  return Number.isNaN(v) ? 0 : v;
}

/** Applies NaN -> 0 and drops the given keys (xpcs_metadata.py `clean_metadata`). */
export function cleanXpcsMetadata(
  meta: Record<string, unknown>,
  drop: readonly string[] = XPCS_SPOILED_KEYS,
): XpcsMetadata {
  const out: XpcsMetadata = {};
  for (const [k, v] of Object.entries(meta)) {
    if (drop.includes(k)) continue;
    if (typeof v === 'number') out[k] = nanToZero(v);
    else if (Array.isArray(v)) out[k] = v.every((x) => typeof x === 'number') ? v.map(nanToZero) : (v as string[]);
    else if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** APS run cycle ("2019-3") from an acquisition root folder such as "/home/8-id-i/2019-3/x/". */
export function apsCycleFromRootFolder(rootFolder: string): string | null {
  const m = /(?:^|\/)(\d{4}-\d)(?:\/|$)/.exec(rootFolder);
  return m ? m[1] : null;
}

function metadataValue(r: Hdf5Reader, p: string): XpcsMetadataValue | undefined {
  const shape = r.shapeOf(p, 'flattenXpcsMetadata');
  if (!FLAT_SHAPES.includes(shape.join(','))) return undefined;
  const d = r.read(p, 'flattenXpcsMetadata').value;
  if (typeof d === 'number' || typeof d === 'string') return d;
  if (Array.isArray(d)) return d.length === 1 ? d[0] : d;
  const nums = Array.from(d as ArrayLike<number>);
  return shape.length === 2 && shape[1] > 1 ? nums : nums[0];
}

/** Flattened metadata of an open file (see module doc). */
export function xpcsMetadataFrom(r: Hdf5Reader, options: FlattenXpcsMetadataOptions = {}): XpcsMetadata {
  const raw: Record<string, XpcsMetadataValue> = {};
  for (const p of r.datasetPaths('flattenXpcsMetadata')) {
    let v: XpcsMetadataValue | undefined;
    try {
      v = metadataValue(r, p);
    } catch (e) {
      // Unsupported types (compound, references) are not metadata; a corrupt file is an error.
      if (!(e instanceof StagebookError && e.context.unsupportedType === true)) throw e;
      v = undefined;
    }
    if (v !== undefined) raw[xpcsMetadataKey(p)] = v;
  }
  const root = raw['measurement.instrument.acquisition.root_folder'];
  const cycle = typeof root === 'string' ? apsCycleFromRootFolder(root) : null;
  if (cycle) raw.aps_cycle_v2 = cycle;
  return cleanXpcsMetadata(raw, options.drop ?? XPCS_SPOILED_KEYS);
}

/** Reads `file` and returns its flattened, cleaned metadata. */
export async function flattenXpcsMetadata(
  file: string,
  options: FlattenXpcsMetadataOptions = {},
): Promise<XpcsMetadata> {
  return withHdf5(file, (r) => xpcsMetadataFrom(r, options), 'flattenXpcsMetadata');
}
