// bench/messaging: membridge channel round trips (async and sync) and one-way messages per
// second, against a Unix socket, child_process IPC, worker_threads postMessage and a native C
// futex ping-pong, all measured in the same run on the same machine.
//
//   node scripts/bench.mjs messaging [--rtt N] [--oneway N] [--rounds R] [--help]
//
// Method: each round-trip transport echoes a 16-byte message between this process and a child
// (a worker for postMessage); N timed round trips after N/10 warm-up ones; every reply is checked.
// One-way: N 16-byte messages streamed to the child, which counts them; the clock stops when the
// child confirms the count (membridge also streams N/4 small objects through the pybytes codec);
// membridge's streams run R times (default 3) and report the median with the range.
// Results: bench/results/messaging.json. The machine is named in the results; on a shared,
// loaded VM the numbers move by 2-3x between runs, so compare ratios within one run.
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { callFunction } from '../src/messaging/callFunction.ts';
import { callFunctionSync } from '../src/messaging/callFunctionSync.ts';
import { Channel } from '../src/messaging/Channel.ts';
import { listSegments, unlinkSegment } from '../src/segments/SegmentMapping.ts';
import { createFunction } from '../src/messaging/createFunction.ts';
import { removeFunction } from '../src/messaging/removeFunction.ts';

const script = fileURLToPath(import.meta.url);
const root = join(dirname(script), '..', '..');
const argv = process.argv.slice(2);
const opt = (flag: string, dflt: number): number => {
  const i = argv.indexOf(flag);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const RTT_N = opt('--rtt', 20_000);
const ONEWAY_N = opt('--oneway', 1_000_000);
const ONEWAY_ROUNDS = opt('--rounds', 3);
const PAYLOAD = new Uint8Array(16).map((_, i) => i);

interface Stat {
  median: number;
  p99: number;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function stats(samples: number[]): Stat {
  const s = samples.slice().sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p99: s[Math.floor(s.length * 0.99)]! };
}

async function timeAsync(n: number, once: () => Promise<void>): Promise<Stat> {
  for (let i = 0; i < Math.ceil(n / 10); i++) await once();
  const t: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await once();
    t[i] = (performance.now() - t0) * 1000;
  }
  return stats(t);
}

