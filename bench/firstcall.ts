// bench/firstcall: the latency a user's program gets from fresh processes (issue #14). Every
// measurement starts two new OS processes (a server and a client) and times every call from the
// very first one; calls are grouped in windows of 1,000, and each window reports its median and p99.
//
//   npm run bench -- firstcall [--runs N] [--calls C] [--pairs node-node,node-bun,...] [--busy K] [--out FILE]
//
// --busy K keeps K CPU-bound processes running beside the pairs (a busy or shared core: what the
// spin policy must degrade gracefully under, src/platform/SpinContention.ts).
//
// Transports, each in its own fresh pair of processes, in a rotating order per run:
//   socket  a Unix socket request/response (8 bytes each way), the reference of the same run
//   fn      createFunction(name, x => x + 1) / await callFunction(name, [i])
//   chan    Channel server with a request callback v => v + 1 / await client.request(i)
//   value   HostVariable round trip: client writes i, server's waitForChange sees it and writes
//           i + 1 to a second variable, client's waitForChange sees that
// A pair "a-b" runs the client on a and the server on b. Ratios compare a run's numbers with the
// socket's numbers of the same run and pair; absolute numbers on a shared machine move by 2-3x.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { callFunction } from '../src/messaging/callFunction.ts';
import { Channel } from '../src/messaging/Channel.ts';
import { createFunction } from '../src/messaging/createFunction.ts';
import { HostVariable } from '../src/values/HostVariable.ts';
import { listSegments, unlinkSegment } from '../src/segments/SegmentMapping.ts';
import { entrySegmentName } from '../src/values/valueNames.ts';
import { hostCommand, hostVersion, type Host } from './lib/hosts.ts';
import { median } from './lib/stats.ts';

const SELF = fileURLToPath(import.meta.url);
const WINDOW = 1000;
const TRANSPORTS = ['socket', 'fn', 'chan', 'value'] as const;
type Transport = (typeof TRANSPORTS)[number];

const help = `bench/firstcall: per-window latency of fresh process pairs (issue #14)

usage: npm run bench -- firstcall [options]
  --runs N      fresh pairs per transport and runtime pair (default 10)
  --calls C     calls per pair, timed from the first (default 5000: 5 windows of 1000)
  --pairs list  client-server runtime pairs (default node-node,node-bun,node-deno,deno-deno,bun-bun)
  --busy K      keep K CPU-bound processes running during the runs (default 0)
  --out FILE    JSON results (default bench/results/firstcall.json; "-" for none)
`;

const say = (o: unknown): void => void process.stdout.write(JSON.stringify(o) + '\n');

interface Window {
  medianUs: number;
  p99Us: number;
}

function windows(samples: Float64Array): Window[] {
  const out: Window[] = [];
  for (let at = 0; at < samples.length; at += WINDOW) {
    const w = samples.slice(at, Math.min(samples.length, at + WINDOW)).sort();
    out.push({ medianUs: w[Math.floor(w.length / 2)]!, p99Us: w[Math.min(w.length - 1, Math.floor(w.length * 0.99))]! });
  }
  return out;
}

function wholeRun(samples: Float64Array): Window {
  const s = samples.slice().sort();
  return { medianUs: s[Math.floor(s.length / 2)]!, p99Us: s[Math.floor(s.length * 0.99)]! };
}

// ---------------------------------------------------------------------------------------------
// Roles (the child processes)

