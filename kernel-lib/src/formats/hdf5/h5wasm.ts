/**
 * Lazy loader for h5wasm 0.10 (ESM-only). kernel-lib is CommonJS, where TypeScript rewrites
 * `import()` into `require()`, which cannot load ESM: a Function-built `import()` survives
 * compilation. Loaded on first use so the rest of the library never pays for the WASM module.
 * The types below are the small subset of h5wasm's API we use (kept local so our public .d.ts
 * never depends on h5wasm's typings).
 */
import { StagebookError } from '../../errors/stagebook-error';

/** @internal */
export interface H5Dataset {
  readonly type: string;
  readonly shape: number[] | null;
  readonly dtype: unknown;
  readonly metadata: { type: number; size: number; signed?: boolean; vlen?: boolean };
  readonly value: unknown;
  readonly attrs: Record<string, { value: unknown }>;
  create_attribute(name: string, data: unknown, shape?: number[] | null, dtype?: string | null): void;
}

/** @internal */
export interface H5Group {
  readonly type: string;
  keys(): string[];
  get(path: string): H5Group | H5Dataset | null;
  create_group(name: string): H5Group;
  create_dataset(args: { name: string; data: unknown; shape?: number[] | null; dtype?: string | null }): H5Dataset;
  create_attribute(name: string, data: unknown, shape?: number[] | null, dtype?: string | null): void;
  paths(): string[];
}

/** @internal */
export interface H5File extends H5Group {
  flush(): void;
  close(): number;
}

/** @internal */
export interface H5Api {
  File: new (filename: string, mode?: 'r' | 'a' | 'w' | 'x') => H5File;
}

const importEsm = new Function('s', 'return import(s)') as (s: string) => Promise<any>;

/**
 * Real dynamic import first (Node running our CommonJS build). Under a vm-based runner (vitest)
 * Function-built code has no import callback; there a plain `import()` of a variable works
 * because the runner transforms this source as ESM (tsc would turn it into require(), which is
 * why it is only the fallback).
 */
async function importH5wasmNode(): Promise<any> {
  const spec = 'h5wasm/node';
  try {
    return await importEsm(spec);
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code !== 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING') throw e;
    return await import(spec);
  }
}

let loading: Promise<H5Api> | undefined;

/** Loads h5wasm once and switches HDF5 to throwing errors (instead of printing to stderr). */
export function loadH5wasm(): Promise<H5Api> {
  if (!loading) {
    loading = (async () => {
      try {
        const mod = await importH5wasmNode();
        const h5 = mod.default ?? mod;
        const Module = await h5.ready;
        Module.activate_throwing_error_handler();
        return h5 as H5Api;
      } catch (e) {
        loading = undefined;
        throw new StagebookError(
          'E_DEPENDENCY',
          `loadH5wasm: cannot load h5wasm/node: ${(e as Error)?.message ?? e}`,
          { where: 'loadH5wasm' },
          { cause: e },
        );
      }
    })();
  }
  return loading;
}

/**
 * Runs synchronous h5wasm writes with HDF5's clock pinned to the epoch, so the same content gives
 * the same bytes (issue 11 item 4). HDF5 stamps every object header it creates with
 * access/modification/change/birth times (H5Pset_obj_track_times is on by default and h5wasm does
 * not expose it); in h5wasm's Emscripten build clock_gettime reads the global Date.now(). The write
 * is synchronous, so no other JavaScript observes the pinned clock.
 */
export function withFixedClock<T>(fn: () => T): T {
  const realNow = Date.now;
  Date.now = () => 0;
  try {
    return fn();
  } finally {
    Date.now = realNow;
  }
}

/** First line of an HDF5 error stack that says what went wrong (the rest is file/line noise). */
export function h5Reason(e: unknown): string {
  const text = String((e as Error)?.message ?? e);
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const hit = lines.find((l) => /^#\d+:/.test(l));
  const detail = hit ? hit.replace(/^#\d+:\s*\S+ line \d+ in /, '') : (lines[0] ?? text);
  const minor = lines.find((l) => l.startsWith('minor:'));
  return minor ? `${detail} (${minor.slice(6).trim()})` : detail;
}
