// Frame element access shared by the XPCS kernels.
// Frame element kinds (host enum): 0 uint16, 1 uint32, 2 float32, 3 float64.

/** Loads element idx of a frame stack of the given kind as f64 (exact for every kind). */
@inline export function pixelF64(stack: usize, kind: i32, idx: usize): f64 {
  if (kind == 0) return <f64>load<u16>(stack + (idx << 1));
  if (kind == 1) return <f64>load<u32>(stack + (idx << 2));
  if (kind == 2) return <f64>load<f32>(stack + (idx << 2));
  return load<f64>(stack + (idx << 3));
}
