// bench/nats: what crossing machines costs. Function call round trips over NATS (membridge/nats)
// and value put->watch latency, against callFunction over shared memory and a Unix socket echo,
// all in the same run; and the gateway's added cost (a shared-memory function exported by
// `membridge gateway`, called over NATS).
//
//   node scripts/bench.mjs nats [--n N] [--rounds R] [--help]
//
// Method: a private nats-server (Debian's, 127.0.0.1, JetStream in a temporary folder) is started
// for the run. Every function is served by a child process (Node) and called from this process,
// sequentially, with one small argument ([i, "payload-of-32-bytes..."]); N timed calls after N/10
// warm-up ones, R rounds, median of each statistic across rounds (bench/lib/stats.ts). put->watch:
// connection A writes a value, connection B (same process, so one clock) waits in
// waitForChange() for it; both go through the server. The gateway runs as its own process (the
// CLI), exporting a function that a child serves over shared memory.
// Results: bench/results/nats.json. Compare ratios within one run (2 vCPU, shared, loaded).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { callFunction, createFunction, removeFunction } from '../src/index.ts';
import { connect, type NatsNet } from '../src/nats.ts';
import { main as cli } from '../src/cli/main.ts';
import { NatsServer } from '../test/helpers/natsServer.ts';
import { acrossRounds, summarize, type Stats } from './lib/stats.ts';

const script = fileURLToPath(import.meta.url);
const root = join(dirname(script), '..', '..');
const argv = process.argv.slice(2);
const opt = (flag: string, dflt: number): number => {
  const i = argv.indexOf(flag);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const N = opt('--n', 2000);
const ROUNDS = opt('--rounds', 3);
const ARG = 'payload-of-32-bytes-abcdefghijkl';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- children ----

async function child(kind: string, a: string, b?: string): Promise<void> {
  const echo = (i: number, s: string): unknown => [i, s];
  if (kind === 'shm') {
    const done = createFunction(a, echo);
    process.stdout.write('ready\n');
    await done;
  } else if (kind === 'nats') {
    const n = await connect({ servers: a, namespace: 'bench' });
    await n.createFunction(b!, echo, { onReady: () => process.stdout.write('ready\n') });
    await n.close();
  } else if (kind === 'uds') {
    const server = net.createServer((s) => s.on('data', (d) => s.write(d)));
    server.listen(a, () => process.stdout.write('ready\n'));
    await new Promise(() => {}); // until killed
  } else if (kind === 'gateway') {
    await cli(['gateway', '--nats', a, '--namespace', 'bench', '--export', `fn:${b}`], {
      readStdin: async () => new Uint8Array(),
      readFile: async () => new Uint8Array(),
      stdout: (d) => void process.stdout.write(d),
      stderr: (t) => void process.stderr.write(t),
    });
  }
}

function start(args: string[], until: RegExp): Promise<ChildProcess> {
  const c = spawn(process.execPath, [script, '--child', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.kill('SIGKILL');
      reject(new Error(`child ${args.join(' ')} did not get ready within 60 s: ${out}`));
    }, 60_000);
    let out = '';
    c.stdout!.on('data', (d) => {
      out += d;
      if (until.test(out)) {
        clearTimeout(timer);
        resolve(c);
      }
    });
    c.once('exit', (code) => reject(new Error(`child ${args.join(' ')} exited with ${code}: ${out}`)));
  });
}

async function time(n: number, once: (i: number) => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < Math.ceil(n / 10); i++) await once(i);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await once(i);
    t[i] = (performance.now() - t0) * 1000;
  }
  return summarize(t);
}

async function rounds(once: (i: number) => Promise<unknown>, n = N): Promise<Stats & { roundMediansUs: number[] }> {
  const all: Stats[] = [];
  for (let r = 0; r < ROUNDS; r++) all.push(await time(n, once));
  return acrossRounds(all);
}

function check(v: unknown, i: number): void {
  if (!Array.isArray(v) || v[0] !== i || v[1] !== ARG) throw new Error(`bad reply ${JSON.stringify(v)} for ${i}`);
}

