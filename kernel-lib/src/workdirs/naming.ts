/**
 * Per-event working directories with pluggable naming. A naming scheme turns an event key into a
 * directory name and parses it back (ALEXIS stage 3 parses the flare time out of the name:
 * ALEXIS_pipeline:modules/helio_reg_exp_module.py).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { StagebookError } from '../errors/stagebook-error';
import type { PathGuard } from './confine';

/** Formats an event key as a directory name and parses it back (`parse(format(k))` equals `k`). */
export interface WorkdirNaming<K> {
  /** Scheme name (for messages). */
  readonly name: string;
  format(key: K): string;
  /** Throws E_WORKDIR_NAME when `dirName` does not follow the scheme. */
  parse(dirName: string): K;
}

/** ALEXIS flare-candidate key: GOES class (e.g. `C4.0`) and peak time (UTC). */
export interface FlareCandidateKey {
  flareClass: string;
  time: Date;
}

/** Normalises a GOES class the way ALEXIS does: `C1` -> `C1.0`, `m2.5` -> `M2.5`. */
export function normaliseFlareClass(flareClass: string): string {
  const m = /^([ABCMX])(\d+)(?:\.(\d+))?$/i.exec(flareClass.trim());
  if (!m)
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `normaliseFlareClass: flareClass: ${JSON.stringify(flareClass)} is not a GOES class like C4.0`,
      { where: 'normaliseFlareClass', field: 'flareClass' },
    );
  return `${m[1].toUpperCase()}${m[2]}.${m[3] ?? '0'}`;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * ALEXIS naming: `flarecandidate_{class}_at_{%Y-%m-%dT%H_%M_%S_%f[:-4]}.working`, i.e. the time
 * with hundredths of a second (Python's 6-digit `%f` cut by 4), e.g.
 * `flarecandidate_C4.0_at_2011-02-08T21_11_00_08.working` (ALEXIS_download_data.py).
 */
export const alexisFlareNaming: WorkdirNaming<FlareCandidateKey> = {
  name: 'alexis-flare',
  format({ flareClass, time }) {
    const t = time;
    const centis = Math.floor(t.getUTCMilliseconds() / 10);
    const stamp = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}T${pad(t.getUTCHours())}_${pad(t.getUTCMinutes())}_${pad(t.getUTCSeconds())}_${pad(centis)}`;
    return `flarecandidate_${normaliseFlareClass(flareClass)}_at_${stamp}.working`;
  },
  parse(dirName) {
    const m =
      /^flarecandidate_([ABCMX]\d+\.\d+)_at_(\d{4})-(\d{2})-(\d{2})T(\d{2})_(\d{2})_(\d{2})_(\d{2})\.working$/.exec(
        path.basename(dirName),
      );
    if (!m)
      throw new StagebookError(
        'E_WORKDIR_NAME',
        `alexisFlareNaming.parse: ${JSON.stringify(dirName)} is not flarecandidate_<class>_at_<YYYY-MM-DDTHH_MM_SS_cc>.working`,
        { where: 'alexisFlareNaming.parse', field: 'dirName' },
      );
    const [y, mo, d, h, mi, s, cs] = m.slice(2).map(Number);
    return { flareClass: m[1], time: new Date(Date.UTC(y, mo - 1, d, h, mi, s, cs * 10)) };
  },
};

/** Creates (if needed) the working directory of `key` under `parentDir`, confined by `guard`. */
export function ensureWorkdir<K>(guard: PathGuard, parentDir: string, naming: WorkdirNaming<K>, key: K): string {
  const dir = guard.resolve(path.join(parentDir, naming.format(key)), 'ensureWorkdir');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Lists the working directories under `parentDir` that parse with `naming`, with their keys. */
export function listWorkdirs<K>(
  guard: PathGuard,
  parentDir: string,
  naming: WorkdirNaming<K>,
): { dir: string; key: K }[] {
  const base = guard.resolve(parentDir, 'listWorkdirs');
  if (!existsSync(base)) return [];
  const out: { dir: string; key: K }[] = [];
  const names = readdirSync(base, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (const n of names) {
    try {
      out.push({ dir: path.join(base, n), key: naming.parse(n) });
    } catch {
      // not a working directory of this scheme: ignored, like ALEXIS's glob on *.working
    }
  }
  return out;
}
