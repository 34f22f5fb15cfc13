/**
 * `stagebook notebook reproduce RECORD.ipynb`: re-executes an executed notebook with its recorded
 * parameters after checking the recorded versions and input hashes, compares every output and product with
 * the record, and writes a report notebook with each difference next to the cell that produced it (issue 21).
 * What counts as volatile and how numbers are compared: repro-policy.ts (the one place).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { EXIT } from '../errors/exit-codes';
import { StagebookError } from '../errors/stagebook-error';
import type { CompareContext, OutputDifference } from './compare-outputs';
import { compareCells, compareProducts, worstOf, type CellComparison, type ProductComparison } from './compare-runs';
import { locateInputs, type LocatedInput } from './locate-inputs';
import { resolveTslabBin } from './launcher';
import { readNotebook } from './nbformat';
import { parseParameterArgs } from './parameters';
import { readRecordNotebook } from './record-schema';
import { outputDirsOf, recordSubstitutions } from './record-files';
import { resolveReproPolicy, type ReproPolicy, type ReproPolicyInput } from './repro-policy';
import { writeReproReport } from './repro-report';
import { codeHash, versions, type RunRecord } from './run-record';
import { runNotebook, type RunNotebookOptions, type RunSummary } from './runner';

export type ReproVerdict = 'reproduced' | 'reproduced within tolerance' | 'differs';

export interface ReproduceOptions {
  /** The executed notebook whose record is reproduced. */
  record: string;
  /** The report notebook (default: `<record stem>.reproduce.ipynb` beside the record). */
  output?: string;
  /** Where recorded inputs are looked for first (an unpacked bundle's `inputs/`). */
  inputsDir?: string;
  /** Where the output-location parameters point in the re-run (default: `<report stem>.products/`, must be empty). */
  outputsDir?: string;
  /** Download cache for inputs recorded with a URL (default: `<inputsDir or report dir>/.downloads`). */
  cacheDir?: string;
  /** The kernel's working directory (default: the recorded one when it exists, else the record's directory). */
  cwd?: string;
  /** Run although a checked version differs (the mismatch is still reported). */
  allowVersion?: boolean;
  /** Parameter changes for a what-if re-run (reported as parameter differences). */
  parameters?: Record<string, unknown>;
  /** The same as `-p NAME=VALUE` strings (YAML values; raw text when the recorded default is a string). */
  parameterArgs?: string[];
  /** Tolerance and volatile rules (defaults in repro-policy.ts). */
  policy?: ReproPolicyInput;
  cellTimeoutMs?: number;
  onEvent?: RunNotebookOptions['onEvent'];
  log?: (text: string) => void;
}

/** One checked version. */
export interface VersionCheck {
  name: string;
  recorded?: string;
  current?: string;
  /** Checked versions must match; others (node) are only reported. */
  checked: boolean;
}

export interface ReproduceResult {
  verdict: ReproVerdict;
  exitCode: number;
  record: string;
  report: string;
  run: RunSummary;
  versions: VersionCheck[];
  inputs: LocatedInput[];
  parameters: OutputDifference[];
  cells: CellComparison[];
  products: ProductComparison[];
  /** Run status of the record and of the re-run. */
  status: { expected: string; actual: string };
  policy: { rtol: number; atol: number };
}

/** Recorded versus current versions (every key of either side). */
export function checkVersions(
  recorded: RunRecord['versions'],
  current: RunRecord['versions'],
  policy: ReproPolicy,
): VersionCheck[] {
  const names = [...new Set([...Object.keys(recorded), ...Object.keys(current)])].sort();
  return names.map((name) => ({
    name,
    recorded: recorded[name] ?? undefined,
    current: current[name] ?? undefined,
    checked: policy.checkedVersions.includes(name),
  }));
}

function mismatches(v: VersionCheck[]): VersionCheck[] {
  return v.filter((x) => x.recorded !== x.current);
}

function kernelCwdOf(record: RunRecord, recordFile: string, option: string | undefined): string {
  if (option !== undefined) return path.resolve(option);
  if (record.cwd && existsSync(record.cwd)) return record.cwd;
  return path.dirname(path.resolve(recordFile));
}

function defaultReport(recordFile: string): string {
  return recordFile.replace(/(\.ipynb)?$/, '.reproduce.ipynb');
}

/** The fresh directory the output-location parameters point to in the re-run. */
function outputsDirOf(options: ReproduceOptions, report: string): string {
  if (options.outputsDir !== undefined) return path.resolve(options.outputsDir);
  const dir = report.replace(/(\.ipynb)?$/, '.products');
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new StagebookError(
      'E_USAGE',
      `reproduce: ${dir} is not empty (a re-run there would find the earlier products, e.g. engine cache hits); remove it or give --outputs DIR`,
      { where: 'reproduce', field: '--outputs', file: dir },
    );
  }
  return dir;
}

