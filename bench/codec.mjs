#!/usr/bin/env node
// Codec benchmark: membridge/pybytes against msgpackr, cbor-x, @msgpack/msgpack, v8.serialize and
// JSON on the datasets of docs/benchmarking.md, in one run.
//
//   node bench/codec.mjs [--samples N] [--sample-ms MS] [--only DATASET]     (or: npm run bench -- codec)
//   node bench/codec.mjs --hosts node,deno,bun [--rounds R] [--libs pybytes,msgpackr] [...]
//
// With --hosts, the benchmark runs R rounds, each running it once on every host in turn
// (interleaved, so load changes on a shared machine hit every host alike), then reports per host
// membridge ÷ msgpackr (median and spread over the rounds) and the host's membridge ops/s ÷ Node's.
// Deno and Bun come from node_modules/.bin (MEMBRIDGE_HOST_DENO / _BUN override).
//
// Per dataset and operation: warm up, calibrate the iteration count so one sample lasts about
// --sample-ms, take --samples samples, report the median. Every timed loop checks its result (encoded
// length, or a fingerprint of the decoded value). MB/s = encoded bytes × ops/s / 1e6. Competitors are
// installed into bench/node_modules from bench/package.json when missing. Results: bench/results/codec.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log('usage: node bench/codec.mjs [--samples N] [--sample-ms MS] [--only DATASET] [--libs NAME,...] [--hosts node,deno,bun --rounds R]');
  process.exit(0);
}
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const SAMPLES = Number(flag('samples', 5));
const SAMPLE_MS = Number(flag('sample-ms', 150));
const ONLY = flag('only', undefined);
const HOSTS = flag('hosts', undefined);
const RUNTIME = typeof globalThis.Deno === 'object' ? 'deno' : typeof globalThis.Bun === 'object' ? 'bun' : 'node';
const JSON_OUT = flag('json-out', undefined);
if (HOSTS) {
  await driveHosts(HOSTS.split(','), Number(flag('rounds', 3)));
  process.exit(0);
}

if (!existsSync(join(here, 'node_modules', 'msgpackr'))) {
  console.log('installing competitor codecs into bench/node_modules …');
  execFileSync('npm', ['install', '--prefix', here, '--no-audit', '--no-fund'], { stdio: 'inherit' });
}
if (!existsSync(join(root, 'dist', 'pybytes.js'))) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });

const require = createRequire(join(here, 'package.json'));
const msgpackr = require('msgpackr');
const cborx = require('cbor-x');
const msgpack = require('@msgpack/msgpack');
const pybytes = await import(pathToFileURL(join(root, 'dist', 'pybytes.js')).href);

// ---- datasets (docs/benchmarking.md, "Codec datasets") ----
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const small = () => ({ id: 123, name: 'alice', active: true, score: 98.6, tags: ['a', 'b'] });
const datasets = {
  'small object': small(),
  '1,000 records': Array.from({ length: 1000 }, (_, i) => ({ id: i, name: `user${i}`, active: i % 2 === 0, score: i * 1.5 + 0.25, tags: ['a', 'b'] })),
  '1 MiB binary': Uint8Array.from({ length: 1 << 20 }, () => (rand() * 256) | 0),
  'string-heavy': Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`key${i}`, Array.from({ length: 100 }, (_, j) => (i % 4 === 0 && j % 10 === 0 ? 'é' : String.fromCharCode(97 + ((i + j) % 26)))).join('')])),
  '100k floats': Array.from({ length: 100_000 }, () => rand() * 1000 + 0.5),
  'depth-100 nesting': (() => {
    let x = { leaf: 1 };
    for (let i = 0; i < 99; i++) x = { level: i, child: x };
    return x;
  })(),
  'Map/Set/Date mix': {
    map: new Map(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i])),
    set: new Set(Array.from({ length: 1000 }, (_, i) => i * 3)),
    created: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)),
    dates: Array.from({ length: 100 }, (_, i) => new Date(Date.UTC(2024, 0, 1) + i * 86_400_000)),
  },
};

