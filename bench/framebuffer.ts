// bench/framebuffer: bulk frames through a FrameBuffer (write + checked read) against a plain copy
// through the same kind of shared window and against a Unix domain socket, in one run.
//
//   node scripts/bench.mjs framebuffer [--rounds 5] [--mib 256] [--out bench/results/framebuffer.json]
//
// Every variant moves the same bytes from a private Uint8Array into shared memory and back out into
// private memory, and checks what came out (a sample of bytes per frame, inside the timed loop).
// Rounds interleave the variants so load from other processes hits all of them alike. Reported per
// variant: median GB/s over rounds, median and p99 of the per-frame time, and the ratio to the plain
// copy with the same kind of read (fresh array vs caller-provided array).
import { writeFileSync, mkdirSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir, cpus, release } from 'node:os';
import { join, dirname } from 'node:path';
import process from 'node:process';
import { FrameBufferClient } from '../src/framebuffer/FrameBufferClient.ts';
import { FrameBufferServer } from '../src/framebuffer/FrameBufferServer.ts';
import { runtime } from '../src/platform/runtime.ts';

const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  console.log('usage: framebuffer [--rounds N] [--mib M] [--out file.json]\n  M MiB per variant and round (default 256), N rounds (default 5)');
  process.exit(0);
}
const opt = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const ROUNDS = Number(opt('rounds', '5'));
const MIB = Number(opt('mib', '256'));
const OUT = opt('out', 'bench/results/framebuffer.json');
const host = typeof (globalThis as { Deno?: unknown }).Deno === 'object' ? 'deno' : typeof (globalThis as { Bun?: unknown }).Bun === 'object' ? 'bun' : 'node';

interface Sample {
  gbps: number;
  perFrameUs: number[];
}
type Variant = (frame: Uint8Array, count: number) => Promise<Sample> | Sample;

function fill(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
}

function check(out: Uint8Array, want: Uint8Array): void {
  const n = want.length;
  if (out.length !== n || out[0] !== want[0] || out[n >> 1] !== want[n >> 1] || out[n - 1] !== want[n - 1]) throw new Error('benchmark read wrong bytes');
}

function timed(count: number, bytes: number, one: (i: number) => void): Sample {
  const per: number[] = new Array(count);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const s = performance.now();
    one(i);
    per[i] = (performance.now() - s) * 1000;
  }
  const ms = performance.now() - t0;
  return { gbps: (bytes * count) / (ms / 1000) / 1e9, perFrameUs: per };
}

// --- membridge ----------------------------------------------------------------------------------

const server = new FrameBufferServer(64 << 20, { name: `mbb-fb-${process.pid}` }).start();
const writer = new FrameBufferClient(server.getKey()).start();
const reader = new FrameBufferClient(server.getKey()).start();

const fbRead: Variant = (frame, count) => {
  const n = frame.length;
  return timed(count, n, () => {
    const off = writer.allocate(n);
    const sum = writer.write(off, frame);
    check(reader.read(off, n, sum), frame);
  });
};
const fbReadInto: Variant = (frame, count) => {
  const n = frame.length;
  const target = new Uint8Array(n);
  return timed(count, n, () => {
    const off = writer.allocate(n);
    const sum = writer.write(off, frame);
    check(reader.readInto(off, n, sum, target), frame);
  });
};
const fbVerify: Variant = (frame, count) => {
  const n = frame.length;
  const target = new Uint8Array(n);
  return timed(count, n, () => {
    const off = writer.allocate(n);
    const sum = writer.write(off, frame);
    check(reader.readInto(off, n, sum, target, { verify: true }), frame);
  });
};
const fbView: Variant = (frame, count) => {
  const n = frame.length;
  return timed(count, n, () => {
    const off = writer.allocate(n);
    const sum = writer.write(off, frame);
    const v = reader.view(off, n, sum);
    check(v.bytes, frame);
    if (!v.isValid()) throw new Error('view invalid');
  });
};

// --- plain copies through a shared window (no allocator, no hash, no checks) --------------------

const rt = runtime();
const window = rt.regions.allocate(64 << 20);
const core = rt.core;
const plainSlice: Variant = (frame, count) => {
  const n = frame.length;
  let at = 0;
  return timed(count, n, () => {
    const p = window + at;
    at = (at + n) % ((64 << 20) - n);
    rt.u8.set(frame, p);
    check(rt.u8.slice(p, p + n), frame);
  });
};
const plainInto: Variant = (frame, count) => {
  const n = frame.length;
  const target = new Uint8Array(n);
  let at = 0;
  return timed(count, n, () => {
    const p = window + at;
    at = (at + n) % ((64 << 20) - n);
    rt.u8.set(frame, p);
    target.set(rt.u8.subarray(p, p + n));
    check(target, frame);
  });
};
// The staging alternative for writes: set into a private scratch region, then memory.copy.
const scratch = rt.regions.allocate(1 << 20);
const stagedInto: Variant = (frame, count) => {
  const n = frame.length;
  const target = new Uint8Array(n);
  let at = 0;
  return timed(count, n, () => {
    const p = window + at;
    at = (at + n) % ((64 << 20) - n);
    rt.u8.set(frame, scratch);
    core.copyBytes(p, scratch, n);
    target.set(rt.u8.subarray(p, p + n));
    check(target, frame);
  });
};