async function serve(transport: Transport, name: string): Promise<void> {
  switch (transport) {
    case 'socket': {
      const srv = createServer((sock) => {
        sock.setNoDelay?.(true);
        sock.on('data', (d: Buffer) => {
          const out = Buffer.from(d);
          out.writeDoubleLE(d.readDoubleLE(0) + 1, 0);
          sock.write(out);
        });
      });
      await new Promise<void>((r) => srv.listen(name, r));
      say({ ready: true });
      return;
    }
    case 'fn':
      void createFunction(name, (x: number) => x + 1);
      say({ ready: true });
      return;
    case 'chan': {
      const ch = new Channel(name, 'server').open();
      ch.setRequestCallback((v) => (v as number) + 1);
      say({ ready: true });
      return;
    }
    case 'value': {
      const ping = new HostVariable<number>(`${name}-a`);
      const pong = new HostVariable<number>(`${name}-b`);
      say({ ready: true });
      let seen = ping.version;
      for (;;) {
        seen = await ping.waitForChange(seen, { timeoutMs: 60_000 });
        pong.write(ping.read()!.value + 1);
      }
    }
  }
}

async function call(transport: Transport, name: string, calls: number): Promise<void> {
  const t = new Float64Array(calls);
  let once: (i: number) => Promise<number>;
  let done = (): void => {};
  switch (transport) {
    case 'socket': {
      const sock = createConnection(name);
      await new Promise<void>((r, j) => sock.once('connect', r).once('error', j));
      sock.setNoDelay(true);
      let wake: ((v: number) => void) | undefined;
      sock.on('data', (d: Buffer) => wake!(d.readDoubleLE(0)));
      const buf = Buffer.alloc(8);
      once = (i) =>
        new Promise<number>((r) => {
          wake = r;
          buf.writeDoubleLE(i, 0);
          sock.write(buf);
        });
      done = () => sock.destroy();
      break;
    }
    case 'fn':
      once = (i) => callFunction(name, [i]) as Promise<number>;
      break;
    case 'chan': {
      const ch = new Channel(name, 'client').open();
      once = (i) => ch.request(i) as Promise<number>;
      done = () => ch.close();
      break;
    }
    case 'value': {
      const ping = new HostVariable<number>(`${name}-a`, { create: false });
      const pong = new HostVariable<number>(`${name}-b`, { create: false });
      let seen = pong.version;
      once = async (i) => {
        ping.write(i);
        seen = await pong.waitForChange(seen, { timeoutMs: 10_000 });
        return pong.read()!.value;
      };
      done = () => {
        ping.close();
        pong.close();
      };
      break;
    }
  }
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    const r = await once(i);
    t[i] = (performance.now() - t0) * 1000;
    if (r !== i + 1) throw new Error(`${transport}: call ${i} answered ${r}`);
  }
  done();
  say({ windows: windows(t), run: wholeRun(t) });
}

// ---------------------------------------------------------------------------------------------
// Orchestrator

function child(host: Host, args: string[]): { proc: ChildProcess; next: () => Promise<Record<string, unknown>> } {
  const [cmd, argv] = hostCommand(host, SELF, args);
  const proc = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiting: Array<(l: string) => void> = [];
  let buf = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (c: string) => {
    buf += c;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w(l);
      else lines.push(l);
    }
  });
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  const next = (): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const l = lines.shift();
      if (l !== undefined) return resolve(JSON.parse(l));
      waiting.push((x) => resolve(JSON.parse(x)));
      void exited.then(() => reject(new Error(`${host} ${args.join(' ')} exited without answering`)));
    });
  return { proc, next };
}

interface Measured {
  windows: Window[];
  run: Window;
}

async function measure(client: Host, server: Host, transport: Transport, calls: number, tag: string): Promise<Measured> {
  const name = transport === 'socket' ? join(tmpdir(), `mb-firstcall-${tag}.sock`) : `mb-firstcall-${tag}`;
  if (transport === 'socket') rmSync(name, { force: true });
  const s = child(server, ['--role', 'serve', transport, name]);
  try {
    await s.next();
    const c = child(client, ['--role', 'call', transport, name, String(calls)]);
    try {
      return (await c.next()) as unknown as Measured;
    } finally {
      c.proc.kill('SIGKILL');
    }
  } finally {
    // SIGTERM: the server's exit hook closes its channel and removes its segments.
    s.proc.kill('SIGTERM');
    await new Promise((r) => s.proc.once('exit', r).once('error', r));
    if (transport === 'socket') rmSync(name, { force: true });
    // Shared values outlive their processes by design: remove this measurement's.
    if (transport === 'value') for (const seg of listSegments(entrySegmentName(name))) unlinkSegment(seg);
  }
}

