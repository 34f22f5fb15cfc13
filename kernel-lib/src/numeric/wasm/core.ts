/**
 * Host side of the wasm-core memory protocol (see wasm-core/assembly/memory.ts).
 *
 * The module is compiled and instantiated synchronously (Node allows it for any size), so every
 * numeric function in stagebook is a plain synchronous call. Inputs are copied into WASM memory
 * exactly once; outputs are copied out once into ordinary typed arrays owned by the caller.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { StagebookError } from '../../errors/stagebook-error';
import '../../types/webassembly-globals';

export interface CoreExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  dealloc(ptr: number): void;
  __collect(): void;
  ABI_VERSION: WebAssembly.Global;
  // Kernel entry points: numbers and pointers only.
  [kernel: string]: unknown;
}

export interface Core {
  exports: CoreExports;
  /** Runs `fn` with an arena whose blocks are all freed afterwards (also on throw). */
  withArena<T>(fn: (arena: Arena) => T): T;
}

const EXPECTED_ABI = 1;
const cachedModules = new Map<string, WebAssembly.Module>();
const cachedBytes = new Map<string, Buffer>();
const cachedCores = new Map<string, Core>();

interface WasmCorePackage {
  wasmPath(family: string): string;
  families(): string[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const wasmCorePackage = (): WasmCorePackage => require('@stagebook/wasm-core') as WasmCorePackage;

/** Path of build/<family>.wasm shipped by @stagebook/wasm-core. */
export function coreWasmPath(family: string): string {
  return wasmCorePackage().wasmPath(family);
}

function coreBytes(family: string): Buffer {
  let bytes = cachedBytes.get(family);
  if (!bytes) {
    const file = coreWasmPath(family);
    try {
      bytes = readFileSync(file);
    } catch (cause) {
      throw new StagebookError(
        'E_WASM',
        `cannot read the WASM kernel module ${file}: run \`npm run build\``,
        { file },
        { cause },
      );
    }
    cachedBytes.set(family, bytes);
  }
  return bytes;
}

/** The compiled (not instantiated) module of a family, shareable with worker_threads. */
export function coreModule(family: string): WebAssembly.Module {
  let m = cachedModules.get(family);
  if (!m) {
    m = new WebAssembly.Module(coreBytes(family));
    cachedModules.set(family, m);
  }
  return m;
}

/**
 * Makes `module` (a family's module compiled by another thread, received through workerData) this
 * thread's compiled module of `family`: threads that share one module share its compiled code,
 * optimised tiers included, instead of each compiling the bytes again and running baseline code
 * until its own tier-up (a short-lived worker may never get there).
 */
export function adoptCoreModule(family: string, module: WebAssembly.Module): void {
  cachedModules.set(family, module);
}

/**
 * sha256 over every compiled family module (name and bytes, in name order): part of every stage
 * cache key, so a rebuilt numeric core invalidates cached results.
 */
export function coreModuleHash(): string {
  const h = createHash('sha256');
  for (const family of wasmCorePackage().families()) h.update(family).update('\0').update(coreBytes(family));
  return h.digest('hex');
}

/** Decodes an AssemblyScript string (UTF-16LE, byte length stored at ptr-4). */
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return '';
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
  return Buffer.from(memory.buffer, ptr, bytes).toString('utf16le');
}

/** Instantiates a fresh core (own memory). The main thread uses `loadCore()`; workers call this. */
export function instantiateCore(module: WebAssembly.Module): Core {
  let memory: WebAssembly.Memory | undefined;
  const imports = {
    env: {
      abort(msg: number, file: number, line: number, column: number): never {
        const text = memory
          ? `${readAsString(memory, msg)} at ${readAsString(memory, file)}:${line}:${column}`
          : 'abort';
        throw new StagebookError('E_WASM', `wasm-core aborted: ${text}`, { line, column });
      },
    },
  };
  const instance = new WebAssembly.Instance(module, imports);
  const exports = instance.exports as unknown as CoreExports;
  memory = exports.memory;
  const abi = exports.ABI_VERSION.value as number;
  if (abi !== EXPECTED_ABI) {
    throw new StagebookError(
      'E_WASM',
      `wasm-core ABI ${abi} does not match the host's ${EXPECTED_ABI}: rebuild with \`npm run build\``,
    );
  }
  return {
    exports,
    withArena<T>(fn: (arena: Arena) => T): T {
      const arena = new Arena(exports);
      try {
        return fn(arena);
      } finally {
        arena.release();
      }
    },
  };
}

/** The main-thread instance of a family's module, instantiated on first use. */
export function loadCore(family: string): Core {
  let core = cachedCores.get(family);
  if (!core) {
    core = instantiateCore(coreModule(family));
    cachedCores.set(family, core);
  }
  return core;
}

export type TypedArray =
  Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Uint8Array | Int8Array;
type TypedArrayCtor<T extends TypedArray> = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
  BYTES_PER_ELEMENT: number;
};

/** A block of WASM memory. Views are re-created on every access because memory growth detaches them. */
export class Block<T extends TypedArray> {
  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly ctor: TypedArrayCtor<T>,
    readonly ptr: number,
    readonly length: number,
  ) {}
  /** A live view (valid until the next allocation). */
  view(): T {
    return new this.ctor(this.memory.buffer, this.ptr, this.length);
  }
  /** A copy owned by the caller (survives release of the arena). */
  copyOut(length = this.length): T {
    const out = new this.ctor(new ArrayBuffer(length * this.ctor.BYTES_PER_ELEMENT), 0, length);
    (out as unknown as { set(a: ArrayLike<number>): void }).set(new this.ctor(this.memory.buffer, this.ptr, length));
    return out;
  }
}

/** Allocation scope: every block is freed by `release()`; `__collect` then reclaims kernel temporaries. */
export class Arena {
  private readonly ptrs: number[] = [];
  constructor(private readonly exports: CoreExports) {}

  private block<T extends TypedArray>(ctor: TypedArrayCtor<T>, length: number): Block<T> {
    // Always allocate at least one element so a zero-length input still has a valid address.
    const bytes = Math.max(1, length) * ctor.BYTES_PER_ELEMENT;
    const ptr = this.exports.alloc(bytes);
    if (!ptr) throw new StagebookError('E_WASM', `wasm-core could not allocate ${bytes} bytes`);
    this.ptrs.push(ptr);
    return new Block(this.exports.memory, ctor, ptr, length);
  }

  f64(n: number): Block<Float64Array> {
    return this.block(Float64Array, n);
  }
  f32(n: number): Block<Float32Array> {
    return this.block(Float32Array, n);
  }
  i32(n: number): Block<Int32Array> {
    return this.block(Int32Array, n);
  }
  u32(n: number): Block<Uint32Array> {
    return this.block(Uint32Array, n);
  }
  u16(n: number): Block<Uint16Array> {
    return this.block(Uint16Array, n);
  }
  u8(n: number): Block<Uint8Array> {
    return this.block(Uint8Array, n);
  }

  /** Allocates a block of the same element type as `data` and copies it in (the one copy). */
  copyIn<T extends TypedArray>(data: T): Block<T> {
    // A Buffer is a Uint8Array whose own constructor is deprecated: use the standard one.
    const ctor = (Buffer.isBuffer(data) ? Uint8Array : data.constructor) as unknown as TypedArrayCtor<T>;
    const b = this.block(ctor, data.length);
    (b.view() as unknown as { set(a: ArrayLike<number>): void }).set(data);
    return b;
  }

  release(): void {
    for (const p of this.ptrs) this.exports.dealloc(p);
    this.ptrs.length = 0;
    this.exports.__collect();
  }
}
