// XXH64 (xxHash, 64-bit variant), one-shot over a range of memory. Spec:
// https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md ("XXH64 algorithm description").
// Checked against the reference vectors and a BigInt implementation in test/xxhash64.test.ts.
//
// Input is read with unaligned little-endian loads, which WebAssembly allows on every host; the
// result is the plain u64 the spec defines (shown to users as 16 hex digits, big-endian, the form
// `xxhsum` and Python's `xxhash.xxh64().hexdigest()` print).

// @ts-ignore: decorator
@inline const PRIME64_1: u64 = 0x9E3779B185EBCA87;
// @ts-ignore: decorator
@inline const PRIME64_2: u64 = 0xC2B2AE3D27D4EB4F;
// @ts-ignore: decorator
@inline const PRIME64_3: u64 = 0x165667B19E3779F9;
// @ts-ignore: decorator
@inline const PRIME64_4: u64 = 0x85EBCA77C2B2AE63;
// @ts-ignore: decorator
@inline const PRIME64_5: u64 = 0x27D4EB2F165667C5;

// @ts-ignore: decorator
@inline function xxhRound(acc: u64, input: u64): u64 {
  return rotl<u64>(acc + input * PRIME64_2, 31) * PRIME64_1;
}

// @ts-ignore: decorator
@inline function xxhMerge(acc: u64, val: u64): u64 {
  return (acc ^ xxhRound(0, val)) * PRIME64_1 + PRIME64_4;
}

/** XXH64 of the `len` bytes at `ptr` with `seed`. */
export function xxh64(ptr: usize, len: usize, seed: u64): u64 {
  const end = ptr + len;
  let p = ptr;
  let h: u64;
  if (len >= 32) {
    let v1 = seed + PRIME64_1 + PRIME64_2;
    let v2 = seed + PRIME64_2;
    let v3 = seed;
    let v4 = seed - PRIME64_1;
    const limit = end - 32;
    do {
      v1 = xxhRound(v1, load<u64>(p));
      v2 = xxhRound(v2, load<u64>(p, 8));
      v3 = xxhRound(v3, load<u64>(p, 16));
      v4 = xxhRound(v4, load<u64>(p, 24));
      p += 32;
    } while (p <= limit);
    h = rotl<u64>(v1, 1) + rotl<u64>(v2, 7) + rotl<u64>(v3, 12) + rotl<u64>(v4, 18);
    h = xxhMerge(h, v1);
    h = xxhMerge(h, v2);
    h = xxhMerge(h, v3);
    h = xxhMerge(h, v4);
  } else {
    h = seed + PRIME64_5;
  }
  h += <u64>len;
  while (p + 8 <= end) {
    h ^= xxhRound(0, load<u64>(p));
    h = rotl<u64>(h, 27) * PRIME64_1 + PRIME64_4;
    p += 8;
  }
  if (p + 4 <= end) {
    h ^= <u64>load<u32>(p) * PRIME64_1;
    h = rotl<u64>(h, 23) * PRIME64_2 + PRIME64_3;
    p += 4;
  }
  while (p < end) {
    h ^= <u64>load<u8>(p) * PRIME64_5;
    h = rotl<u64>(h, 11) * PRIME64_1;
    p++;
  }
  h ^= h >> 33;
  h *= PRIME64_2;
  h ^= h >> 29;
  h *= PRIME64_3;
  h ^= h >> 32;
  return h;
}

// The high half of the last hash returned by xxh64Lo, so JS gets a hash without a BigInt.
let lastHi: u32 = 0;

/** XXH64 (seed 0) of the `len` bytes at `ptr`: returns the low 32 bits; xxh64Hi() gives the rest. */
export function xxh64Lo(ptr: usize, len: usize): u32 {
  const h = xxh64(ptr, len, 0);
  lastHi = <u32>(h >> 32);
  return <u32>h;
}

/** High 32 bits of the hash last computed by xxh64Lo. */
export function xxh64Hi(): u32 { return lastHi; }