// A cheap fingerprint of a decoded value, computed inside the timed loop.
const probe = {
  'small object': (v) => v.id + v.name.length + v.tags.length,
  '1,000 records': (v) => v.length + v[999].id + v[500].name.length,
  '1 MiB binary': (v) => v.byteLength + v[12345],
  'string-heavy': (v) => v.key99.length + v.key0.length,
  '100k floats': (v) => v.length + v[99_999],
  'depth-100 nesting': (v) => v.level + v.child.child.level,
  'Map/Set/Date mix': (v) => (v.map.size ?? Object.keys(v.map).length) + (v.set.size ?? v.set.length) + v.dates.length,
};

const enc = new TextEncoder();
const dec = new TextDecoder();
const msgpackEncoder = new msgpack.Encoder({ maxDepth: 200 });
const msgpackDecoder = new msgpack.Decoder({ maxDepth: 200 });
const reusable = new pybytes.Encoder();
const libraries = {
  'membridge/pybytes': { encode: (v) => pybytes.encode(v), decode: (b) => pybytes.decode(b) },
  // A reusable Encoder: the message is a view of its buffer (no ArrayBuffer per message), as
  // msgpackr's pack() returns a view of its own buffer. Encode only.
  'membridge/pybytes Encoder': { encode: (v) => reusable.encode(v), decode: (b) => pybytes.decode(b), encodeOnly: true },
  // Opt-in mode (DecodeOptions.views): binary payloads alias the input, as msgpackr and cbor-x always
  // do. A separate row; decode only (its encode is the row above).
  'membridge/pybytes views': { encode: (v) => pybytes.encode(v), decode: (b) => pybytes.decode(b, { views: true }), decodeOnly: true },
  msgpackr: { encode: (v) => msgpackr.pack(v), decode: (b) => msgpackr.unpack(b) },
  'cbor-x': { encode: (v) => cborx.encode(v), decode: (b) => cborx.decode(b) },
  '@msgpack/msgpack': { encode: (v) => msgpackEncoder.encode(v), decode: (b) => msgpackDecoder.decode(b) },
  'v8.serialize': { encode: (v) => v8.serialize(v), decode: (b) => v8.deserialize(b) },
  JSON: { encode: (v) => JSON.stringify(v), decode: (s) => JSON.parse(s), size: (s) => enc.encode(s).length },
  'JSON+utf8': { encode: (v) => enc.encode(JSON.stringify(v)), decode: (b) => JSON.parse(dec.decode(b)) },
};

function measure(fn, check) {
  const warm = performance.now();
  while (performance.now() - warm < 300) check(fn()); // JIT warm-up (docs/benchmarking.md)
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < SAMPLE_MS / 2) {
    check(fn());
    n++;
  }
  const per = (performance.now() - t0) / n;
  const iterations = Math.max(1, Math.round(SAMPLE_MS / per));
  const rates = [];
  for (let s = 0; s < SAMPLES; s++) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) check(fn());
    rates.push(iterations / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)];
}

// --libs a,b: only the libraries whose name contains one of these (e.g. --libs pybytes,msgpackr)
const LIBS = flag('libs', undefined)?.split(',');
const results = [];
for (const [name, value] of Object.entries(datasets)) {
  if (ONLY && !name.includes(ONLY)) continue;
  for (const [lib, codec] of Object.entries(libraries)) {
    if (LIBS && !LIBS.some((l) => lib.includes(l))) continue;
    let encoded;
    try {
      encoded = codec.encode(value);
    } catch (err) {
      results.push({ dataset: name, library: lib, error: String(err.message ?? err) });
      continue;
    }
    const bytes = codec.size ? codec.size(encoded) : encoded.length;
    const len = encoded.length;
    const expected = probe[name](codec.decode(encoded));
    const encodeOps = codec.decodeOnly ? undefined : measure(() => codec.encode(value), (out) => {
      if (out.length !== len) throw new Error(`${lib} encoded ${name} to ${out.length} bytes, not ${len}`);
    });
    const decodeOps = codec.encodeOnly ? undefined : measure(() => codec.decode(encoded), (out) => {
      if (!Object.is(probe[name](out), expected)) throw new Error(`${lib} decoded ${name} differently`);
    });
    const r = { dataset: name, library: lib, bytes, encodeOps, encodeMBs: encodeOps === undefined ? undefined : (bytes * encodeOps) / 1e6, decodeOps, decodeMBs: decodeOps === undefined ? undefined : (bytes * decodeOps) / 1e6 };
    results.push(r);
    const encText = encodeOps === undefined ? `enc ${'-'.padStart(12)}       ${''.padStart(6)}     ` : `enc ${fmt(encodeOps).padStart(12)} ops/s ${r.encodeMBs.toFixed(0).padStart(6)} MB/s`;
    const decText = decodeOps === undefined ? `dec ${'-'.padStart(12)}` : `dec ${fmt(decodeOps).padStart(12)} ops/s ${r.decodeMBs.toFixed(0).padStart(6)} MB/s`;
    console.log(`${name.padEnd(18)} ${lib.padEnd(25)} ${String(bytes).padStart(9)} B  ${encText}  ${decText}`);
  }
}