function timeSync(n: number, once: () => void): Stat {
  for (let i = 0; i < Math.ceil(n / 10); i++) once();
  const t: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    once();
    t[i] = (performance.now() - t0) * 1000;
  }
  return stats(t);
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`wrong result: ${what}`);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function child(args: string[]): ChildProcess {
  return spawn(process.execPath, [script, '--child', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

function firstLine(c: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    c.stdout!.setEncoding('utf8');
    const on = (d: string): void => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) {
        c.stdout!.off('data', on);
        resolve(buf.slice(0, i));
      }
    };
    c.stdout!.on('data', on);
    c.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}

// ---- children ----

async function runChild(kind: string, arg: string): Promise<void> {
  if (kind === 'channel') {
    const server = new Channel(arg, 'server', { ringSize: 1 << 20, maxClients: 2 }).open();
    let count = 0;
    server.setNotificationCallback(() => void count++);
    server.setRequestCallback((v) => (v === 'count' ? count : v));
    process.stdout.write('ready\n');
    return;
  }
  if (kind === 'function') {
    void createFunction(arg, (a: number, b: number) => a + b).then(() => process.exit(0));
    process.stdout.write('ready\n');
    return;
  }
  if (kind === 'uds') {
    const srv = net.createServer((sock) => {
      sock.setNoDelay(true);
      let count = 0;
      let pending: Buffer = Buffer.alloc(0);
      sock.on('data', (d: Buffer) => {
        pending = pending.length ? Buffer.concat([pending, d]) : d;
        let off = 0;
        const replies: Buffer[] = [];
        while (pending.length - off >= 4) {
          const len = pending.readUInt32LE(off);
          if (pending.length - off - 4 < len) break;
          const body = pending.subarray(off + 4, off + 4 + len);
          off += 4 + len;
          if (body.length === 1 && body[0] === 0xee) {
            count++;
            continue; // one-way
          }
          if (body.length === 1 && body[0] === 0xcc) {
            const r = Buffer.alloc(8);
            r.writeUInt32LE(4, 0);
            r.writeUInt32LE(count, 4);
            replies.push(r);
            continue;
          }
          const hdr = Buffer.alloc(4);
          hdr.writeUInt32LE(len, 0);
          replies.push(hdr, Buffer.from(body));
        }
        pending = pending.subarray(off);
        if (replies.length) sock.write(Buffer.concat(replies));
      });
    });
    srv.listen(arg, () => process.stdout.write('ready\n'));
    return;
  }
  if (kind === 'ipc') {
    process.on('message', (m) => process.send!(m));
    process.send!('ready');
    return;
  }
  throw new Error(`unknown child ${kind}`);
}

// ---- transports ----

async function benchChannel(): Promise<Record<string, Stat | number | number[]>> {
  const name = `mbbench-${process.pid}`;
  const c = child(['channel', name]);
  try {
    await firstLine(c);
    const client = new Channel(name, 'client').open();
    const asyncRtt = await timeAsync(RTT_N, async () => {
      const r = (await client.request(PAYLOAD)) as Uint8Array;
      check(same(r, PAYLOAD), 'channel async echo');
    });
    const syncRtt = timeSync(RTT_N, () => {
      const r = client.requestSync(PAYLOAD) as Uint8Array;
      check(same(r, PAYLOAD), 'channel sync echo');
    });
    // One-way rates swing with the scheduler on a small VM: ONEWAY_ROUNDS streams each, median.
    const perSecond: number[] = [];
    for (let round = 0; round < ONEWAY_ROUNDS; round++) {
      const before = (await client.request('count')) as number;
      const t0 = performance.now();
      for (let i = 0; i < ONEWAY_N; i++) {
        if (!client.tryNotify(PAYLOAD)) await client.notify(PAYLOAD);
      }
      const got = ((await client.request('count')) as number) - before;
      const seconds = (performance.now() - t0) / 1000;
      check(got === ONEWAY_N, `channel one-way count ${got}`);
      perSecond.push(ONEWAY_N / seconds);
    }
    // The same with a small object, which goes through the pybytes codec on both sides.
    const objects = Math.ceil(ONEWAY_N / 4);
    const objectsPerSecond: number[] = [];
    for (let round = 0; round < ONEWAY_ROUNDS; round++) {
      const before2 = (await client.request('count')) as number;
      const t2 = performance.now();
      for (let i = 0; i < objects; i++) {
        const v = { id: i, name: 'alice', active: true };
        if (!client.tryNotify(v)) await client.notify(v);
      }
      const got2 = ((await client.request('count')) as number) - before2;
      const seconds2 = (performance.now() - t2) / 1000;
      check(got2 === objects, `channel one-way object count ${got2}`);
      objectsPerSecond.push(objects / seconds2);
    }
    client.close();
    return {
      asyncRtt,
      syncRtt,
      oneWayPerSecond: median(perSecond),
      oneWayPerSecondRounds: perSecond,
      oneWayObjectsPerSecond: median(objectsPerSecond),
      oneWayObjectsPerSecondRounds: objectsPerSecond,
    };
  } finally {
    // The server child is killed, so its segment stays behind unless we remove it.
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      if (!c.kill()) resolve();
    });
    for (const n of listSegments(name)) if (n === name) unlinkSegment(n);
  }
}

async function benchFunction(): Promise<{ asyncCall: Stat; syncCall: Stat }> {
  const name = `mbbench-fn-${process.pid}`;
  const c = child(['function', name]);
  try {
    await firstLine(c);
    let i = 0;
    const asyncCall = await timeAsync(RTT_N, async () => {
      i++;
      check((await callFunction(name, [i, 1])) === i + 1, 'callFunction sum');
    });
    const syncCall = timeSync(RTT_N, () => {
      i++;
      check(callFunctionSync(name, [i, 1]) === i + 1, 'callFunctionSync sum');
    });
    removeFunction(name);
    return { asyncCall, syncCall };
  } finally {
    c.kill();
  }
}

