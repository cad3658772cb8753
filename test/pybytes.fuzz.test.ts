// Bounded fuzzing on every host; scripts/fuzz-pybytes.mjs runs the same loop for longer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzz } from './helpers/fuzz.ts';
import { fromHex, loadVectors } from './helpers/vectors.ts';

const corpus = loadVectors().filter((v) => v.hex !== null && v.hex.length < 4000).map((v) => fromHex(v.hex!));

test('decode() of random and mutated messages only throws DecodeError or RangeError', () => {
  const seed = Number(process.env.MEMBRIDGE_FUZZ_SEED ?? 20240801);
  const r = fuzz(corpus, 20_000, seed);
  assert.is(r.iterations, 20_000);
  assert.ok(r.decodeErrors > 0 && r.rangeErrors > 0 && r.decoded > 0, JSON.stringify(r));
});

test.run();
