#!/usr/bin/env node
// Longer fuzz run of the pybytes decoder than the CI test (test/pybytes.fuzz.test.ts).
//   node scripts/fuzz-pybytes.mjs [--iterations N] [--seconds S] [--seed N]
// Defaults: 1 000 000 iterations or 60 s, whichever ends first; seed from the clock (printed).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
if (args.includes('--help')) {
  console.log('usage: node scripts/fuzz-pybytes.mjs [--iterations N] [--seconds S] [--seed N]');
  process.exit(0);
}
const iterations = flag('iterations', 1_000_000);
const seconds = flag('seconds', 60);
const seed = flag('seed', Date.now() % 2 ** 31);

execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'wasm'], { stdio: 'inherit' });
const entry = join(root, 'build', 'fuzz-entry.ts');
const out = join(root, 'build', 'fuzz-pybytes.mjs');
await build({
  stdin: {
    contents: `export { fuzz } from '../test/helpers/fuzz.ts'; export { loadVectors, fromHex } from '../test/helpers/vectors.ts';`,
    resolveDir: join(root, 'build'),
    sourcefile: entry,
    loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning',
});
const { fuzz, loadVectors, fromHex } = await import(pathToFileURL(out).href);
const corpus = loadVectors().filter((v) => v.hex !== null && v.hex.length < 4000).map((v) => fromHex(v.hex));
console.log(`fuzzing pybytes decode: seed ${seed}, up to ${iterations} iterations or ${seconds} s`);
const started = Date.now();
const r = fuzz(corpus, iterations, seed, started + seconds * 1000);
console.log(`${r.iterations} cases in ${((Date.now() - started) / 1000).toFixed(1)} s: ${r.decoded} decoded, ${r.decodeErrors} DecodeError, ${r.rangeErrors} RangeError; no other outcome`);
