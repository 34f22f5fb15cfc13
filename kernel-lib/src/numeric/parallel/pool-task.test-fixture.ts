/** A task module used by pool.test.ts: sums a slice of a Float64Array. */
export function sumSlice(p: { data: Float64Array; from: number; to: number }): { sum: number } {
  let s = 0;
  for (let i = p.from; i < p.to; i++) s += p.data[i];
  return { sum: s };
}

export function fail(): never {
  throw Object.assign(new Error('boom'), { code: 'E_TEST' });
}