/** Re-runs the record and compares; throws E_REPRO_RECORD/E_REPRO_VERSION/E_REPRO_INPUT before running anything. */
export async function reproduceNotebook(options: ReproduceOptions): Promise<ReproduceResult> {
  const policy = resolveReproPolicy(options.policy);
  const { nb, record } = readRecordNotebook(options.record);
  const cwd = kernelCwdOf(record, options.record, options.cwd);
  const recordedCode = record.input_hashes.code;
  if (recordedCode !== undefined && recordedCode !== codeHash(nb)) {
    throw new StagebookError(
      'E_REPRO_INPUT',
      `reproduce: ${options.record}: the notebook's code was edited after its run (code sha256 recorded ${recordedCode}, now ${codeHash(nb)})`,
      { where: 'reproduceNotebook', file: options.record, field: 'input_hashes.code' },
    );
  }
  const vcheck = checkVersions(record.versions, versions(resolveTslabBin(cwd)), policy);
  const bad = mismatches(vcheck).filter((v) => v.checked);
  if (bad.length > 0 && !options.allowVersion) {
    const list = bad.map((v) => `${v.name} recorded ${v.recorded ?? '(none)'}, current ${v.current ?? '(none)'}`);
    throw new StagebookError(
      'E_REPRO_VERSION',
      `reproduce: ${options.record}: version mismatch: ${list.join('; ')} (--allow-version runs anyway)`,
      { where: 'reproduceNotebook', file: options.record, field: `versions.${bad[0].name}` },
    );
  }
  const report = path.resolve(options.output ?? defaultReport(options.record));
  const located = await locateInputs(record, cwd, {
    inputsDir: options.inputsDir,
    cacheDir: options.cacheDir ?? path.join(options.inputsDir ?? path.dirname(report), '.downloads'),
  });
  const recordedParams = { ...record.parameters.defaults, ...record.parameters.injected };
  const outputs = redirectOutputs(recordedParams, cwd, policy, outputsDirOf(options, report));
  const overrides: Record<string, unknown> = {
    ...record.parameters.injected,
    ...outputs,
    ...Object.fromEntries(located.filter((l) => l.override).map((l) => [l.name, l.path])),
    ...parseParameterArgs(options.parameterArgs ?? [], record.parameters.defaults),
    ...(options.parameters ?? {}),
  };
  mkdirSync(path.dirname(report), { recursive: true });
  const run = await runNotebook({
    input: options.record,
    output: report,
    parameters: overrides,
    kernelCwd: cwd,
    env: record.source_date_epoch ? { SOURCE_DATE_EPOCH: record.source_date_epoch } : undefined,
    cellTimeoutMs: options.cellTimeoutMs,
    onEvent: options.onEvent,
    log: options.log,
  });
  const actualNb = readNotebook(report);
  const actual = actualNb.metadata.stagebook as RunRecord;
  const ctx = compareContext(record, actual, located, policy);
  const result: ReproduceResult = {
    verdict: 'reproduced',
    exitCode: EXIT.ok,
    record: path.resolve(options.record),
    report,
    run,
    versions: vcheck,
    inputs: located,
    parameters: parameterDifferences(recordedParams, { ...actual.parameters.defaults, ...actual.parameters.injected }, [
      ...Object.keys(outputs),
      ...located.map((l) => l.name),
    ]),
    cells: compareCells(nb, actualNb, ctx),
    products: compareProducts(record, actual, ctx),
    status: { expected: record.status, actual: actual.status },
    policy: { rtol: policy.rtol, atol: policy.atol },
  };
  result.verdict = verdictOf(result);
  result.exitCode = result.verdict === 'differs' ? EXIT.differs : EXIT.ok;
  await writeReproReport(report, actualNb, result);
  return result;
}

/** Points every output-location parameter at `dir` (one parameter) or `dir/<name>` (several). */
function redirectOutputs(
  params: Record<string, unknown>,
  cwd: string,
  policy: ReproPolicy,
  dir: string,
): Record<string, string> {
  const names = Object.keys(outputDirsOf(params, cwd, policy));
  return Object.fromEntries(names.map((n) => [n, names.length === 1 ? dir : path.join(dir, n)]));
}

/** Paths each side printed, and the placeholder both become. */
function compareContext(
  expected: RunRecord,
  actual: RunRecord,
  inputs: LocatedInput[],
  policy: ReproPolicy,
): CompareContext {
  const side = (r: RunRecord, located: boolean): Array<readonly [string, string]> => {
    const pairs: Array<readonly [string, string]> = [...recordSubstitutions(r)];
    for (const [name] of Object.entries(r.products_root ?? {})) {
      const raw = { ...r.parameters.defaults, ...r.parameters.injected }[name];
      if (typeof raw === 'string') pairs.push([raw, '<outDir>']);
    }
    const params = { ...r.parameters.defaults, ...r.parameters.injected };
    for (const i of inputs) {
      pairs.push([i.recordedPath, `<input:${i.name}>`]);
      if (typeof params[i.name] === 'string') pairs.push([params[i.name] as string, `<input:${i.name}>`]);
      if (r.cwd) pairs.push([path.resolve(r.cwd, i.recordedPath), `<input:${i.name}>`]);
      if (located) pairs.push([i.path, `<input:${i.name}>`]);
    }
    return pairs;
  };
  return { policy, expectedPaths: side(expected, false), actualPaths: side(actual, true) };
}

/** Effective parameters that differ (output locations and relocated inputs are not results). */
function parameterDifferences(
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
  locations: string[],
): OutputDifference[] {
  const out: OutputDifference[] = [];
  for (const name of [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort()) {
    if (locations.includes(name)) continue;
    const e = JSON.stringify(expected[name]);
    const a = JSON.stringify(actual[name]);
    if (e !== a) out.push({ where: `parameter ${name}`, expected: e ?? '(unset)', actual: a ?? '(unset)' });
  }
  return out;
}

function verdictOf(r: ReproduceResult): ReproVerdict {
  if (r.status.expected !== r.status.actual || r.parameters.length > 0) return 'differs';
  const w = worstOf([...r.cells, ...r.products]);
  return w === 'differs' ? 'differs' : w === 'close' ? 'reproduced within tolerance' : 'reproduced';
}
