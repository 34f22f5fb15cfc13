// A tiny family used to test the host protocol itself (allocation, abort mapping, SIMD enabled).
export * from "./common/memory";

/** Sums n f64 values at ptr with two SIMD lanes (checks that SIMD is enabled in the build). */
export function sumF64(ptr: usize, n: i32): f64 {
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) acc = f64x2.add(acc, v128.load(ptr + (<usize>i << 3)));
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) s += load<f64>(ptr + (<usize>i << 3));
  return s;
}

/** Aborts with a message (checks the abort -> StagebookError mapping). */
export function failWith(code: i32): i32 {
  if (code != 0) abort("selftest failure requested");
  return code;
}
