/**
 * Finds and verifies the recorded inputs of a run before `reproduce` re-runs it: in `--inputs DIR` first (an
 * unpacked bundle), then where the record found them; an input packed as URL + hash is fetched through the
 * downloader (retries, resume, sha256 verified: acquisition/). Every problem is reported at once, naming the
 * parameter, the file and both hashes (E_REPRO_INPUT).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { downloadAll } from '../acquisition/downloader';
import { StagebookError } from '../errors/stagebook-error';
import { sha256File } from './record-files';
import type { RunRecord } from './run-record';

/** Where a recorded input was found for the re-run. */
export interface LocatedInput {
  name: string;
  /** The parameter's recorded value. */
  recordedPath: string;
  /** Absolute path used in the re-run. */
  path: string;
  sha256: string;
  /** True when the parameter must be pointed at `path` (the file is not where the recorded value resolves). */
  override: boolean;
  source: 'recorded place' | 'inputs dir' | 'downloaded';
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Candidate places, most specific first. */
function candidates(name: string, recorded: string, cwd: string, inputsDir: string | undefined): string[] {
  const out: string[] = [];
  if (inputsDir) {
    const base = path.basename(recorded);
    out.push(path.join(inputsDir, name, base), path.join(inputsDir, base));
    if (!path.isAbsolute(recorded)) out.push(path.resolve(inputsDir, recorded));
  }
  out.push(path.resolve(cwd, recorded));
  return out;
}

/** Locates and verifies every recorded input; throws one E_REPRO_INPUT listing every missing or changed file. */
export async function locateInputs(
  record: RunRecord,
  cwd: string,
  o: { inputsDir?: string; cacheDir: string },
): Promise<LocatedInput[]> {
  const located: LocatedInput[] = [];
  const problems: string[] = [];
  const inputsDir = o.inputsDir ? path.resolve(o.inputsDir) : undefined;
  for (const [name, f] of Object.entries(record.input_files ?? {})) {
    const recordedPlace = path.resolve(cwd, f.path);
    const found = candidates(name, f.path, cwd, inputsDir).find(isFile);
    if (found) {
      const current = sha256File(found);
      if (current !== f.sha256) {
        problems.push(`${name}: ${found}: sha256 recorded ${f.sha256}, current ${current}`);
        continue;
      }
      const source = found === recordedPlace ? 'recorded place' : 'inputs dir';
      located.push({
        name,
        recordedPath: f.path,
        path: found,
        sha256: current,
        override: found !== recordedPlace,
        source,
      });
    } else if (f.url) {
      const got = await download(name, f, o.cacheDir, problems);
      if (got)
        located.push({ name, recordedPath: f.path, path: got, sha256: f.sha256, override: true, source: 'downloaded' });
    } else {
      const where = inputsDir ? ` (looked in ${inputsDir} and ${recordedPlace})` : ` (looked at ${recordedPlace})`;
      problems.push(`${name}: ${f.path}: missing${where}; recorded sha256 ${f.sha256}`);
    }
  }
  if (problems.length > 0) {
    throw new StagebookError('E_REPRO_INPUT', `reproduce: recorded inputs:\n  ${problems.join('\n  ')}`, {
      where: 'locateInputs',
      field: problems[0].split(':')[0],
      problems,
    });
  }
  return located;
}

async function download(
  name: string,
  f: NonNullable<RunRecord['input_files']>[string],
  cacheDir: string,
  problems: string[],
): Promise<string | undefined> {
  // the downloader verifies the sha256 itself (a mismatch is a failed item, the bad bytes quarantined)
  // placed under its own name: a notebook may tell formats apart by extension, the cache names by hash
  const item = { url: f.url as string, sha256: f.sha256, size: f.size, dest: `${name}/${path.basename(f.path)}` };
  const r = await downloadAll([item], { cacheDir, dataRoot: path.join(cacheDir, 'placed') });
  if (r.failed.length > 0) {
    problems.push(`${name}: ${f.url}: ${r.failed[0].code}: ${r.failed[0].message}; recorded sha256 ${f.sha256}`);
    return undefined;
  }
  const got = r.ok[0];
  const file = got.dest ?? got.path;
  if (got.sha256 !== f.sha256 || !existsSync(file)) {
    problems.push(`${name}: ${f.url}: sha256 recorded ${f.sha256}, downloaded ${got.sha256}`);
    return undefined;
  }
  return file;
}
