import { describe, expect, it } from 'vitest';
import { isStagebookError } from '../../errors/stagebook-error';
import { coreModuleHash, loadCore } from './core';

type Selftest = { sumF64(ptr: number, n: number): number; failWith(code: number): number };

describe('wasm-core host protocol', () => {
  const core = loadCore('selftest');
  const k = core.exports as unknown as Selftest;

  it('copies a typed array in and runs a SIMD kernel on it', () => {
    const x = Float64Array.from({ length: 1001 }, (_, i) => i * 0.5);
    const s = core.withArena((a) => k.sumF64(a.copyIn(x).ptr, x.length));
    expect(s).toBe(x.reduce((p, v) => p + v, 0));
  });

  it('frees arena blocks: repeated 8 MB allocations do not grow memory without bound', () => {
    const x = new Float64Array(1 << 20);
    core.withArena((a) => a.copyIn(x));
    const before = core.exports.memory.buffer.byteLength;
    for (let i = 0; i < 20; i++) core.withArena((a) => k.sumF64(a.copyIn(x).ptr, x.length));
    expect(core.exports.memory.buffer.byteLength).toBe(before);
  });

  it('maps an AssemblyScript abort to StagebookError E_WASM with the message', () => {
    let err: unknown;
    try {
      k.failWith(1);
    } catch (e) {
      err = e;
    }
    expect(isStagebookError(err, 'E_WASM')).toBe(true);
    expect((err as Error).message).toMatch(/selftest failure requested/);
  });

  it('hashes the compiled modules (stable, hex)', () => {
    expect(coreModuleHash()).toMatch(/^[0-9a-f]{64}$/);
    expect(coreModuleHash()).toBe(coreModuleHash());
  });
});
