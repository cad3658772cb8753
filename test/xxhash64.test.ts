import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fb } from '../src/framebuffer/FrameArena.ts';
import { runtime } from '../src/platform/runtime.ts';

const M = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;
const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M;
const u64 = (b: Uint8Array, i: number): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(i, true);
const u32 = (b: Uint8Array, i: number): bigint => BigInt(new DataView(b.buffer, b.byteOffset).getUint32(i, true));
const round = (acc: bigint, x: bigint): bigint => (rotl((acc + x * P2) & M, 31n) * P1) & M;
const merge = (acc: bigint, v: bigint): bigint => (((acc ^ round(0n, v)) * P1) + P4) & M;

/** Straight from the spec, with BigInt: the reference the WebAssembly version must match. */
function xxh64Ref(b: Uint8Array, seed = 0n): bigint {
  let p = 0;
  let h: bigint;
  if (b.length >= 32) {
    let v1 = (seed + P1 + P2) & M, v2 = (seed + P2) & M, v3 = seed, v4 = (seed - P1) & M;
    for (; p + 32 <= b.length; p += 32) {
      v1 = round(v1, u64(b, p)); v2 = round(v2, u64(b, p + 8)); v3 = round(v3, u64(b, p + 16)); v4 = round(v4, u64(b, p + 24));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M;
    h = merge(merge(merge(merge(h, v1), v2), v3), v4);
  } else h = (seed + P5) & M;
  h = (h + BigInt(b.length)) & M;
  for (; p + 8 <= b.length; p += 8) h = ((rotl(h ^ round(0n, u64(b, p)), 27n) * P1) + P4) & M;
  if (p + 4 <= b.length) { h = ((rotl(h ^ ((u32(b, p) * P1) & M), 23n) * P2) + P3) & M; p += 4; }
  for (; p < b.length; p++) h = (rotl(h ^ ((BigInt(b[p]!) * P5) & M), 11n) * P1) & M;
  h ^= h >> 33n; h = (h * P2) & M; h ^= h >> 29n; h = (h * P3) & M; h ^= h >> 32n;
  return h;
}

function wasmHash(bytes: Uint8Array, seed = 0n): bigint {
  const rt = runtime();
  const region = rt.regions.allocate(bytes.length + 16);
  try {
    rt.u8.set(bytes, region + 3); // deliberately unaligned
    return BigInt.asUintN(64, fb().xxh64(region + 3, bytes.length, seed));
  } finally {
    rt.regions.release(region);
  }
}

const hex = (h: bigint): string => h.toString(16).padStart(16, '0');
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

test('xxh64() matches the published vectors', () => {
  const vectors: Array<[string, string]> = [
    ['', 'ef46db3751d8e999'],
    ['a', 'd24ec4f1a98c6e5b'],
    ['abc', '44bc2cf5ad770999'],
    ['Nobody inspects the spammish repetition', 'fbcea83c8a378bf1'],
  ];
  for (const [text, want] of vectors) {
    assert.is(hex(wasmHash(ascii(text))), want, JSON.stringify(text));
    assert.is(hex(xxh64Ref(ascii(text))), want, `reference, ${JSON.stringify(text)}`);
  }
});

test('xxh64() matches a BigInt implementation of the spec on random inputs, lengths and seeds', () => {
  let state = 12345;
  const rnd = (): number => (state = (state * 1103515245 + 12345) >>> 0) >>> 8;
  const lengths = [...Array(80).keys(), 127, 128, 129, 255, 256, 1000, 4096, 65_537];
  for (const len of lengths) {
    const b = new Uint8Array(len);
    for (let i = 0; i < len; i++) b[i] = rnd() & 255;
    const seed = len % 3 === 0 ? 0n : (BigInt(rnd()) << 40n) ^ BigInt(rnd());
    assert.is(hex(wasmHash(b, seed)), hex(xxh64Ref(b, seed)), `length ${len}`);
  }
});

test('xxh64Lo() and xxh64Hi() split the hash without a BigInt', () => {
  const rt = runtime();
  const region = rt.regions.allocate(64);
  try {
    rt.u8.set(ascii('abc'), region);
    const lo = fb().xxh64Lo(region, 3);
    assert.is((fb().xxh64Hi() >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0'), '44bc2cf5ad770999');
  } finally {
    rt.regions.release(region);
  }
});

test.run();
