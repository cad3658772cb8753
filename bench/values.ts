// bench/values: shared values across processes — write and read rates of HostVariable and named
// memory, and change-notification latency — against a Unix domain socket and child_process IPC
// measured in the same run.
//
// Every measurement runs in fresh OS processes started by the orchestrator. Rates: a writer
// process writes as fast as it can for --ms while a reader process reads (values) or receives
// (socket, IPC) at the same time; both count and check what they handle inside the loop. Latency:
// lockstep ping-pong, ping writes value i, pong waits for the change (waitForChange), reads it and
// writes it back on a second value, ping waits for that; the round trip is timed on the ping side.
import { fork, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { HostVariable } from '../src/values/HostVariable.ts';
import { SharedMemory } from '../src/values/SharedMemory.ts';
import { summarize, type Stats } from './lib/stats.ts';
import { hostCommand, hostVersion } from './lib/hosts.ts';

const SELF = fileURLToPath(import.meta.url);

const help = (): string => `bench/values — shared values across processes (rates and change latency)

usage: npm run bench -- values [options]

  --ms N          duration of each rate measurement (default 1500)
  --sizes a,b     value sizes in bytes (default 64,4096,65536)
  --iterations N  timed round trips of the latency test (default 5000; 500 untimed first)
  --out FILE      JSON results (default bench/results/values.json; "-" for none)
  --help          this text
`;

interface Options {
  ms: number;
  sizes: number[];
  iterations: number;
  out: string;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { ms: 1500, sizes: [64, 4096, 65536], iterations: 5000, out: join(dirname(SELF), '..', '..', 'bench', 'results', 'values.json') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--ms') o.ms = Number(argv[++i]);
    else if (a === '--sizes') o.sizes = argv[++i]!.split(',').map(Number);
    else if (a === '--iterations') o.iterations = Number(argv[++i]);
    else if (a === '--out') o.out = argv[++i]!;
    else throw new Error(`unknown option ${a}\n\n${help()}`);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Values that check themselves: [u32 index][u32 length][payload][u32 FNV-1a of the rest].

function fnv(b: Uint8Array, end: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

function makeValue(index: number, size: number): Uint8Array {
  const n = Math.max(12, size);
  const b = new Uint8Array(n);
  const v = new DataView(b.buffer);
  v.setUint32(0, index, true);
  v.setUint32(4, n, true);
  for (let i = 8; i < n - 4; i++) b[i] = (i * 7 + index) & 0xff;
  v.setUint32(n - 4, fnv(b, n - 4), true);
  return b;
}

// Every read is checked for its length and index; every 16th also by its full checksum (a full
// hash of 64 KiB per read would measure the hash, not the transport).
function checkValue(b: Uint8Array, full: boolean): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 12 || v.getUint32(4, true) !== b.length) return -1;
  if (full && v.getUint32(b.length - 4, true) !== fnv(b, b.length - 4)) return -1;
  return v.getUint32(0, true);
}

const say = (o: unknown): void => void process.stdout.write(JSON.stringify(o) + '\n');

interface Cell {
  read(): { value: unknown; version: number } | undefined;
  write(v: Uint8Array): number;
  version: number;
  waitForChange(since: number, o: { timeoutMs: number }): Promise<number>;
  close(): void;
}

function openCell(kind: string, name: string): Cell {
  if (kind === 'hv') {
    const v = new HostVariable<Uint8Array>(name, { create: false });
    return { read: () => v.read(), write: (b) => v.write(b), get version() { return v.version; }, waitForChange: (s, o) => v.waitForChange(s, o), close: () => v.close() };
  }
  const m = SharedMemory.open(name);
  return { read: () => m.read(), write: (b) => m.write(b), get version() { return m.version; }, waitForChange: (s, o) => m.waitForChange(s, o), close: () => m.close() };
}

// ---------------------------------------------------------------------------------------------
// Roles (child processes)

// Says ready, then waits until the orchestrator writes the "go" variable, so that the writer and
// the reader of a rate measurement run at the same time whatever their start-up took.
async function awaitGo(goName: string): Promise<void> {
  const go = new HostVariable(goName, { create: false });
  say({ ready: true });
  if (go.version === 0) await go.waitForChange(0, { timeoutMs: 60_000 });
  go.close();
}

async function role(name: string, args: string[]): Promise<void> {
  switch (name) {
    case 'value-writer': {
      // value-writer <kind> <name> <size> <ms> <go>
      const [kind, seg, size, ms] = [args[0]!, args[1]!, Number(args[2]), Number(args[3])];
      const cell = openCell(kind, seg);
      const values = Array.from({ length: 16 }, (_, i) => makeValue(i, size));
      await awaitGo(args[4]!);
      const end = performance.now() + ms;
      const t0 = performance.now();
      let n = 0;
      while ((n & 255) !== 0 || performance.now() < end) cell.write(values[n++ & 15]!);
      say({ writes: n, seconds: (performance.now() - t0) / 1000 });
      cell.close();
      return;
    }
    case 'value-reader': {
      // value-reader <kind> <name> <ms> <go>: reads for ms, counting distinct versions seen
      const [kind, seg, ms] = [args[0]!, args[1]!, Number(args[2])];
      const cell = openCell(kind, seg);
      await awaitGo(args[3]!);
      const end = performance.now() + ms;
      const t0 = performance.now();
      let n = 0;
      let bad = 0;
      let distinct = 0;
      let last = -1;
      while ((n & 255) !== 0 || performance.now() < end) {
        const got = cell.read();
        n++;
        if (!got) continue;
        if (checkValue(got.value as Uint8Array, (n & 15) === 0) < 0) bad++;
        if (got.version !== last) {
          distinct++;
          last = got.version;
        }
      }
      say({ reads: n, bad, distinct, seconds: (performance.now() - t0) / 1000 });
      cell.close();
      return;
    }
    case 'uds-receiver': {
      // uds-receiver <path> <size>: counts whole messages until the sender closes
      const [path, size] = [args[0]!, Number(args[1])];
      let bytes = 0;
      let t0 = 0;
      let bad = 0;
      const server = createServer((sock: Socket) => {
        t0 = performance.now();
        let pending: Buffer<ArrayBufferLike> = Buffer.alloc(0);
        sock.on('data', (d: Buffer) => {
          bytes += d.length;
          // Check the value at each message boundary that falls inside this chunk.
          pending = pending.length ? Buffer.concat([pending, d]) : d;
          while (pending.length >= size) {
            if (checkValue(pending.subarray(0, size), false) < 0) bad++;
            pending = pending.subarray(size);
          }
        });
        sock.on('end', () => {
          say({ messages: Math.floor(bytes / size), bad, seconds: (performance.now() - t0) / 1000 });
          server.close();
        });
      });
      server.listen(path, () => say({ ready: true }));
      return;
    }
    case 'uds-sender': {
      const [path, size, ms] = [args[0]!, Number(args[1]), Number(args[2])];
      const values = Array.from({ length: 16 }, (_, i) => Buffer.from(makeValue(i, size)));
      const sock = createConnection(path);
      await new Promise<void>((r) => sock.once('connect', () => r()));
      const end = performance.now() + ms;
      let n = 0;
      // Write until the kernel buffer is full, then wait for drain: the socket's own flow control.
      await new Promise<void>((resolve) => {
        const pump = (): void => {
          while (performance.now() < end) {
            if (!sock.write(values[n++ & 15]!)) return void sock.once('drain', pump);
          }
          resolve();
        };
        pump();
      });
      sock.end();
      say({ sent: n });
      return;
    }
    case 'ipc-sender': {
      // ipc-sender <size> <ms>: forks a receiver and sends strings of <size> characters with a
      // window of 256 unacknowledged messages (process.send queues without limit otherwise).
      const [size, ms] = [Number(args[0]), Number(args[1])];
      const child = fork(SELF, ['--role', 'ipc-receiver'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const payload = Array.from({ length: 16 }, (_, i) => String.fromCharCode(97 + i).repeat(size));
      let acked = 0;
      let sent = 0;
      const end = performance.now() + ms;
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        const pump = (): void => {
          while (sent - acked < 256 && performance.now() < end) child.send(payload[sent++ & 15]!);
          if (performance.now() >= end && acked === sent) resolve();
        };
        child.on('message', (m) => {
          acked = m as number;
          pump();
        });
        pump();
      });
      say({ messages: acked, bad: 0, seconds: (performance.now() - t0) / 1000 });
      child.kill();
      return;
    }
    case 'ipc-receiver': {
      let n = 0;
      process.on('message', (m) => {
        if (typeof m !== 'string') throw new Error('bad message');
        n++;
        if ((n & 63) === 0) process.send!(n);
      });
      // Flush acks for a partial window.
      setInterval(() => process.send!(n), 1);
      return;
    }
    case 'value-pong': {
      // value-pong <kind> <ping> <pong> <count>
      const [kind, pingName, pongName, count] = [args[0]!, args[1]!, args[2]!, Number(args[3])];
      const ping = openCell(kind, pingName);
      const pong = openCell(kind, pongName);
      let seen = ping.version;
      say({ ready: true });
      for (let i = 0; i < count; i++) {
        seen = await ping.waitForChange(seen, { timeoutMs: 30_000 });
        pong.write(ping.read()!.value as Uint8Array);
      }
      ping.close();
      pong.close();
      return;
    }
    case 'uds-pong': {
      const server = createServer((sock) => sock.on('data', (d) => sock.write(d)));
      server.listen(args[0]!, () => say({ ready: true }));
      return;
    }
    case 'ipc-pong':
      process.on('message', (m) => process.send!(m));
      return;
    default:
      throw new Error(`unknown role ${name}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Orchestration

function child(args: string[]): { lines: AsyncGenerator<Record<string, unknown>>; done: Promise<void>; kill: () => void } {
  const [cmd, argv] = hostCommand('node', SELF, ['--role', ...args]);
  const p = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  p.stdout.setEncoding('utf8');
  const done = new Promise<void>((resolve, reject) => p.on('exit', (code) => (code === 0 || code === null ? resolve() : reject(new Error(`${args[0]} exited with ${code}`)))));
  async function* lines(): AsyncGenerator<Record<string, unknown>> {
    let buf = '';
    for await (const chunk of p.stdout) {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        yield JSON.parse(buf.slice(0, i)) as Record<string, unknown>;
        buf = buf.slice(i + 1);
      }
    }
  }
  return { lines: lines(), done, kill: () => p.kill('SIGKILL') };
}

async function next(g: AsyncGenerator<Record<string, unknown>>): Promise<Record<string, unknown>> {
  const r = await g.next();
  if (r.done) throw new Error('child ended without reporting');
  return r.value;
}

interface Rate {
  writesPerS: number;
  readsPerS: number | null;
  distinctPerS: number | null;
  bad: number;
}

async function valueRate(kind: 'hv' | 'mem', size: number, ms: number): Promise<Rate> {
  const name = `mbbench-${process.pid}-${kind}-${size}`;
  const cell = kind === 'hv' ? new HostVariable(name, { maxSize: size + 64, slots: 4 }) : SharedMemory.openOrCreate(name);
  const go = new HostVariable(name + '-go', { maxSize: 16 });
  try {
    cell.write(makeValue(0, size));
    const reader = child(['value-reader', kind, name, String(ms), name + '-go']);
    const writer = child(['value-writer', kind, name, String(size), String(ms), name + '-go']);
    await Promise.all([next(reader.lines), next(writer.lines)]);
    go.write(new Uint8Array([1]));
    const w = await next(writer.lines);
    const r = await next(reader.lines);
    await Promise.all([writer.done, reader.done]);
    return {
      writesPerS: (w.writes as number) / (w.seconds as number),
      readsPerS: (r.reads as number) / (r.seconds as number),
      distinctPerS: (r.distinct as number) / (r.seconds as number),
      bad: r.bad as number,
    };
  } finally {
    go.close();
    HostVariable.remove(name + '-go');
    cell.close();
    if (kind === 'hv') HostVariable.remove(name);
    else SharedMemory.remove(name);
  }
}

async function udsRate(size: number, ms: number): Promise<Rate> {
  const path = join(tmpdir(), `mbbench-${process.pid}-${size}.sock`);
  rmSync(path, { force: true });
  const receiver = child(['uds-receiver', path, String(size)]);
  try {
    await next(receiver.lines);
    const sender = child(['uds-sender', path, String(size), String(ms)]);
    await next(sender.lines);
    const r = await next(receiver.lines);
    await Promise.all([sender.done, receiver.done]);
    const perS = (r.messages as number) / (r.seconds as number);
    return { writesPerS: perS, readsPerS: perS, distinctPerS: perS, bad: r.bad as number };
  } finally {
    receiver.kill();
    rmSync(path, { force: true });
  }
}

async function ipcRate(size: number, ms: number): Promise<Rate> {
  const sender = child(['ipc-sender', String(size), String(ms)]);
  const r = await next(sender.lines);
  await sender.done;
  const perS = (r.messages as number) / (r.seconds as number);
  return { writesPerS: perS, readsPerS: perS, distinctPerS: perS, bad: 0 };
}

async function valueLatency(kind: 'hv' | 'mem', warmup: number, iterations: number): Promise<Stats> {
  const base = `mbbench-${process.pid}-lat-${kind}`;
  const make = (n: string): { close(): void } => (kind === 'hv' ? new HostVariable(n, { maxSize: 128 }) : SharedMemory.openOrCreate(n));
  const a = make(base + '-a');
  const b = make(base + '-b');
  const pong = child(['value-pong', kind, base + '-a', base + '-b', String(warmup + iterations)]);
  try {
    await next(pong.lines);
    const ping = openCell(kind, base + '-a');
    const back = openCell(kind, base + '-b');
    const samples = new Float64Array(iterations);
    let seen = back.version;
    for (let i = 0; i < warmup + iterations; i++) {
      const t0 = performance.now();
      ping.write(makeValue(i, 64));
      seen = await back.waitForChange(seen, { timeoutMs: 30_000 });
      const got = back.read()!.value as Uint8Array;
      const dt = performance.now() - t0;
      if (checkValue(got, true) !== i) throw new Error(`ping-pong ${kind}: expected value ${i}, got ${checkValue(got, true)}`);
      if (i >= warmup) samples[i - warmup] = dt * 1000;
    }
    ping.close();
    back.close();
    await pong.done;
    return summarize(samples);
  } finally {
    pong.kill();
    a.close();
    b.close();
    if (kind === 'hv') {
      HostVariable.remove(base + '-a');
      HostVariable.remove(base + '-b');
    } else {
      SharedMemory.remove(base + '-a');
      SharedMemory.remove(base + '-b');
    }
  }
}

async function udsLatency(warmup: number, iterations: number): Promise<Stats> {
  const path = join(tmpdir(), `mbbench-${process.pid}-lat.sock`);
  rmSync(path, { force: true });
  const pong = child(['uds-pong', path]);
  try {
    await next(pong.lines);
    const sock = createConnection(path);
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.setNoDelay(true);
    const samples = new Float64Array(iterations);
    let waiting: ((d: Buffer) => void) | undefined;
    let acc: Buffer<ArrayBufferLike> = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      acc = acc.length ? Buffer.concat([acc, d]) : d;
      if (acc.length >= 64 && waiting) {
        const w = waiting;
        waiting = undefined;
        const msg = acc.subarray(0, 64);
        acc = acc.subarray(64);
        w(msg);
      }
    });
    for (let i = 0; i < warmup + iterations; i++) {
      const t0 = performance.now();
      const reply = new Promise<Buffer>((r) => (waiting = r));
      sock.write(makeValue(i, 64));
      const got = await reply;
      const dt = performance.now() - t0;
      if (checkValue(got, true) !== i) throw new Error('uds ping-pong: wrong echo');
      if (i >= warmup) samples[i - warmup] = dt * 1000;
    }
    sock.destroy();
    return summarize(samples);
  } finally {
    pong.kill();
    rmSync(path, { force: true });
  }
}

async function ipcLatency(warmup: number, iterations: number): Promise<Stats> {
  const pong = fork(SELF, ['--role', 'ipc-pong'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const samples = new Float64Array(iterations);
    let waiting: ((m: unknown) => void) | undefined;
    pong.on('message', (m) => waiting?.(m));
    for (let i = 0; i < warmup + iterations; i++) {
      const t0 = performance.now();
      const reply = new Promise<unknown>((r) => (waiting = r));
      pong.send(i);
      const got = await reply;
      const dt = performance.now() - t0;
      if (got !== i) throw new Error('ipc ping-pong: wrong echo');
      if (i >= warmup) samples[i - warmup] = dt * 1000;
    }
    return summarize(samples);
  } finally {
    pong.kill();
  }
}

const fmtRate = (x: number | null): string => (x === null ? '–' : x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : `${(x / 1e3).toFixed(1)} k/s`);
const fmtUs = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

async function orchestrate(argv: string[]): Promise<void> {
  const o = parseOptions(argv);
  const started = new Date();
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtStart: loadavg() };
  console.log(`bench/values on ${machine.cpus} × ${machine.model}, load average ${machine.loadavgAtStart.map((x) => x.toFixed(2)).join(' ')}`);

  const rates: Record<string, Record<string, Rate>> = {};
  for (const size of o.sizes) {
    rates[size] = {};
    for (const [id, run] of [
      ['hv', () => valueRate('hv', size, o.ms)],
      ['mem', () => valueRate('mem', size, o.ms)],
      ['uds', () => udsRate(size, o.ms)],
      ['ipc', () => ipcRate(size, o.ms)],
    ] as const) {
      rates[size]![id] = await run();
    }
  }
  console.log(`\nrates, one writer process and one reader process at once, ${o.ms} ms each; ratio = writes/s of membridge ÷ peer`);
  const labels: Record<string, string> = { hv: 'HostVariable', mem: 'named memory', uds: 'Unix socket', ipc: 'child_process IPC' };
  const rows: string[][] = [];
  for (const size of o.sizes) {
    for (const id of ['hv', 'mem', 'uds', 'ipc']) {
      const r = rates[size]![id]!;
      const vs = (peer: string): string => (id === 'hv' || id === 'mem' ? `${(r.writesPerS / rates[size]![peer]!.writesPerS).toFixed(1)}×` : '');
      rows.push([`${size} B ${labels[id]}`, fmtRate(r.writesPerS), id === 'hv' || id === 'mem' ? fmtRate(r.readsPerS) : '(= writes)', fmtRate(r.distinctPerS), String(r.bad), vs('uds'), vs('ipc')]);
    }
  }
  printTable(['size / transport', 'writes', 'reads', 'new values seen', 'bad', '/UDS', '/IPC'], rows);

  const warmup = 500;
  const latency: Record<string, Stats> = {
    hv: await valueLatency('hv', warmup, o.iterations),
    mem: await valueLatency('mem', warmup, o.iterations),
    uds: await udsLatency(warmup, o.iterations),
    ipc: await ipcLatency(warmup, o.iterations),
  };
  console.log(`\nchange notification, round trip (write → other process's waitForChange → read → write back → waitForChange → read), 64 B, ${o.iterations} round trips, µs`);
  printTable(
    ['transport', 'median', 'p99', 'p99.9', 'mean', '/UDS', '/IPC'],
    Object.entries(latency).map(([id, s]) => [labels[id]!, fmtUs(s.medianUs), fmtUs(s.p99Us), fmtUs(s.p999Us), fmtUs(s.meanUs), `${(s.medianUs / latency.uds!.medianUs).toFixed(2)}×`, `${(s.medianUs / latency.ipc!.medianUs).toFixed(2)}×`]),
  );

  if (o.out !== '-') {
    const result = {
      benchmark: 'values',
      date: started.toISOString(),
      durationS: (Date.now() - started.getTime()) / 1000,
      command: `npm run bench -- values ${argv.join(' ')}`.trim(),
      machine: { ...machine, loadavgAtEnd: loadavg() },
      versions: { node: hostVersion('node') },
      method: {
        rates:
          'Fresh node processes per measurement: one writer writing as fast as it can for the duration while one reader reads (values) or receives (socket, IPC). ' +
          'Values carry index, length and an FNV-1a checksum; every read checks index and length, every 16th the full checksum ("bad" counts failures). ' +
          'HostVariable: 4 slots of size + 64 bytes. Named memory: SharedMemory (grows itself). Values are Uint8Arrays, stored pybytes-encoded (a bytes object: one encode copy on write, one decode copy on read). ' +
          'Unix socket: node:net stream of fixed-size messages, the sender respecting drain. IPC: child_process.fork + send of a string of `size` characters, 256 messages in flight at most. ' +
          'A value reader sees only the newest value: "new values seen" counts distinct versions read, "reads" includes repeats; for the socket and IPC every message is delivered.',
        latency:
          'Lockstep ping-pong between two node processes, 64-byte values: ping writes value i to A, pong waits on A with waitForChange (async), reads it and writes it to B, ping waits on B and reads. ' +
          'The round trip is timed on the ping side and the echoed index checked. Socket and IPC echo the same 64 bytes (IPC: the number i).',
      },
      rates,
      latencyUs: latency,
    };
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, JSON.stringify(result, null, 2) + '\n');
    console.log(`\nwrote ${o.out}`);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(help());
    return;
  }
  if (argv[0] === '--role') {
    await role(argv[1]!, argv.slice(2));
    const r = argv[1]!;
    if (r !== 'ipc-receiver' && r !== 'ipc-pong' && r !== 'uds-receiver' && r !== 'uds-pong') process.exit(0);
    return;
  }
  await orchestrate(argv);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
