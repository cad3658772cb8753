// bench/hashfloor: how fast can a FrameBuffer write plus zero-copy read get, whatever the checksum?
// A write is a copy in (Uint8Array.set: the only way in from JS memory) and then a hash pass over
// the shared bytes; a `view` read adds no pass, `readInto` adds a copy out. This times those passes
// over 1 MiB frames spread across 32 MiB (as frames in a ring are), in one run, against the plain
// copy the framebuffer benchmark compares with (set in + set out), for hash kernels of rising cost:
// a v128 sum with no mixing (the floor for any checksum pass), XXH3's v128 long-input loop (not a
// complete XXH3: bench/wasm/hashfloor.ts), and the XXH64 FrameBuffer uses (assembly/xxhash64.ts).
//
//   npm run bench -- hashfloor [--rounds 9] [--out file.json]
//   node_modules/.bin/deno run -A build/bench/hashfloor.mjs     (after the line above built it)
//   node_modules/.bin/bun build/bench/hashfloor.mjs
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { cpus, release } from 'node:os';
import process from 'node:process';
import { currentHost, repoRoot } from './lib/hosts.ts';

const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  console.log('usage: hashfloor [--rounds N] [--out file.json]\n  N rounds (default 9) of 48 frames of 1 MiB per variant');
  process.exit(0);
}
const opt = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const ROUNDS = Number(opt('rounds', '9'));
const OUT = opt('out', '');
const host = currentHost();

// The kernels need `--enable simd`, which the core module does not use; compile them here.
const wasmFile = join(repoRoot, 'build', 'bench', 'hashfloor.wasm');
mkdirSync(dirname(wasmFile), { recursive: true });
const asc = spawnSync('node', [join(repoRoot, 'node_modules/assemblyscript/bin/asc.js'), join(repoRoot, 'bench/wasm/hashfloor.ts'),
  '-O3', '--enable', 'simd', '--runtime', 'stub', '--initialMemory', '600', '-o', wasmFile], { stdio: 'inherit' });
if (asc.status !== 0) throw new Error('asc failed to compile bench/wasm/hashfloor.ts');

interface Kernels {
  memory: WebAssembly.Memory;
  xxh64Lo(p: number, n: number): number;
  sumV128(p: number, n: number): bigint;
  xxh3Loop(p: number, n: number, secret: number): bigint;
}
const k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmFile)), { env: { abort() { throw new Error('abort'); } } }).exports as unknown as Kernels;
const u8 = new Uint8Array(k.memory.buffer);
const N = 1 << 20, REGION = 32 << 20, BASE = 1 << 20, SECRET = 4096, COUNT = 48;
for (let i = SECRET; i < SECRET + 192; i++) u8[i] = (i * 2654435761) >>> 24;
const src = new Uint8Array(N);
for (let i = 0; i < N; i++) src[i] = (i * 2246822519) >>> 24;
const dst = new Uint8Array(N);
const copyIn = (p: number): void => u8.set(src, p);
const copyOut = (p: number): void => dst.set(u8.subarray(p, p + N));

const variants: Array<[string, (p: number) => void]> = [
  ['plain copy set + set', (p) => { copyIn(p); copyOut(p); }],
  ['set in only', copyIn],
  ['set out only', copyOut],
  ['sumV128 only', (p) => { k.sumV128(p, N); }],
  ['xxh3 v128 loop only', (p) => { k.xxh3Loop(p, N, SECRET); }],
  ['xxh64 only', (p) => { k.xxh64Lo(p, N); }],
  ['write+view: set + sumV128', (p) => { copyIn(p); k.sumV128(p, N); }],
  ['write+view: set + xxh3 loop', (p) => { copyIn(p); k.xxh3Loop(p, N, SECRET); }],
  ['write+view: set + xxh64', (p) => { copyIn(p); k.xxh64Lo(p, N); }],
  ['write+readInto: set + sumV128 + set', (p) => { copyIn(p); k.sumV128(p, N); copyOut(p); }],
  ['write+readInto: set + xxh3 loop + set', (p) => { copyIn(p); k.xxh3Loop(p, N, SECRET); copyOut(p); }],
  ['write+readInto: set + xxh64 + set', (p) => { copyIn(p); k.xxh64Lo(p, N); copyOut(p); }],
];
const gb = variants.map((): number[] => []);
// Round 0 warms up (compiles, faults the pages in) and is not counted; rounds interleave variants.
for (let r = 0; r <= ROUNDS; r++) {
  variants.forEach(([, f], j) => {
    let at = 0;
    const t0 = performance.now();
    for (let i = 0; i < COUNT; i++) {
      f(BASE + at);
      at = (at + N) % (REGION - N);
    }
    if (r > 0) gb[j]!.push((N * COUNT) / ((performance.now() - t0) / 1000) / 1e9);
  });
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const plain = median(gb[0]!);
console.log(`host ${host} ${process.version}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}; ${ROUNDS} rounds × ${COUNT} MiB per variant`);
console.log(`${'variant'.padEnd(40)}${'GB/s med [min–max]'.padEnd(24)}vs plain copy`);
const rows = variants.map(([name], j) => {
  const g = gb[j]!;
  const row = { variant: name, gbpsMedian: median(g), gbpsMin: Math.min(...g), gbpsMax: Math.max(...g), vsPlain: median(g) / plain };
  console.log(`${name.padEnd(40)}${`${row.gbpsMedian.toFixed(2)} [${row.gbpsMin.toFixed(2)}–${row.gbpsMax.toFixed(2)}]`.padEnd(24)}${row.vsPlain.toFixed(2)}`);
  return row;
});
if (OUT) {
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify({ host, version: process.version, os: release(), date: new Date().toISOString(), rounds: ROUNDS, frame: N, results: rows }, null, 2) + '\n');
  console.log(`wrote ${OUT}`);
}
