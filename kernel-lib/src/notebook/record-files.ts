/**
 * The files a run record names: its inputs (parameters whose value names an existing file, hashed before
 * the kernel starts) and its products (every file under the output-location parameters, hashed when the
 * run ends). `reproduce` checks the first before re-running and compares the second after (issue 21).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { coreModuleHash } from '../numeric/wasm/core';
import { isVolatileProduct, normaliseText, resolveReproPolicy, type ReproPolicy } from './repro-policy';

/** One input file: the parameter's value as given, and what it held when the run started. */
export interface InputFileRecord {
  path: string;
  sha256: string;
  size: number;
  /** Where a packed bundle can fetch it again (set by `pack` for inputs too large to carry). */
  url?: string;
}

/** sha256 hex of a file's bytes. */
export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Input files of a run: every string parameter (not an output location) whose value, resolved against the
 * kernel's working directory, is an existing regular file. A notebook that reads a file it does not take as a
 * parameter is not covered: name inputs as parameters (notebooks/README.md).
 */
export function inputFilesOf(
  params: Record<string, unknown>,
  cwd: string,
  policy: Pick<ReproPolicy, 'outputParameters'>,
): Record<string, InputFileRecord> {
  const out: Record<string, InputFileRecord> = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== 'string' || value === '' || policy.outputParameters.includes(name)) continue;
    const abs = path.resolve(cwd, value);
    if (!isFile(abs)) continue;
    out[name] = { path: value, sha256: sha256File(abs), size: statSync(abs).size };
  }
  return out;
}

/** Absolute output directories by parameter (only the output-location parameters that hold a non-empty string). */
export function outputDirsOf(
  params: Record<string, unknown>,
  cwd: string,
  policy: Pick<ReproPolicy, 'outputParameters'>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of policy.outputParameters) {
    const v = params[name];
    if (typeof v === 'string' && v !== '') out[name] = path.resolve(cwd, v);
  }
  return out;
}

/** Files under `dir` as sorted '/'-separated relative paths (symlinks not followed). */
function listFiles(dir: string, prefix = ''): string[] {
  let entries;
  try {
    entries = readdirSync(path.join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

/** Text products whose content may name their own directory (summary.json holds absolute paths). */
const TEXT_PRODUCT = /\.(json|ya?ml|csv|tsv|txt|md)$/i;

/**
 * A product's content hash. Text products are hashed with their own output directory written as `<outDir>`,
 * so the same result written to another directory (a reproduction, an unpacked bundle) hashes the same.
 */
export function productHash(dir: string, rel: string, inputs: ProductSubstitutions = []): string {
  const bytes = readFileSync(path.join(dir, rel));
  if (!TEXT_PRODUCT.test(rel)) return createHash('sha256').update(bytes).digest('hex');
  return createHash('sha256')
    .update(productText(dir, rel, inputs, bytes))
    .digest('hex');
}

/** Input paths a product may quote (peaks.json names its image), with their `<input:NAME>` placeholder. */
export type ProductSubstitutions = ReadonlyArray<readonly [string, string]>;

/**
 * What a record's outputs and products may quote that is not a result: its input paths (as given) and its
 * output directories relative to the kernel's directory (`path.relative(cwd, outDir)` in a log line).
 */
export function recordSubstitutions(r: {
  input_files?: Record<string, { path: string }>;
  products_root?: Record<string, string>;
  cwd?: string;
}): ProductSubstitutions {
  const pairs: Array<readonly [string, string]> = Object.entries(r.input_files ?? {}).map(
    ([name, f]) => [f.path, `<input:${name}>`] as const,
  );
  for (const dir of Object.values(r.products_root ?? {})) {
    pairs.push([dir, '<outDir>']);
    const rel = r.cwd ? path.relative(r.cwd, dir) : '';
    if (rel && rel !== '.') pairs.push([rel, '<outDir>']);
  }
  return pairs;
}

/**
 * A text product with its directory and its input paths (as written, and JSON-escaped) replaced by
 * placeholders, longest first: where a result was written or read from is not part of the result.
 */
export function productText(
  dir: string,
  rel: string,
  inputs: ProductSubstitutions = [],
  bytes: Buffer = readFileSync(path.join(dir, rel)),
): string {
  const pairs = [[dir, '<outDir>'] as const, ...inputs].filter(([p]) => p.length > 1 && p !== '..');
  pairs.sort((a, b) => b[0].length - a[0].length);
  let t = bytes.toString('utf8');
  for (const [p, to] of pairs) t = t.split(JSON.stringify(p).slice(1, -1)).join(to).split(p).join(to);
  // the same volatile rules as outputs (a config that names a local archive's loopback port)
  return normaliseText(t, resolveReproPolicy());
}

/** Content hashes of every product file (volatile ones, such as ledgers and logs, left out), by parameter. */
export function hashProducts(
  dirs: Record<string, string>,
  policy: Pick<ReproPolicy, 'volatileProducts'>,
  inputs: ProductSubstitutions = [],
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [name, dir] of Object.entries(dirs)) {
    const files: Record<string, string> = {};
    for (const rel of listFiles(dir)) {
      if (isVolatileProduct(rel, policy)) continue;
      files[rel] = productHash(dir, rel, inputs);
    }
    out[name] = files;
  }
  return out;
}

/** sha256 over every WASM core module (the engine's cache-key hash), or undefined when the core is not built. */
export function wasmCoreVersion(): string | undefined {
  try {
    return coreModuleHash();
  } catch {
    return undefined;
  }
}