async function benchUds(): Promise<Record<string, Stat | number>> {
  const path = join(os.tmpdir(), `mbbench-${process.pid}.sock`);
  const c = child(['uds', path]);
  try {
    await firstLine(c);
    const sock = net.connect(path);
    sock.setNoDelay(true);
    await new Promise<void>((r) => sock.once('connect', () => r()));
    let waiting: ((b: Buffer) => void) | undefined;
    let pending: Buffer = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, d]) : d;
      while (pending.length >= 4) {
        const len = pending.readUInt32LE(0);
        if (pending.length < 4 + len) break;
        const body = pending.subarray(4, 4 + len);
        pending = pending.subarray(4 + len);
        const w = waiting;
        waiting = undefined;
        w?.(body);
      }
    });
    const frame = (body: Uint8Array): Buffer => {
      const b = Buffer.alloc(4 + body.length);
      b.writeUInt32LE(body.length, 0);
      b.set(body, 4);
      return b;
    };
    const ask = (body: Uint8Array): Promise<Buffer> =>
      new Promise((resolve) => {
        waiting = resolve;
        sock.write(frame(body));
      });
    const asyncRtt = await timeAsync(RTT_N, async () => {
      check(same(await ask(PAYLOAD), PAYLOAD), 'uds echo');
    });
    const one = frame(new Uint8Array([0xee]));
    const t0 = performance.now();
    const BATCH = 1000;
    for (let i = 0; i < ONEWAY_N; i += BATCH) {
      // Frames written one by one, like messages; the kernel buffers and the stream applies backpressure.
      let ok = true;
      for (let j = 0; j < BATCH; j++) ok = sock.write(one);
      if (!ok) await new Promise<void>((r) => sock.once('drain', () => r()));
    }
    const count = (await ask(new Uint8Array([0xcc]))).readUInt32LE(0);
    const seconds = (performance.now() - t0) / 1000;
    check(count === ONEWAY_N, `uds one-way count ${count}`);
    sock.destroy();
    return { asyncRtt, oneWayPerSecond: ONEWAY_N / seconds };
  } finally {
    c.kill();
  }
}