async function main(): Promise<void> {
  if (argv[0] === '--child') return child(argv[1]!, argv[2]!, argv[3]);
  if (argv.includes('--help')) {
    console.log('usage: node scripts/bench.mjs nats [--n N] [--rounds R]');
    return;
  }
  const server = await new NatsServer('nats-server').start();
  const children: ChildProcess[] = [];
  const shmName = `mbbench-nats-${process.pid}`;
  const gwName = `mbbench-natsgw-${process.pid}`;
  const sock = join(os.tmpdir(), `mbbench-nats-${process.pid}.sock`);
  let a: NatsNet | undefined;
  let b: NatsNet | undefined;
  try {
    children.push(await start(['shm', shmName], /ready/));
    children.push(await start(['uds', sock], /ready/));
    children.push(await start(['nats', server.url, 'echo'], /ready/));
    children.push(await start(['shm', gwName], /ready/));
    children.push(await start(['gateway', server.url, gwName], new RegExp(`export fn ${gwName}`)));
    a = await connect({ servers: server.url, namespace: 'bench' });
    b = await connect({ servers: server.url, namespace: 'bench' });
    const results: Record<string, unknown> = {};

    results.sharedMemoryCall = await rounds(async (i) => check(await callFunction(shmName, [i, ARG]), i));
    const s = net.connect(sock);
    await new Promise<void>((r) => s.once('connect', () => r()));
    const msg = new TextEncoder().encode(JSON.stringify([0, ARG]));
    results.unixSocketEcho = await rounds(
      () =>
        new Promise<void>((resolve) => {
          let got = 0;
          const on = (d: Uint8Array): void => {
            got += d.length;
            if (got >= msg.length) {
              s.off('data', on);
              resolve();
            }
          };
          s.on('data', on);
          s.write(msg);
        }),
    );
    s.destroy();
    results.natsCall = await rounds(async (i) => check(await a!.callFunction('echo', [i, ARG]), i));
    // The NATS client's own request/reply, for membridge's share of the cost above.
    const raw = a.nc.subscribe('bench.raw', { callback: (_e, m) => void m.respond(m.data) });
    results.natsRawRequest = await rounds(() => a!.nc.request('bench.raw', msg, { timeout: 5000 }));
    raw.unsubscribe();
    results.gatewayCall = await rounds(async (i) => check(await a!.callFunction(gwName, [i, ARG]), i));
    const watched = await b.openMemory('bench-value');
    results.valuePutToWatch = await rounds(async (i) => {
      const since = watched.version;
      await a!.writeMemory('bench-value', [i, ARG]);
      // (put acked, then) the watcher sees it; measured from before the put
      await watched.waitForChange(since, { timeoutMs: 5000 });
    }, Math.min(N, 1000));
    results.valuePut = await rounds((i) => a!.writeMemory('bench-value2', [i, ARG]), Math.min(N, 1000));
    watched.close();

    const med = (k: string): number => (results[k] as Stats).medianUs;
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, kernel: os.release(), loadavg: os.loadavg() },
      n: { calls: N, values: Math.min(N, 1000), rounds: ROUNDS },
      results,
      ratios: {
        natsCallVsSharedMemory: med('natsCall') / med('sharedMemoryCall'),
        natsCallVsUnixSocket: med('natsCall') / med('unixSocketEcho'),
        natsCallVsRawNatsRequest: med('natsCall') / med('natsRawRequest'),
        gatewayAddedUs: med('gatewayCall') - med('natsCall'),
        gatewayVsNatsCall: med('gatewayCall') / med('natsCall'),
      },
    };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', 'nats.json'), JSON.stringify(report, null, 2) + '\n');
    const row = (label: string, k: string): string => `  ${label.padEnd(44)} ${med(k).toFixed(1).padStart(8)} µs   p99 ${(results[k] as Stats).p99Us.toFixed(0).padStart(6)}   rounds ${(results[k] as { roundMediansUs: number[] }).roundMediansUs.map((x) => x.toFixed(0)).join('/')}`;
    console.log(`bench/nats (median of ${ROUNDS} rounds; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')})`);
    console.log(row('callFunction over shared memory', 'sharedMemoryCall'));
    console.log(row('Unix socket echo', 'unixSocketEcho'));
    console.log(row('NATS request/reply (client only)', 'natsRawRequest'));
    console.log(row('net.callFunction over NATS', 'natsCall'));
    console.log(row('net.callFunction via gateway to shared memory', 'gatewayCall'));
    console.log(row('value put (acked)', 'valuePut'));
    console.log(row('value put -> watch seen', 'valuePutToWatch'));
    console.log(`  NATS call = ${report.ratios.natsCallVsSharedMemory.toFixed(1)}× shared memory, ${report.ratios.natsCallVsUnixSocket.toFixed(1)}× Unix socket; gateway adds ${report.ratios.gatewayAddedUs.toFixed(0)} µs`);
  } finally {
    await a?.close();
    await b?.close();
    for (const c of children) c.kill('SIGTERM');
    await sleep(300);
    for (const c of children) c.kill('SIGKILL');
    removeFunction(shmName);
    removeFunction(gwName);
    rmSync(sock, { force: true });
    await server.dispose();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
