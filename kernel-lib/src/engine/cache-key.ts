/**
 * Cache keys. A unit is skipped when a succeeded run of the same (pipeline, stage, unit) has the
 * same key and its outputs still verify. The key covers, by policy (CACHE_KEY_FIELDS):
 * stage name and version, the parameter hash, every input's path (relative to the root) and
 * content sha256, the WASM core hash for stages that use the numeric core, and the side inputs
 * (label + digest of the rows a unit reads) of stages that declare a `sideInputs` hook. Content hashes
 * (not mtimes) make a parameter change re-run only what its outputs actually change.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';

/** What a cache key is made of (documented policy; bump KEY_FORMAT when it changes). */
export const CACHE_KEY_FIELDS: readonly string[] = [
  'format',
  'stage',
  'version',
  'paramsHash',
  'inputs[path,sha256]',
  'coreHash (if usesCore)',
  // only keys of stages with a sideInputs hook carry this field: other keys are unchanged (same format)
  'sideInputs[path,sha256] (if the stage declares sideInputs)',
];
const KEY_FORMAT = 1;

/** JSON with object keys sorted at every depth (so equal values hash equally). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    return v;
  });
}

/** sha256 (hex) of a string. */
export function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 of canonical JSON of the (validated, defaulted) parameters. */
export function paramsHash(params: unknown): string {
  return sha256Text(canonicalJson(params ?? null));
}

/** Streams a file through sha256 (constant memory for multi-GB inputs). */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Size, mtime and sha256 of a file. */
export async function fileFacts(file: string): Promise<{ size: number; mtimeMs: number; sha256: string }> {
  const st = await fsp.stat(file);
  return { size: st.size, mtimeMs: st.mtimeMs, sha256: await sha256File(file) };
}

/** Everything that identifies a unit's work. */
export interface CacheKeyInput {
  stage: string;
  version: number;
  params: unknown;
  /** Input path relative to the root, and content hash. */
  inputs: { path: string; sha256: string }[];
  /** WASM core hash, or null when the stage does not use the core. */
  coreHash: string | null;
  /** Side inputs (label, digest) of a stage with a `sideInputs` hook; undefined for other stages. */
  sideInputs?: { path: string; sha256: string }[];
}

/** The cache key (sha256 hex) of a unit. */
export function cacheKey(k: CacheKeyInput): string {
  const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const inputs = [...k.inputs].sort(byPath);
  const fields: Record<string, unknown> = {
    format: KEY_FORMAT,
    stage: k.stage,
    version: k.version,
    paramsHash: paramsHash(k.params),
    inputs,
    coreHash: k.coreHash,
  };
  if (k.sideInputs) fields.sideInputs = [...k.sideInputs].map((s) => ({ path: s.path, sha256: s.sha256 })).sort(byPath);
  return sha256Text(canonicalJson(fields));
}
