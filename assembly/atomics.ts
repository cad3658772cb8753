// Atomic access to words of a mapped window, for the TypeScript layers and for tests.
//
// Addresses are local: the window's base in this process plus an offset inside the segment. Nothing
// stored in shared memory is ever an address (windows sit at different places in every process).

export function atomicLoad32(ptr: usize): i32 { return atomic.load<i32>(ptr); }
export function atomicStore32(ptr: usize, value: i32): void { atomic.store<i32>(ptr, value); }
export function atomicAdd32(ptr: usize, delta: i32): i32 { return atomic.add<i32>(ptr, delta); }
export function atomicCas32(ptr: usize, expected: i32, replacement: i32): i32 {
  return atomic.cmpxchg<i32>(ptr, expected, replacement);
}
export function atomicLoad64(ptr: usize): i64 { return atomic.load<i64>(ptr); }
export function atomicStore64(ptr: usize, value: i64): void { atomic.store<i64>(ptr, value); }
export function atomicAdd64(ptr: usize, delta: i64): i64 { return atomic.add<i64>(ptr, delta); }
export function atomicCas64(ptr: usize, expected: i64, replacement: i64): i64 {
  return atomic.cmpxchg<i64>(ptr, expected, replacement);
}

/**
 * Loads the i32 at `ptr` up to `loads` times while it equals `expected`; returns the last value
 * loaded (equal to `expected` when the spin ran out). One call spins without a JS-to-WebAssembly
 * transition per load, which cost most of a cross-core round trip (bench/pingpong).
 */
export function spinWhileEqual32(ptr: usize, expected: i32, loads: i32): i32 {
  let v = atomic.load<i32>(ptr);
  for (let i = 0; i < loads && v == expected; i++) v = atomic.load<i32>(ptr);
  return v;
}

/** Adds `delta` to the i32 at `ptr`, `count` times; returns the last value written. For tests and benchmarks. */
export function atomicAddLoop32(ptr: usize, delta: i32, count: i32): i32 {
  let last: i32 = 0;
  for (let i = 0; i < count; i++) last = atomic.add<i32>(ptr, delta) + delta;
  return last;
}

/** Copies `length` bytes inside the memory (windows included). */
export function copyBytes(dst: usize, src: usize, length: usize): void { memory.copy(dst, src, length); }
/** Fills `length` bytes with `value`. */
export function fillBytes(dst: usize, value: u8, length: usize): void { memory.fill(dst, value, length); }