async function benchIpc(): Promise<Record<string, Stat>> {
  const c = fork(script, ['--child', 'ipc', ''], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  try {
    await new Promise<void>((r) => c.once('message', () => r()));
    const asyncRtt = await timeAsync(RTT_N, () => new Promise<void>((resolve) => {
      c.once('message', (m) => {
        check(same(m as Uint8Array, PAYLOAD), 'ipc echo');
        resolve();
      });
      c.send(PAYLOAD);
    }));
    return { asyncRtt };
  } finally {
    c.kill();
  }
}

async function benchWorker(): Promise<Record<string, Stat>> {
  const w = new Worker(`const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m));`, { eval: true });
  try {
    const asyncRtt = await timeAsync(RTT_N, () => new Promise<void>((resolve) => {
      w.once('message', (m) => {
        check(same(m as Uint8Array, PAYLOAD), 'worker echo');
        resolve();
      });
      w.postMessage(PAYLOAD);
    }));
    return { asyncRtt };
  } finally {
    await w.terminate();
  }
}

function benchFloor(): { futexOnly: Stat; spinThenFutex: Stat } {
  const src = join(root, 'bench', 'c', 'messaging_floor.c');
  const exe = join(root, 'build', 'bench', 'messaging_floor');
  mkdirSync(dirname(exe), { recursive: true });
  execFileSync('cc', ['-O2', '-o', exe, src]);
  const run = (spin: number): Stat => JSON.parse(execFileSync(exe, [String(RTT_N), String(spin)], { encoding: 'utf8' })) as Stat;
  return { futexOnly: run(0), spinThenFutex: run(2000) };
}

async function main(): Promise<void> {
  if (argv.includes('--help')) {
    console.log('usage: node scripts/bench.mjs messaging [--rtt N (20000)] [--oneway N (1000000)] [--rounds R (3) one-way streams, median]');
    return;
  }
  const results = {
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, kernel: os.release() },
    n: { rtt: RTT_N, oneway: ONEWAY_N, payloadBytes: PAYLOAD.length },
    membridge: await benchChannel(),
    sharedFunction: await benchFunction(),
    unixSocket: await benchUds(),
    childProcessIpc: await benchIpc(),
    workerPostMessage: await benchWorker(),
    cFloor: benchFloor(),
  };
  const m = results.membridge;
  const a = m.asyncRtt as Stat;
  const s = m.syncRtt as Stat;
  const u = results.unixSocket.asyncRtt as Stat;
  const f = results.cFloor;
  const rows: Array<[string, string, string, string]> = [
    ['membridge async round trip', a.median.toFixed(1), a.p99.toFixed(1), `${(a.median / u.median).toFixed(2)}× unix socket (target ≤ 0.5)`],
    ['membridge sync round trip', s.median.toFixed(1), s.p99.toFixed(1), `${(s.median / f.spinThenFutex.median).toFixed(2)}× C spin+futex, ${(s.median / f.futexOnly.median).toFixed(2)}× C futex (target ≤ 1.5)`],
    ['callFunction([i, 1]) async', results.sharedFunction.asyncCall.median.toFixed(1), results.sharedFunction.asyncCall.p99.toFixed(1), `${(results.sharedFunction.asyncCall.median / u.median).toFixed(2)}× unix socket`],
    ['callFunctionSync([i, 1])', results.sharedFunction.syncCall.median.toFixed(1), results.sharedFunction.syncCall.p99.toFixed(1), `${(results.sharedFunction.syncCall.median / f.futexOnly.median).toFixed(2)}× C futex`],
    ['unix socket round trip', u.median.toFixed(1), u.p99.toFixed(1), ''],
    ['child_process IPC round trip', (results.childProcessIpc.asyncRtt as Stat).median.toFixed(1), (results.childProcessIpc.asyncRtt as Stat).p99.toFixed(1), ''],
    ['worker postMessage round trip', (results.workerPostMessage.asyncRtt as Stat).median.toFixed(1), (results.workerPostMessage.asyncRtt as Stat).p99.toFixed(1), ''],
    ['C futex ping-pong', f.futexOnly.median.toFixed(1), f.futexOnly.p99.toFixed(1), ''],
    ['C spin (2000 pause) then futex', f.spinThenFutex.median.toFixed(1), f.spinThenFutex.p99.toFixed(1), ''],
  ];
  console.log(`${'round trip (µs)'.padEnd(34)} ${'median'.padStart(8)} ${'p99'.padStart(8)}  ratio`);
  for (const [n, med, p99, r] of rows) console.log(`${n.padEnd(34)} ${med.padStart(8)} ${p99.padStart(8)}  ${r}`);
  console.log(`\none way, ${ONEWAY_N} × ${PAYLOAD.length} B messages:`);
  const range = (xs: number[]): string => `[${Math.round(Math.min(...xs)).toLocaleString('en')}–${Math.round(Math.max(...xs)).toLocaleString('en')}]`;
  console.log(`  membridge   ${Math.round(m.oneWayPerSecond as number).toLocaleString('en')} msgs/s ${range(m.oneWayPerSecondRounds as number[])} (median of ${ONEWAY_ROUNDS}; target ≥ 2,000,000)`);
  console.log(`  membridge, small objects through pybytes: ${Math.round(m.oneWayObjectsPerSecond as number).toLocaleString('en')} msgs/s ${range(m.oneWayObjectsPerSecondRounds as number[])}`);
  console.log(`  unix socket ${Math.round(results.unixSocket.oneWayPerSecond as number).toLocaleString('en')} msgs/s`);
  const out = join(root, 'bench', 'results');
  if (!existsSync(out)) mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'messaging.json'), JSON.stringify({ date: new Date().toISOString(), ...results }, null, 2) + '\n');
  console.log(`\nwrote bench/results/messaging.json`);
}

if (argv[0] === '--child') void runChild(argv[1]!, argv[2]!);
else
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