// CPU time (user + system) of a process so far, in ms, from /proc/<pid>/stat (clock ticks of 10 ms).
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU ms per second of a createFunction server on `host` that waits for calls, right after traffic stopped. */
async function idleServerCpu(host: Host, seconds: number): Promise<number> {
  const name = `mb-firstcall-idle-${process.pid}-${host}`;
  const s = child(host, ['--role', 'serve', 'fn', name]);
  try {
    await s.next();
    const c = child('node', ['--role', 'call', 'fn', name, '2000']);
    await c.next();
    await new Promise((r) => setTimeout(r, 200));
    const before = cpuMs(s.proc.pid!);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    return (cpuMs(s.proc.pid!) - before) / seconds;
  } finally {
    s.proc.kill('SIGTERM');
    await new Promise((r) => s.proc.once('exit', r));
  }
}

async function orchestrate(argv: string[]): Promise<void> {
  const opt = (flag: string, d: string): string => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1]! : d;
  };
  if (argv.includes('--help')) {
    console.log(help);
    return;
  }
  const runs = Number(opt('--runs', '10'));
  const calls = Number(opt('--calls', '5000'));
  const pairs = opt('--pairs', 'node-node,node-bun,node-deno,deno-deno,bun-bun')
    .split(',')
    .map((p) => p.split('-') as [Host, Host])
    .filter(([a, b]) => hostVersion(a) !== undefined && hostVersion(b) !== undefined);
  const out = opt('--out', join(dirname(SELF), '..', '..', 'bench', 'results', 'firstcall.json'));
  const busy = Number(opt('--busy', '0'));
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavgAtStart: loadavg(), busyProcesses: busy };
  // CPU-bound neighbours: plain busy loops, killed when the benchmark ends however it ends.
  const hogs = Array.from({ length: busy }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  const stopHogs = (): void => hogs.forEach((h) => h.kill('SIGKILL'));
  process.on('exit', stopHogs);
  console.log(`bench/firstcall: ${runs} runs x ${calls} calls${busy ? `, ${busy} CPU-bound processes beside` : ''}, load average ${machine.loadavgAtStart.map((x) => x.toFixed(2)).join(' ')}`);
  // What waiting costs: a server that stopped getting calls (its loop sleeps in 100 ms slices).
  const idleCpuMsPerSecond: Partial<Record<Host, number>> = {};
  for (const h of new Set(pairs.map(([, server]) => server))) idleCpuMsPerSecond[h] = await idleServerCpu(h, 5);
  console.log(`idle server CPU (ms per s, after traffic): ${Object.entries(idleCpuMsPerSecond).map(([h, v]) => `${h} ${v!.toFixed(1)}`).join(', ')}`);
  const versions = Object.fromEntries(['node', 'deno', 'bun'].map((h) => [h, hostVersion(h as Host)]));
  const results: Record<string, Record<Transport, Measured[]> & { loadavg: number[][] }> = {};
  for (let r = 0; r < runs; r++) {
    for (const [client, server] of pairs) {
      const key = `${client}-${server}`;
      const entry = (results[key] ??= { socket: [], fn: [], chan: [], value: [], loadavg: [] });
      entry.loadavg.push(loadavg());
      const order = TRANSPORTS.map((_, i) => TRANSPORTS[(i + r) % TRANSPORTS.length]!);
      const line: string[] = [];
      const got: Partial<Record<Transport, Measured>> = {};
      for (const t of order) {
        const m = await measure(client, server, t, calls, `${process.pid}-${r}-${key}-${t}`);
        got[t] = m;
        line.push(`${t} ${m.run.medianUs.toFixed(1)} [${m.windows.map((w) => w.medianUs.toFixed(1)).join(' ')}]`);
      }
      for (const t of TRANSPORTS) entry[t].push(got[t]!);
      console.log(`run ${r + 1} ${key.padEnd(10)} load ${loadavg()[0]!.toFixed(1)}  ${line.join('  ')}`);
    }
    // Written after every run, so that an interrupted benchmark still leaves its complete runs.
    report(results, r + 1, r + 1 === runs);
  }
  stopHogs();

  function report(results: Record<string, Record<Transport, Measured[]> & { loadavg: number[][] }>, done: number, final: boolean): void {
  // Ratios to the socket of the same run and pair.
  const summary: Record<string, unknown> = {};
  const nodeMedian: Partial<Record<Transport, number>> = {};
  for (const [key, e] of Object.entries(results)) {
    const s: Record<string, unknown> = {};
    for (const t of TRANSPORTS) {
      const runMedians = e[t].map((m) => m.run.medianUs);
      const ratios = e[t].map((m, i) => m.run.medianUs / e.socket[i]!.run.medianUs);
      const lateWindows = e[t].map((m, i) => Math.max(0, ...m.windows.slice(1).map((w) => w.medianUs / e.socket[i]!.run.medianUs)));
      s[t] = {
        medianOfRunMediansUs: median(runMedians),
        runMediansUs: runMedians,
        runP99sUs: e[t].map((m) => m.run.p99Us),
        firstWindowMediansUs: e[t].map((m) => m.windows[0]!.medianUs),
        ratioToSocket: { medianOverRuns: median(ratios), slowestRun: Math.max(...ratios), perRun: ratios },
        worstLaterWindowToSocket: { medianOverRuns: median(lateWindows), max: Math.max(...lateWindows) },
      };
      if (key === 'node-node') nodeMedian[t] = median(runMedians);
    }
    summary[key] = s;
  }
  for (const [key, s] of Object.entries(summary)) {
    for (const t of TRANSPORTS) {
      const x = (s as Record<Transport, { medianOfRunMediansUs: number; ratioToNode?: number }>)[t];
      if (nodeMedian[t]) x.ratioToNode = x.medianOfRunMediansUs / nodeMedian[t]!;
    }
    const fmt = (t: Transport): string => {
      const x = (s as Record<Transport, { medianOfRunMediansUs: number; ratioToSocket: { medianOverRuns: number; slowestRun: number }; worstLaterWindowToSocket: { max: number } }>)[t];
      return `${t} ${x.medianOfRunMediansUs.toFixed(1)} us (x${x.ratioToSocket.medianOverRuns.toFixed(2)} socket, slowest run x${x.ratioToSocket.slowestRun.toFixed(2)}, worst later window x${x.worstLaterWindowToSocket.max.toFixed(2)})`;
    };
    if (final) console.log(`${key}: socket ${(s as Record<Transport, { medianOfRunMediansUs: number }>).socket.medianOfRunMediansUs.toFixed(1)} us; ${(['fn', 'chan', 'value'] as const).map(fmt).join('; ')}`);
  }
  if (out !== '-') {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(
      out,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          machine: { ...machine, loadavgAtEnd: loadavg(), versions },
          method: { runs: done, runsPlanned: runs, calls, window: WINDOW, busyProcesses: busy, note: 'each run: fresh server and client processes per transport; times from the first call; ratios against the Unix socket of the same run and pair' },
          summary,
          idleCpuMsPerSecond,
          raw: results,
        },
        null,
        1,
      ) + '\n',
    );
    if (final) console.log(`results: ${out}`);
  }
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--role') {
  const [, role, transport, name, calls] = argv;
  const run = role === 'serve' ? serve(transport as Transport, name!) : call(transport as Transport, name!, Number(calls)).then(() => process.exit(0));
  run.catch((err) => {
    process.stderr.write(String((err as Error).stack ?? err) + '\n');
    process.exit(1);
  });
  if (role === 'serve') process.on('SIGTERM', () => process.exit(0));
} else {
  await orchestrate(argv);
}