function fmt(n) {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

console.log(`\nmembridge/pybytes relative to msgpackr on ${RUNTIME} (ops/s ratio; > 1 = faster) and size:`);
console.log(`${'dataset'.padEnd(18)} ${'encode'.padStart(7)} ${'decode'.padStart(7)} ${'size'.padStart(7)} ${'decode (views)'.padStart(15)} ${'Encoder'.padStart(8)}`);
const ratios = [];
for (const name of Object.keys(datasets)) {
  const m = results.find((r) => r.dataset === name && r.library === 'membridge/pybytes');
  const w = results.find((r) => r.dataset === name && r.library === 'membridge/pybytes views');
  const e = results.find((r) => r.dataset === name && r.library === 'membridge/pybytes Encoder');
  const p = results.find((r) => r.dataset === name && r.library === 'msgpackr');
  if (!m || !p || m.error || p.error) continue;
  const row = { dataset: name, encode: m.encodeOps / p.encodeOps, decode: m.decodeOps / p.decodeOps, size: m.bytes / p.bytes };
  if (w && !w.error) row.decodeViews = w.decodeOps / p.decodeOps;
  if (e && !e.error) row.encoder = e.encodeOps / p.encodeOps;
  row.pybytesEncodeOps = m.encodeOps;
  row.pybytesDecodeOps = m.decodeOps;
  ratios.push(row);
  console.log(`${name.padEnd(18)} ${row.encode.toFixed(2).padStart(7)} ${row.decode.toFixed(2).padStart(7)} ${row.size.toFixed(2).padStart(7)} ${(row.decodeViews?.toFixed(2) ?? '-').padStart(15)} ${(row.encoder?.toFixed(2) ?? '-').padStart(8)}`);
}

if (JSON_OUT) {
  writeFileSync(JSON_OUT, JSON.stringify({ runtime: RUNTIME, ratios }) + '\n');
  process.exit(0);
}
mkdirSync(join(here, 'results'), { recursive: true });
const versions = Object.fromEntries(['msgpackr', 'cbor-x', '@msgpack/msgpack'].map((p) => [p, JSON.parse(readFileSync(join(here, 'node_modules', p, 'package.json'), 'utf8')).version]));
writeFileSync(join(here, 'results', 'codec.json'), JSON.stringify({
  date: new Date().toISOString(),
  command: `node bench/codec.mjs ${args.join(' ')}`.trim(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, os: `${os.type()} ${os.release()}`, runtime: RUNTIME, version: process.version, loadAverage: os.loadavg() },
  settings: { samples: SAMPLES, sampleMs: SAMPLE_MS },
  versions,
  results,
  ratiosVsMsgpackr: ratios,
}, null, 2) + '\n');
console.log(`\nwrote bench/results/codec.json`);

// ---- --hosts: interleaved rounds over runtimes ----
async function driveHosts(hosts, rounds) {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const tmp = mkdtempSync(join(os.tmpdir(), 'mb-codec-bench-'));
  const passOn = [];
  for (const name of ['samples', 'sample-ms', 'only', 'libs']) {
    const value = flag(name, undefined);
    if (value !== undefined) passOn.push(`--${name}`, value);
  }
  const exe = (host) => process.env[`MEMBRIDGE_HOST_${host.toUpperCase()}`] ?? (host === 'node' ? process.execPath : join(root, 'node_modules', '.bin', host));
  const runs = Object.fromEntries(hosts.map((h) => [h, []]));
  const load = [os.loadavg()[0]];
  try {
    for (let r = 0; r < rounds; r++) {
      for (const host of hosts) {
        const out = join(tmp, `${host}-${r}.json`);
        const script = fileURLToPath(import.meta.url);
        const argv = host === 'deno' ? ['run', '-A', script, ...passOn, '--json-out', out] : [script, ...passOn, '--json-out', out];
        // cbor-x's optional native addon dies with an undefined V8 symbol under Deno: use its JS path there
        const env = host === 'deno' ? { ...process.env, CBOR_NATIVE_ACCELERATION_DISABLED: 'true' } : process.env;
        const res = spawnSync(exe(host), argv, { stdio: ['ignore', 'ignore', 'inherit'], env });
        if (res.status !== 0) throw new Error(`the ${host} run ${r + 1} failed (exit ${res.status ?? res.signal})`);
        runs[host].push(JSON.parse(readFileSync(out, 'utf8')).ratios);
        console.log(`round ${r + 1}/${rounds}: ${host} done (load ${os.loadavg()[0].toFixed(2)})`);
      }
      load.push(os.loadavg()[0]);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const spread = (xs) => {
    const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
    if (s.length === 0) return '-';
    return `${s[Math.floor(s.length / 2)].toFixed(2)} (${s[0].toFixed(2)}–${s[s.length - 1].toFixed(2)})`;
  };
  const datasets = runs[hosts[0]][0].map((row) => row.dataset);
  const summary = [];
  for (const key of ['encode', 'encoder', 'decode', 'decodeViews']) {
    console.log(`\nmembridge ÷ msgpackr, ${key}: median (min–max) over ${rounds} rounds`);
    console.log(`${'dataset'.padEnd(18)} ${hosts.map((h) => h.padStart(18)).join(' ')}`);
    for (const d of datasets) {
      const cells = hosts.map((h) => spread(runs[h].map((rows) => rows.find((x) => x.dataset === d)?.[key])));
      console.log(`${d.padEnd(18)} ${cells.map((c) => c.padStart(18)).join(' ')}`);
      summary.push({ ratio: key, dataset: d, ...Object.fromEntries(hosts.map((h, i) => [h, cells[i]])) });
    }
  }
  if (hosts.includes('node')) {
    for (const op of ['Encode', 'Decode']) {
      console.log(`\nmembridge ${op.toLowerCase()} ops/s on each host ÷ Node (same round), median (min–max)`);
      console.log(`${'dataset'.padEnd(18)} ${hosts.map((h) => h.padStart(18)).join(' ')}`);
      for (const d of datasets) {
        const cells = hosts.map((h) => spread(runs[h].map((rows, r) => {
          const mine = rows.find((x) => x.dataset === d)?.[`pybytes${op}Ops`];
          const node = runs.node[r].find((x) => x.dataset === d)?.[`pybytes${op}Ops`];
          return mine !== undefined && node ? mine / node : undefined;
        })));
        console.log(`${d.padEnd(18)} ${cells.map((c) => c.padStart(18)).join(' ')}`);
        summary.push({ ratio: `${op.toLowerCase()} vs node`, dataset: d, ...Object.fromEntries(hosts.map((h, i) => [h, cells[i]])) });
      }
    }
  }
  console.log(`\nload average (1 min) at the start and after each round: ${load.map((x) => x.toFixed(2)).join(', ')} (${os.cpus().length} cores)`);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'codec-hosts.json'), JSON.stringify({ date: new Date().toISOString(), command: `node bench/codec.mjs ${args.join(' ')}`, hosts, rounds, loadAverage: load, summary, runs }, null, 2) + '\n');
  console.log('wrote bench/results/codec-hosts.json');
}
