/**
 * The crawler (the seed's crawl_clutch.py): walks an acquisition tree; a directory whose path matches
 * the expression is a dataset when it holds exactly one `.hdf` and one raw-data file (`.imm`, or a
 * Rigaku `.bin`); each new dataset starts one XPCS flow. The ledger deduplicates (flow_runs.dedup_key
 * is the dataset directory's real path), so a crawler restarted after a crash starts nothing twice.
 * Directories that look like datasets but are not valid are reported with the reason.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

export interface CrawledDataset {
  dir: string;
  hdf: string;
  raw: string;
  rigaku: boolean;
  /** Dedup key: `xpcs:` + the directory's real path. */
  key: string;
}

export interface CrawlResult {
  valid: CrawledDataset[];
  invalid: Array<{ dir: string; reason: string }>;
}

const RAW = /\.(imm|bin)$/;
const HDF = /\.(hdf|h5|hdf5)$/;

function classify(dir: string, files: string[]): CrawledDataset | { dir: string; reason: string } | null {
  const hdf = files.filter((f) => HDF.test(f));
  const raw = files.filter((f) => RAW.test(f));
  if (hdf.length === 0 && raw.length === 0) return null;
  if (hdf.length !== 1 || raw.length !== 1) {
    return {
      dir,
      reason: `needs exactly one .hdf and one raw-data file (.imm or .bin), found ${hdf.length} .hdf and ${raw.length} raw`,
    };
  }
  return {
    dir,
    hdf: path.join(dir, hdf[0]),
    raw: path.join(dir, raw[0]),
    rigaku: raw[0].endsWith('.bin'),
    key: `xpcs:${realpathSync(dir)}`,
  };
}

/** Scans `root` (recursively) for datasets whose directory path matches `expression`. */
export function crawlDatasets(root: string, expression: RegExp = /.*/): CrawlResult {
  const out: CrawlResult = { valid: [], invalid: [] };
  const visit = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    const files = entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name);
    if (expression.test(dir)) {
      const c = classify(dir, files);
      if (c && 'hdf' in c) out.valid.push(c);
      else if (c) out.invalid.push(c);
    }
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) visit(path.join(dir, e.name));
  };
  if (!statSync(root).isDirectory()) return out;
  visit(root);
  return out;
}
