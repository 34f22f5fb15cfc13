// Memory protocol between the JS host and the core.
// The host allocates unmanaged blocks with `alloc`, writes inputs through typed-array views of
// `memory.buffer`, calls a kernel with raw pointers, reads outputs, then `dealloc`s. Kernels take
// and return only numbers and pointers: no managed object crosses the boundary, so the host never
// needs the loader and the GC (minimal runtime: runs only on `__collect`) cannot move anything.

/** Allocates `bytes` bytes (16-byte aligned, TLSF). Returns the address. */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Frees a block returned by `alloc`. */
export function dealloc(ptr: usize): void {
  heap.free(ptr);
}

/** Version of the memory protocol; the host refuses a module with another one. */
export const ABI_VERSION: i32 = 1;
