// Kernels for bench/hashfloor.mjs: what a pass over a frame costs in WebAssembly, to judge how fast a
// FrameBuffer write (copy in + hash) can get. Compiled with `--enable simd`; the core module is not.
// These are measuring sticks, not hashes: neither is used for checksums.
export { xxh64Lo } from "../../assembly/xxhash64";

/** The cheapest pass a checksum could make: v128 loads summed in four lanes, no mixing at all. */
export function sumV128(p: usize, len: usize): u64 {
  let a0 = i64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
  const end = p + len;
  while (p + 64 <= end) {
    a0 = i64x2.add(a0, v128.load(p));
    a1 = i64x2.add(a1, v128.load(p, 16));
    a2 = i64x2.add(a2, v128.load(p, 32));
    a3 = i64x2.add(a3, v128.load(p, 48));
    p += 64;
  }
  const x = i64x2.add(i64x2.add(a0, a1), i64x2.add(a2, a3));
  return i64x2.extract_lane(x, 0) ^ i64x2.extract_lane(x, 1);
}

// @ts-ignore: decorator
@inline function xxh3Lane(acc: v128, d: v128, key: v128): v128 {
  const dk = v128.xor(d, key);
  // acc += swap64(data) + lo32(dk) * hi32(dk), per 64-bit lane (XXH3_accumulate_512).
  const product = i64x2.extmul_low_i32x4_u(v128.shuffle<u32>(dk, dk, 0, 2, 0, 2), v128.shuffle<u32>(dk, dk, 1, 3, 1, 3));
  return i64x2.add(i64x2.add(acc, v128.shuffle<u32>(d, d, 2, 3, 0, 1)), product);
}

/**
 * The inner loop of XXH3's long-input path (stripes of 64 bytes, 16 stripes per block, a scramble
 * per block) with v128, over whole 1 KiB blocks; without XXH3's short-input paths, last stripe and
 * final merge, so it is its speed on large frames, not a conforming XXH3.
 */
export function xxh3Loop(p: usize, len: usize, secret: usize): u64 {
  let a0 = i64x2(1, 2), a1 = i64x2(3, 4), a2 = i64x2(5, 6), a3 = i64x2(7, 8);
  const k = i64x2.splat(0x9E3779B1);
  const end = p + len;
  while (p + 1024 <= end) {
    let s = secret;
    for (let i = 0; i < 16; i++) {
      a0 = xxh3Lane(a0, v128.load(p), v128.load(s));
      a1 = xxh3Lane(a1, v128.load(p, 16), v128.load(s, 16));
      a2 = xxh3Lane(a2, v128.load(p, 32), v128.load(s, 32));
      a3 = xxh3Lane(a3, v128.load(p, 48), v128.load(s, 48));
      p += 64;
      s += 8;
    }
    a0 = i64x2.mul(v128.xor(v128.xor(a0, i64x2.shr_u(a0, 47)), v128.load(secret, 128)), k);
    a1 = i64x2.mul(v128.xor(v128.xor(a1, i64x2.shr_u(a1, 47)), v128.load(secret, 144)), k);
    a2 = i64x2.mul(v128.xor(v128.xor(a2, i64x2.shr_u(a2, 47)), v128.load(secret, 160)), k);
    a3 = i64x2.mul(v128.xor(v128.xor(a3, i64x2.shr_u(a3, 47)), v128.load(secret, 176)), k);
  }
  const x = i64x2.add(i64x2.add(a0, a1), i64x2.add(a2, a3));
  return i64x2.extract_lane(x, 0) ^ i64x2.extract_lane(x, 1);
}
