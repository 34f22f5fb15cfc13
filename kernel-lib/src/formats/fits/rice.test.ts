import { describe, expect, it } from 'vitest';
import { lcg } from '../../../../test/support/helpers';
import { loadCore } from '../../numeric/wasm/core';
import { riceDecodeTiles, riceEncodeTiles } from './rice';

function roundTrip(values: Int32Array | Int16Array | Uint8Array, bytepix: number, tiles: number[]): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const { heap, lengths } = riceEncodeTiles(bytes, tiles, 32, bytepix);
  let offset = 0;
  const jobs = lengths.map((length, index) => {
    const t = { offset, length, npix: tiles[index], index };
    offset += length;
    return t;
  });
  return riceDecodeTiles(heap, jobs, 32, bytepix, {});
}

describe('RICE_1 codec in wasm-core (cfitsio ricecomp semantics)', () => {
  it('round-trips smooth, noisy, constant and extreme data for BYTEPIX 1, 2, 4', () => {
    const rnd = lcg(7);
    const n = 1000;
    const cases: Array<[Int32Array | Int16Array | Uint8Array, number]> = [
      [Int32Array.from({ length: n }, (_, i) => Math.round(1e6 * Math.sin(i / 20) + rnd() * 100)), 4],
      [Int32Array.from({ length: n }, () => Math.floor(rnd() * 2 ** 32) | 0), 4],
      [Int32Array.from({ length: n }, (_, i) => (i % 2 ? 2147483647 : -2147483648)), 4],
      [new Int32Array(n).fill(-5), 4],
      [Int16Array.from({ length: n }, () => Math.floor(rnd() * 65536) - 32768), 2],
      [Int16Array.from({ length: n }, (_, i) => (i % 2 ? 32767 : -32768)), 2],
      [Int16Array.from({ length: n }, (_, i) => Math.round(500 * Math.cos(i / 9))), 2],
      [Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256)), 1],
      [Uint8Array.from({ length: n }, (_, i) => (i * 3) % 256), 1],
    ];
    for (const [values, bp] of cases) {
      const out = roundTrip(values, bp, [300, 1, 33, 666]);
      expect(Buffer.from(out).equals(Buffer.from(values.buffer, values.byteOffset, values.byteLength))).toBe(true);
    }
  });

  it('compresses smooth data well below its raw size', () => {
    const values = Int16Array.from({ length: 4096 }, (_, i) => Math.round(100 * Math.sin(i / 50)));
    const { heap } = riceEncodeTiles(new Uint8Array(values.buffer), [4096], 32, 2);
    expect(heap.length).toBeLessThan(values.byteLength / 3);
  });

  it('reports a truncated tile instead of reading past it', () => {
    const values = Int32Array.from({ length: 256 }, (_, i) => i * i);
    const { heap } = riceEncodeTiles(new Uint8Array(values.buffer), [256], 32, 4);
    const cut = heap.subarray(0, Math.floor(heap.length / 2));
    expect(() =>
      riceDecodeTiles(cut, [{ offset: 0, length: cut.length, npix: 256, index: 0 }], 32, 4, { file: 'x.fz', hdu: 1 }),
    ).toThrow(expect.objectContaining({ code: 'E_FITS_FORMAT' }));
  });

  it('rejects unsupported BYTEPIX', () => {
    const k = loadCore('fits').exports as unknown as { riceDecode(...a: number[]): number };
    expect(k.riceDecode(0, 10, 0, 4, 32, 3)).toBe(2);
  });
});
