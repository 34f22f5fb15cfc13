import { awaitShared, type SharedStream } from './pool';

/** A task module used by pool.test.ts: sums a slice of a Float64Array. */
export function sumSlice(p: { data: Float64Array; from: number; to: number }): { sum: number } {
  let s = 0;
  for (let i = p.from; i < p.to; i++) s += p.data[i];
  return { sum: s };
}

export function fail(): never {
  throw Object.assign(new Error('boom'), { code: 'E_INVALID_ARGUMENT' });
}

/** Throws with a code outside the closed StagebookErrorCode union (pool.test.ts: becomes E_INTERNAL). */
export function failUnknownCode(): never {
  throw Object.assign(new Error('odd'), { code: 'E_NOT_A_STAGEBOOK_CODE' });
}

/** Sums a streamed shared array once its copy has arrived (pool.test.ts). */
export function sumStreamed(p: { data: Float64Array; stream?: SharedStream }): { sum: number; shared: boolean } {
  awaitShared(p.stream, p.data.length);
  let s = 0;
  for (let i = 0; i < p.data.length; i++) s += p.data[i];
  return { sum: s, shared: p.data.buffer instanceof SharedArrayBuffer };
}
