/**
 * Runs oracle files through stagebook's public API. Unknown families and malformed files are
 * reported as failures of that file, not crashes, so a batch of new files always gets a verdict.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isStagebookError, StagebookError } from '../errors/stagebook-error';
import { Checker } from './compare';
import { oracleFamilies } from './families';
import type { CaseResult, OracleCase, OracleContext, OracleFile } from './types';

/** Parses and validates the envelope of an oracle file. */
export function readOracleFile(path: string): OracleFile {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new StagebookError('E_ORACLE_FORMAT', `${path}: not readable JSON`, { file: path }, { cause });
  }
  const f = data as OracleFile;
  if (!f || typeof f.family !== 'string' || !Array.isArray(f.cases)) {
    throw new StagebookError('E_ORACLE_FORMAT', `${path}: expected {family, cases: [...]}`, { file: path });
  }
  return f;
}

function makeContext(path: string, file: OracleFile): OracleContext {
  const baseDir = dirname(resolve(path));
  const jsonCache = new Map<string, unknown>();
  return {
    baseDir,
    file,
    readJson(rel: string) {
      if (!jsonCache.has(rel)) jsonCache.set(rel, JSON.parse(readFileSync(resolve(baseDir, rel), 'utf8')));
      return jsonCache.get(rel);
    },
    readBinary(rel: string) {
      return readFileSync(resolve(baseDir, rel));
    },
  };
}

/**
 * Error cases: the reference raised (`expected_error`), so stagebook must throw a StagebookError.
 * Anything else thrown (a TypeError, a RangeError) is a bug: it is reported as a mismatch.
 */
async function runErrorCase(run: () => void | Promise<void>, c: OracleCase, check: Checker): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (!isStagebookError(e))
      check.fail(
        `expected a StagebookError (reference: ${c.expected_error!.type}: ${c.expected_error!.message}), got ${String(e)}`,
      );
    return;
  }
  check.fail(
    `expected an error (reference: ${c.expected_error!.type}: ${c.expected_error!.message}), but the call succeeded`,
  );
}

export async function runCase(
  path: string,
  file: OracleFile,
  c: OracleCase,
  ctx = makeContext(path, file),
): Promise<CaseResult> {
  const family = oracleFamilies[file.family];
  const check = new Checker();
  const t0 = performance.now();
  if (!family) {
    check.fail(`unknown oracle family "${file.family}"`);
  } else if (c.expected_error) {
    await runErrorCase(() => family.runCase(c, check, ctx), c, check);
  } else {
    try {
      await family.runCase(c, check, ctx);
    } catch (e) {
      check.fail(`threw ${isStagebookError(e) ? `${e.code}: ${e.message}` : String((e as Error)?.stack ?? e)}`);
    }
  }
  return {
    file: path,
    family: file.family,
    id: c.id,
    ok: check.mismatches.length === 0,
    mismatches: check.mismatches,
    ms: performance.now() - t0,
  };
}

/** Runs every case of one file, in order. */
export async function runOracleFile(path: string): Promise<CaseResult[]> {
  const file = readOracleFile(path);
  const ctx = makeContext(path, file);
  const results: CaseResult[] = [];
  for (const c of file.cases) results.push(await runCase(path, file, c, ctx));
  if (typeof file.n_cases === 'number' && file.n_cases !== file.cases.length) {
    results.push({
      file: path,
      family: file.family,
      id: '(file)',
      ok: false,
      mismatches: [`n_cases ${file.n_cases} but ${file.cases.length} cases`],
      ms: 0,
    });
  }
  return results;
}