// --- Unix domain socket, both ends in this process ----------------------------------------------

const sockPath = join(tmpdir(), `mbb-fb-${process.pid}.sock`);
let serverSide: Socket | undefined;
const sockServer = createServer((s) => (serverSide = s));
await new Promise<void>((r) => sockServer.listen(sockPath, r));
const sock = connect(sockPath);
await new Promise<void>((r) => sock.once('connect', r));
while (!serverSide) await new Promise((r) => setTimeout(r, 1));

const unixSocket: Variant = (frame, count) => {
  const n = frame.length;
  const total = n * count;
  return new Promise<Sample>((resolve, reject) => {
    const per: number[] = [];
    let got = 0;
    let frameStart = 0;
    let last = performance.now();
    const chunks: Buffer[] = [];
    const onData = (d: Buffer): void => {
      chunks.push(d);
      got += d.length;
      // Reassemble whole frames, as a reader of messages must.
      while (got - frameStart >= n) {
        const all = Buffer.concat(chunks);
        chunks.length = 0;
        const out = all.subarray(0, n);
        check(out, frame);
        if (all.length > n) chunks.push(all.subarray(n));
        frameStart += n;
        const now = performance.now();
        per.push((now - last) * 1000);
        last = now;
      }
      if (got >= total) {
        serverSide!.off('data', onData);
        serverSide!.off('error', reject);
        const ms = performance.now() - t0;
        resolve({ gbps: total / (ms / 1000) / 1e9, perFrameUs: per });
      }
    };
    serverSide!.on('data', onData);
    serverSide!.once('error', reject);
    const t0 = performance.now();
    last = t0;
    let i = 0;
    const pump = (): void => {
      while (i < count) {
        i++;
        if (!sock.write(frame)) return void sock.once('drain', pump);
      }
    };
    pump();
  });
};

// --- run ----------------------------------------------------------------------------------------

const variants: Array<[string, Variant, 'fresh' | 'into' | 'view' | 'socket']> = [
  ['membridge read (fresh array)', fbRead, 'fresh'],
  ['membridge readInto', fbReadInto, 'into'],
  ['membridge readInto verify', fbVerify, 'into'],
  ['membridge view + isValid', fbView, 'view'],
  ['plain copy set + slice', plainSlice, 'fresh'],
  ['plain copy set + set', plainInto, 'into'],
  ['plain staged + set', stagedInto, 'into'],
  ['unix socket', unixSocket, 'socket'],
];
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
};

const results: Array<Record<string, unknown>> = [];
for (const size of [1 << 20, 64 << 10]) {
  const frame = fill(size, size);
  const count = Math.max(16, Math.round((MIB << 20) / size));
  const gb = new Map<string, number[]>();
  const us = new Map<string, number[]>();
  // Warm-up: fault every page of the ring and the window in, compile the hot paths.
  for (const [, v] of variants) await v(frame, Math.max(8, Math.round((64 << 20) / size)));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, v] of variants) {
      const s = await v(frame, count);
      gb.set(name, [...(gb.get(name) ?? []), s.gbps]);
      us.set(name, [...(us.get(name) ?? []), ...s.perFrameUs]);
    }
  }
  const plain = { fresh: median(gb.get('plain copy set + slice')!), into: median(gb.get('plain copy set + set')!) };
  for (const [name, , kind] of variants) {
    const g = gb.get(name)!;
    const row = {
      frame: size,
      variant: name,
      gbpsMedian: median(g),
      gbpsMin: Math.min(...g),
      gbpsMax: Math.max(...g),
      usMedian: median(us.get(name)!),
      usP99: pct(us.get(name)!, 0.99),
      vsPlainFresh: median(g) / plain.fresh,
      vsPlainInto: median(g) / plain.into,
      readKind: kind,
    };
    results.push(row);
  }
}

sock.destroy();
serverSide?.destroy();
sockServer.close();
writer.stop();
reader.stop();
server.stop();

const pad = (s: string, n: number): string => s.padEnd(n);
console.log(`host ${host} ${process.version ?? ''}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}; Linux ${release()}; ${ROUNDS} rounds × ${MIB} MiB per variant`);
console.log(`${pad('frame', 7)}${pad('variant', 31)}${pad('GB/s med [min–max]', 22)}${pad('µs/frame med', 14)}${pad('p99', 10)}vs plain (fresh / into)`);
for (const r of results) {
  const f = (r.frame as number) >= 1 << 20 ? '1 MiB' : '64 KiB';
  console.log(
    `${pad(f, 7)}${pad(r.variant as string, 31)}${pad(`${(r.gbpsMedian as number).toFixed(2)} [${(r.gbpsMin as number).toFixed(2)}–${(r.gbpsMax as number).toFixed(2)}]`, 22)}${pad((r.usMedian as number).toFixed(1), 14)}${pad((r.usP99 as number).toFixed(1), 10)}${(r.vsPlainFresh as number).toFixed(2)} / ${(r.vsPlainInto as number).toFixed(2)}`,
  );
}
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(
  OUT,
  JSON.stringify({ bench: 'framebuffer', host, version: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, kernel: release(), rounds: ROUNDS, mibPerVariant: MIB, date: new Date().toISOString(), loadavg: (await import('node:os')).loadavg(), results }, null, 2) + '\n',
);
console.log(`wrote ${OUT}`);
