/**
 * Candidates of a publish run (STIXCore `publish_fits_to_esa`, the candidate loop): every
 * `solo_*.svg` then every `solo_*.fits` below the FITS folder that passes all filters, in this order:
 * version (`-v`), level (`-l`), waiting period since the last modification (LL levels their own),
 * product (`-p`), not already in the history, and the batch cap (`-n`). Every file gets its reason, so
 * a dry run can say why each one is or is not published.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { isStagebookError } from '../../../errors/stagebook-error';
import type { PublishHistory } from './history';
import { parsePublishName, type PublishName } from './names';
import { listFilter, parseDuration, type PublishOptions } from './options';

/** One file and what the candidate filters decided. */
export interface CandidateDecision {
  file: string;
  name: string;
  /** True when the file goes into this run's batch. */
  selected: boolean;
  /** Why (for selected files: 'to publish'). */
  reason: string;
  /** True when the name does not follow the convention (reported as an error). */
  badName?: boolean;
  /** mtime (epoch s). */
  mtime: number;
}

/** Files below `dir` whose name matches `re`, folders in name order (a deterministic "directory order"). */
function walk(dir: string, re: RegExp, out: string[] = []): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, re, out);
    else if (e.isFile() && re.test(e.name)) out.push(p);
  }
  return out;
}

/** The filter verdict of one parsed name ('' = passes the name filters). */
function nameFilter(n: PublishName, o: PublishOptions, mtime: number, nowS: number): string {
  const versions = listFilter(o.includeVersions, true);
  if (versions !== 'all' && !versions.has(String(n.version)))
    return `version V${n.version} not in -v ${o.includeVersions}`;
  const levels = listFilter(o.includeLevels);
  if (levels !== 'all' && !levels.has(n.level.toLowerCase())) return `level ${n.level} not in -l ${o.includeLevels}`;
  const ll = n.level.toLowerCase().startsWith('ll');
  const wait = ll
    ? parseDuration(o.llWaitingPeriod, 'llWaitingPeriod')
    : parseDuration(o.waitingPeriod, 'waitingPeriod');
  const age = nowS - mtime;
  if (age < wait)
    return `waiting: modified ${Math.floor(age)} s ago, ${ll ? 'LL ' : ''}waiting period ${ll ? o.llWaitingPeriod : o.waitingPeriod}`;
  const products = listFilter(o.includeProducts);
  if (products !== 'all' && !products.has(n.product)) return `product ${n.product} not in -p ${o.includeProducts}`;
  return '';
}

/**
 * Decides every file of the FITS folder. Fix against STIXCore: with `sortFiles` the batch is cut
 * after sorting (STIXCore filled the batch in directory order, then sorted it).
 */
export function selectCandidates(o: PublishOptions, history: PublishHistory, now: Date): CandidateDecision[] {
  const files = [...walk(o.fitsDir, /^solo_.*\.svg$/), ...walk(o.fitsDir, /^solo_.*\.fits$/)];
  const nowS = now.getTime() / 1000;
  const decisions: CandidateDecision[] = [];
  for (const file of files) {
    const mtime = statSync(file).mtimeMs / 1000;
    const base = { file, name: path.basename(file), mtime, selected: false };
    let n: PublishName;
    try {
      n = parsePublishName(file);
    } catch (e) {
      if (!isStagebookError(e)) throw e;
      decisions.push({ ...base, reason: e.message, badName: true });
      continue;
    }
    const why = nameFilter(n, o, mtime, nowS);
    if (why) {
      decisions.push({ ...base, reason: why });
      continue;
    }
    const old = history.findByName(n.name);
    if (old.length > 0) {
      decisions.push({ ...base, reason: `in history: ${old[0].result ?? 'no result'}` });
      continue;
    }
    decisions.push({ ...base, selected: true, reason: 'to publish' });
  }
  const passing = decisions.filter((d) => d.selected);
  if (o.sortFiles) passing.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  if (o.batchSize >= 0) {
    for (const d of passing.slice(o.batchSize)) {
      d.selected = false;
      d.reason = `batch size ${o.batchSize} reached`;
    }
  }
  // selected files in publishing order first, then the rest in directory order
  return [...passing.filter((d) => d.selected), ...decisions.filter((d) => !d.selected)];
}
