// Fuzzing of decode(), shared by the bounded CI test and scripts/fuzz-pybytes.mjs: random bytes and
// mutated golden vectors; only DecodeError / RangeError may escape, and the codec must still
// round-trip a known value afterwards.
import { DecodeError, decode, encode } from '../../src/pybytes.ts';

/** xorshift32: reproducible runs from a seed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

export interface FuzzResult {
  iterations: number;
  decoded: number;
  decodeErrors: number;
  rangeErrors: number;
}

const KNOWN = { a: [1, 2.5, 'x', null], b: new Map<unknown, unknown>([[1, new Set([2n ** 80n])]]) };

function mutate(src: Uint8Array, next: () => number): Uint8Array {
  const out = new Uint8Array(src.length + (next() % 4));
  out.set(src.subarray(0, out.length));
  const edits = 1 + (next() % 4);
  for (let e = 0; e < edits; e++) {
    const op = next() % 4;
    const i = next() % Math.max(1, out.length);
    if (op === 0) out[i] = next() & 0xff;
    else if (op === 1) out[i] = out[i]! ^ (1 << (next() % 8));
    else if (op === 2 && out.length > 1) return out.subarray(0, 1 + (next() % (out.length - 1)));
    else out[i] = [0, 1, 0x7f, 0x80, 0xff, 0x1c, 0x2b, 0x03, 0x0b][next() % 9]!;
  }
  return out;
}

/** Runs `iterations` fuzz cases (or until `deadline` ms since epoch); throws on the first bad outcome. */
export function fuzz(corpus: Uint8Array[], iterations: number, seed: number, deadline = Infinity): FuzzResult {
  const next = rng(seed);
  const known = encode(KNOWN);
  const result: FuzzResult = { iterations: 0, decoded: 0, decodeErrors: 0, rangeErrors: 0 };
  for (let i = 0; i < iterations && Date.now() < deadline; i++) {
    let input: Uint8Array;
    if (i % 3 === 0 || corpus.length === 0) {
      input = new Uint8Array(next() % 64);
      for (let j = 0; j < input.length; j++) input[j] = next() & 0xff;
      if (input.length && next() % 2) input[0] = 0xfd;
    } else input = mutate(corpus[next() % corpus.length]!, next);
    const lossless = (i & 1) === 1;
    try {
      decode(input, { lossless });
      result.decoded++;
    } catch (err) {
      if (err instanceof DecodeError) result.decodeErrors++;
      else if (err instanceof RangeError) result.rangeErrors++;
      else throw new Error(`fuzz case ${i} (seed ${seed}) threw ${String(err)} for ${Array.from(input, (b) => b.toString(16).padStart(2, '0')).join('')}`);
      // the codec must still work after an error
      const again = encode(decode(known, { lossless: true }));
      if (again.length !== known.length || again.some((b, k) => b !== known[k])) throw new Error(`codec broken after fuzz case ${i} (seed ${seed})`);
    }
    result.iterations++;
  }
  return result;
}
