// bench/pingpong: round-trip latency between two OS processes, membridge against the transports a
// Node user has today and against a C floor, all measured in the same run.
//
// Every measurement runs in fresh processes: the orchestrator starts a "ping" process per mode and
// round, the ping process starts its own "pong" (so both sides are cold JITs of the same age), and
// modes are interleaved within each round so that noise from neighbours spreads over all of them.
// The ping side times each round trip on its own and checks inside the loop that the peer's
// counter advanced by exactly one. Method: docs/benchmarking.md.
import { spawn, spawnSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { Doorbell } from '../src/segments/Doorbell.ts';
import { SegmentMapping, unlinkSegment } from '../src/segments/SegmentMapping.ts';
import { acrossRounds, summarize, type Stats } from './lib/stats.ts';
import { currentHost, executable, hostCommand, hostVersion, repoRoot, type Host } from './lib/hosts.ts';

const help = (): string => `bench/pingpong — two-process round-trip latency (median, p99, p99.9, mean)

usage: npm run bench -- pingpong [options]

  --iterations N    timed round trips per round (default 20000)
  --warmup N        untimed round trips first (default 2000)
  --rounds N        rounds, each mode in fresh processes per round (default 3)
  --modes a,b,...   subset of: ${MODES.map((m) => m.id).join(', ')}
                    (default: all but the cross-runtime ones; add --cross for those)
  --cross           also run the sync path Node↔Bun and Node↔Deno
  --placement P     none (scheduler decides, default) | split (ping CPU0, pong CPU1) | same (both CPU0)
  --out FILE        JSON results (default bench/results/pingpong.json; "-" for none)
  --help            this text

Targets (issue 2): membridge sync ≤ 1.5× the C spin-then-futex floor with the same spin policy;
membridge async no slower than a Unix domain socket. Both are printed with the table.
`;

// ---------------------------------------------------------------------------------------------
// Modes

interface Mode {
  id: string;
  label: string;
  kind: 'c' | 'mb' | 'uds' | 'ipc';
  /** membridge: how both sides wait. */
  wait?: WaitKind;
  /** C: spin mode and starting budget. */
  c?: [spin: 'none' | 'fixed' | 'adaptive', spinNs: number];
  pongHost?: Host;
  env?: Record<string, string>;
  cross?: boolean;
}

const MODES: Mode[] = [
  { id: 'c-futex', label: 'C futex only', kind: 'c', c: ['none', 0] },
  { id: 'c-spin-fixed', label: 'C 4 µs spin, then futex', kind: 'c', c: ['fixed', 4000] },
  { id: 'c-spin-adaptive', label: 'C adaptive spin (our policy), then futex', kind: 'c', c: ['adaptive', 4000] },
  { id: 'sync', label: 'membridge sync (Doorbell.wait)', kind: 'mb', wait: 'sync', pongHost: 'node' },
  { id: 'sync-nospin', label: 'membridge sync, MEMBRIDGE_SPIN_NS=0', kind: 'mb', wait: 'sync', pongHost: 'node', env: { MEMBRIDGE_SPIN_NS: '0' } },
  { id: 'async', label: 'membridge async (waitAsync)', kind: 'mb', wait: 'async', pongHost: 'node' },
  // waitAsync spins on the main thread for the policy's budget before it hands the wait to a
  // waiter thread; without the spin every hop costs three wake-ups.
  { id: 'async-nospin', label: 'membridge async, MEMBRIDGE_SPIN_NS=0', kind: 'mb', wait: 'async', pongHost: 'node', env: { MEMBRIDGE_SPIN_NS: '0' } },
  { id: 'uds', label: 'Unix domain socket (net, 1 byte)', kind: 'uds' },
  { id: 'ipc', label: 'child_process IPC (fork + send)', kind: 'ipc' },
  { id: 'sync-bun', label: 'membridge sync Node↔Bun', kind: 'mb', wait: 'sync', pongHost: 'bun', cross: true },
  { id: 'sync-deno', label: 'membridge sync Node↔Deno', kind: 'mb', wait: 'sync', pongHost: 'deno', cross: true },
];

type WaitKind = 'sync' | 'async';

/** Waits for the doorbell to move on from `seen`, the way `kind` says. */
async function waitFor(bell: Doorbell, seen: number, kind: WaitKind): Promise<'changed' | 'timed-out'> {
  if (kind === 'sync') return bell.wait(seen, WAIT_TIMEOUT_MS);
  return bell.waitAsync(seen, WAIT_TIMEOUT_MS);
}

const SELF = fileURLToPath(import.meta.url);
const WAIT_TIMEOUT_MS = 30_000;
const SEGMENT_PREFIX = 'mb-bench-';

// Two doorbells on separate cache lines, so that one side's ring does not bounce the line the
// other side spins on. A: ping → pong. B: pong → ping (the first ring of B means "pong is ready").
const BELL_A = 0;
const BELL_B = 64;

// ---------------------------------------------------------------------------------------------
// membridge ping and pong

function segmentName(): string {
  return `${SEGMENT_PREFIX}${process.pid}-${Date.now().toString(36)}`;
}

async function pingMembridge(wait: WaitKind, pongHost: Host, warmup: number, iterations: number, pongCpu: number | undefined): Promise<Stats> {
  const name = segmentName();
  const seg = SegmentMapping.create(name, 4096);
  let linked = true;
  const unlinkOnce = (): void => {
    if (linked) {
      linked = false;
      unlinkSegment(name);
    }
  };
  let pong: ChildProcess | undefined;
  try {
    const a = new Doorbell(seg.at(BELL_A, Doorbell.size));
    const b = new Doorbell(seg.at(BELL_B, Doorbell.size));
    const total = warmup + iterations;
    const [cmd, argv] = hostCommand(pongHost, SELF, ['--role', 'pong-mb', name, wait, String(total)], pongCpu);
    // stdio inherit: a blocked sync ping cannot pump pipes.
    pong = spawn(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => pong!.on('exit', (code) => resolve(code)));
    let seenB = b.seq;
    if ((await waitFor(b, seenB, wait)) === 'timed-out') {
      throw new Error(`pong on ${pongHost} did not start within ${WAIT_TIMEOUT_MS} ms`);
    }
    // Both sides have the segment mapped: drop the name now, so nothing is left in /dev/shm
    // whatever happens next.
    unlinkOnce();
    seenB = b.seq;
    const samples = new Float64Array(iterations);
    for (let i = 0; i < total; i++) {
      const t0 = performance.now();
      a.ring();
      // A sync wait must not go through an await: that alone would add a microtask turn.
      const outcome = wait === 'sync' ? b.wait(seenB, WAIT_TIMEOUT_MS) : await waitFor(b, seenB, wait);
      const t1 = performance.now();
      const now = b.seq;
      if (outcome !== 'changed' || ((now - seenB) | 0) !== 1) throw new Error(`round trip ${i}: pong's counter went from ${seenB} to ${now} (${outcome})`);
      seenB = now;
      if (i >= warmup) samples[i - warmup] = (t1 - t0) * 1000;
    }
    const code = await exited;
    if (code !== 0) throw new Error(`pong on ${pongHost} exited with ${code}`);
    return summarize(samples);
  } finally {
    if (pong && pong.exitCode === null) pong.kill('SIGKILL');
    seg.unmap();
    unlinkOnce();
  }
}

async function pongMembridge(name: string, wait: WaitKind, total: number): Promise<void> {
  const seg = SegmentMapping.open(name);
  const a = new Doorbell(seg.at(BELL_A, Doorbell.size));
  const b = new Doorbell(seg.at(BELL_B, Doorbell.size));
  let seenA = a.seq;
  b.ring();
  for (let i = 0; i < total; i++) {
    const outcome = wait === 'sync' ? a.wait(seenA, WAIT_TIMEOUT_MS) : await waitFor(a, seenA, wait);
    const now = a.seq;
    if (outcome !== 'changed' || ((now - seenA) | 0) !== 1) throw new Error(`pong ${i}: ping's counter went from ${seenA} to ${now} (${outcome})`);
    seenA = now;
    b.ring();
  }
  seg.unmap();
}

// ---------------------------------------------------------------------------------------------
// Unix domain socket: 1-byte messages; the pong echoes the byte, the ping checks it.

function pingUds(warmup: number, iterations: number, pongCpu: number | undefined): Promise<Stats> {
  const path = join(tmpdir(), `${SEGMENT_PREFIX}${process.pid}.sock`);
  rmSync(path, { force: true });
  const total = warmup + iterations;
  const samples = new Float64Array(iterations);
  return new Promise<Stats>((resolve, reject) => {
    let pong: ChildProcess | undefined;
    const server = createServer((sock: Socket) => {
      sock.setNoDelay(true);
      const out = Buffer.alloc(1);
      let i = 0;
      let t0 = 0;
      const send = (): void => {
        out[0] = i & 0xff;
        t0 = performance.now();
        sock.write(out);
      };
      sock.on('data', (d: Buffer) => {
        const t1 = performance.now();
        if (d.length !== 1 || d[0] !== (i & 0xff)) {
          reject(new Error(`round trip ${i}: got ${d.length} bytes, first ${d[0]}, expected ${i & 0xff}`));
          sock.destroy();
          return;
        }
        if (i >= warmup) samples[i - warmup] = (t1 - t0) * 1000;
        if (++i < total) send();
        else {
          sock.end();
          server.close();
          rmSync(path, { force: true });
          resolve(summarize(samples));
        }
      });
      sock.on('error', reject);
      send();
    });
    server.on('error', reject);
    server.listen(path, () => {
      const [cmd, argv] = hostCommand('node', SELF, ['--role', 'pong-uds', path], pongCpu);
      pong = spawn(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit'] });
      pong.on('exit', (code) => {
        if (code !== 0) reject(new Error(`uds pong exited with ${code}`));
      });
    });
  });
}

function pongUds(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    sock.setNoDelay(true);
    sock.on('data', (d) => sock.write(d));
    sock.on('end', () => {
      sock.end();
      resolve();
    });
    sock.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// child_process IPC: fork + process.send of a number; the pong echoes it.

function pingIpc(warmup: number, iterations: number, pongCpu: number | undefined): Promise<Stats> {
  const total = warmup + iterations;
  const samples = new Float64Array(iterations);
  // taskset as the exec path keeps the IPC channel: the fd is inherited through its exec.
  const pinned = pongCpu === undefined ? {} : { execPath: 'taskset', execArgv: ['-c', String(pongCpu), process.execPath] };
  const pong = fork(SELF, ['--role', 'pong-ipc'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...pinned });
  return new Promise<Stats>((resolve, reject) => {
    let i = 0;
    let t0 = 0;
    const send = (): void => {
      t0 = performance.now();
      pong.send(i);
    };
    pong.on('message', (m) => {
      const t1 = performance.now();
      if (m !== i) {
        reject(new Error(`round trip ${i}: got ${String(m)}`));
        pong.kill('SIGKILL');
        return;
      }
      if (i >= warmup) samples[i - warmup] = (t1 - t0) * 1000;
      if (++i < total) send();
      else {
        pong.disconnect();
        resolve(summarize(samples));
      }
    });
    pong.on('error', reject);
    pong.on('exit', (code) => {
      if (i < total) reject(new Error(`ipc pong exited with ${code} after ${i} round trips`));
    });
    pong.once('spawn', send);
  });
}

function pongIpc(): void {
  process.on('message', (m) => process.send!(m));
}

// ---------------------------------------------------------------------------------------------
// C reference

function compileC(): { path?: string; note?: string; cc?: string } {
  const src = join(repoRoot, 'bench', 'c', 'futex_pingpong.c');
  const out = join(repoRoot, 'build', 'bench', 'futex_pingpong');
  const cc = process.env.CC ?? 'cc';
  const version = spawnSync(cc, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return { note: `no C compiler ("${cc}" not runnable): C floors skipped` };
  const ccVersion = version.stdout.split('\n')[0]!;
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    mkdirSync(dirname(out), { recursive: true });
    const r = spawnSync(cc, ['-O2', '-Wall', '-o', out, src], { encoding: 'utf8' });
    if (r.status !== 0) return { note: `cc -O2 failed, C floors skipped:\n${r.stderr}`, cc: ccVersion };
  }
  return { path: out, cc: ccVersion };
}

// ---------------------------------------------------------------------------------------------
// Orchestrator

interface Options {
  iterations: number;
  warmup: number;
  rounds: number;
  modes: Mode[];
  placement: 'none' | 'split' | 'same';
  out: string;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { iterations: 20_000, warmup: 2_000, rounds: 3, modes: [], placement: 'none', out: join(repoRoot, 'bench', 'results', 'pingpong.json') };
  let ids: string[] | undefined;
  let cross = false;
  const int = (v: string | undefined, what: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, not ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--iterations') o.iterations = Math.max(1, int(argv[++i], a));
    else if (a === '--warmup') o.warmup = int(argv[++i], a);
    else if (a === '--rounds') o.rounds = Math.max(1, int(argv[++i], a));
    else if (a === '--modes') ids = argv[++i]!.split(',');
    else if (a === '--cross') cross = true;
    else if (a === '--placement') {
      const p = argv[++i];
      if (p !== 'none' && p !== 'split' && p !== 'same') throw new RangeError(`--placement must be none, split or same, not ${p}`);
      o.placement = p;
    } else if (a === '--out') o.out = argv[++i]!;
    else throw new RangeError(`unknown option ${a} (see --help)`);
  }
  if (ids) {
    const unknown = ids.filter((id) => !MODES.some((m) => m.id === id));
    if (unknown.length) throw new RangeError(`unknown mode(s) ${unknown.join(', ')}; known: ${MODES.map((m) => m.id).join(', ')}`);
  }
  o.modes = MODES.filter((m) => (ids ? ids.includes(m.id) : !m.cross || cross));
  return o;
}

function cpusFor(placement: Options['placement']): [ping: number | undefined, pong: number | undefined] {
  return placement === 'split' ? [0, 1] : placement === 'same' ? [0, 0] : [undefined, undefined];
}

/** Removes segments a killed ping process of ours left behind (it unlinks as soon as it can). */
function sweep(pid: number): void {
  for (const n of readdirSync('/dev/shm')) if (n.startsWith(`${SEGMENT_PREFIX}${pid}-`)) rmSync(join('/dev/shm', n), { force: true });
  rmSync(join(tmpdir(), `${SEGMENT_PREFIX}${pid}.sock`), { force: true });
}

const running = new Set<ChildProcess>();

function runChild(cmd: string, argv: string[], env: Record<string, string> = {}, timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    running.add(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (child.pid) sweep(child.pid);
      if (code === 0) resolve(out);
      else reject(new Error(`${[cmd, ...argv].join(' ')} failed (${signal ?? code}):\n${err}${out}`));
    });
  });
}

function lastJsonLine(out: string): Stats {
  const line = out.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as Stats;
}

async function runMode(mode: Mode, o: Options, cBinary: string | undefined): Promise<Stats> {
  const [pingCpu, pongCpu] = cpusFor(o.placement);
  if (mode.kind === 'c') {
    const cpuArgs = pingCpu === undefined ? [] : [String(pingCpu), String(pongCpu)];
    return lastJsonLine(await runChild(cBinary!, [mode.c![0], String(mode.c![1]), String(o.warmup), String(o.iterations), ...cpuArgs]));
  }
  const role = mode.kind === 'mb' ? ['--role', 'ping-mb', mode.wait!, mode.pongHost!] : ['--role', `ping-${mode.kind}`];
  const args = [...role, String(o.warmup), String(o.iterations), pongCpu === undefined ? '-' : String(pongCpu)];
  const [cmd, argv] = hostCommand('node', SELF, args, pingCpu);
  return lastJsonLine(await runChild(cmd, argv, mode.env));
}

function machine(): Record<string, unknown> {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const read = (p: string): string | undefined => {
    try {
      return readFileSync(p, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  return {
    cpuModel: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model,
    cores: cpus().length,
    kernel: read('/proc/sys/kernel/osrelease'),
    cpuidleDriver: read('/sys/devices/system/cpu/cpuidle/current_driver'),
    loadAverageAtStart: loadavg(),
  };
}

const fmt = (v: number | undefined, digits = 2): string => (v === undefined || !Number.isFinite(v) ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(digits));

async function orchestrate(argv: string[]): Promise<void> {
  const o = parseOptions(argv);
  const versions: Record<string, string | undefined> = { node: process.version, deno: hostVersion('deno'), bun: hostVersion('bun') };
  const c = compileC();
  versions.cc = c.cc;
  const notes: string[] = [];
  if (c.note) notes.push(c.note);
  const modes = o.modes.filter((m) => {
    if (m.kind === 'c' && !c.path) return false;
    if (m.pongHost && m.pongHost !== 'node' && !versions[m.pongHost]) {
      notes.push(`${m.label} skipped: ${executable(m.pongHost)} does not run`);
      return false;
    }
    return true;
  });
  process.on('SIGINT', () => {
    for (const child of running) child.kill('SIGKILL');
    process.exit(130);
  });

  const started = new Date();
  const m = machine();
  console.log(`pingpong: ${o.rounds} round(s) × ${o.iterations} round trips (+${o.warmup} warm-up), placement ${o.placement}`);
  console.log(`  ${m.cpuModel}, ${m.cores} CPUs, Linux ${m.kernel}; node ${versions.node}, deno ${versions.deno ?? '—'}, bun ${versions.bun ?? '—'}`);
  const rounds = new Map<string, Stats[]>(modes.map((x) => [x.id, []]));
  const failures = new Map<string, string>();
  for (let r = 1; r <= o.rounds; r++) {
    for (const mode of modes) {
      if (failures.has(mode.id)) continue;
      try {
        const s = await runMode(mode, o, c.path);
        rounds.get(mode.id)!.push(s);
        process.stdout.write(`  round ${r} ${mode.id.padEnd(16)} median ${fmt(s.medianUs)} µs  p99 ${fmt(s.p99Us)} µs\n`);
      } catch (err) {
        failures.set(mode.id, (err as Error).message);
        process.stdout.write(`  round ${r} ${mode.id.padEnd(16)} FAILED: ${(err as Error).message.split('\n')[0]}\n`);
      }
    }
  }

  const summary = new Map<string, ReturnType<typeof acrossRounds>>();
  for (const mode of modes) {
    const rs = rounds.get(mode.id)!;
    if (rs.length && !failures.has(mode.id)) summary.set(mode.id, acrossRounds(rs));
  }
  const med = (id: string): number | undefined => summary.get(id)?.medianUs;
  const ratio = (a: string, b: string): number | undefined => {
    const x = med(a);
    const y = med(b);
    return x !== undefined && y !== undefined ? x / y : undefined;
  };

  console.log(`\nmedian across ${o.rounds} round(s), µs (round medians in brackets); ratios of medians`);
  const head = ['mode', 'median', 'p99', 'p99.9', 'mean', 'round medians', '/C spin', '/C futex', '/UDS', '/IPC'];
  const rows = modes
    .filter((x) => summary.has(x.id))
    .map((x) => {
      const s = summary.get(x.id)!;
      return [
        x.label,
        fmt(s.medianUs),
        fmt(s.p99Us),
        fmt(s.p999Us),
        fmt(s.meanUs),
        `[${fmt(Math.min(...s.roundMediansUs))}–${fmt(Math.max(...s.roundMediansUs))}]`,
        fmt(ratio(x.id, 'c-spin-adaptive')),
        fmt(ratio(x.id, 'c-futex')),
        fmt(ratio(x.id, 'uds')),
        fmt(ratio(x.id, 'ipc')),
      ];
    });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  for (const [id, msg] of failures) console.log(`FAILED ${id}: ${msg}`);
  for (const n of notes) console.log(`note: ${n}`);

  const syncVsFloor = ratio('sync', 'c-spin-adaptive');
  const syncVsFutex = ratio('sync', 'c-futex');
  const asyncVsUds = ratio('async', 'uds');
  const targets = {
    syncWithin1_5xSpinFloor: syncVsFloor === undefined ? null : syncVsFloor <= 1.5,
    syncVsSpinFloorRatio: syncVsFloor ?? null,
    syncVsFutexOnlyFloorRatio: syncVsFutex ?? null,
    asyncNoSlowerThanUds: asyncVsUds === undefined ? null : asyncVsUds <= 1,
    asyncVsUdsRatio: asyncVsUds ?? null,
  };
  console.log('\ntargets:');
  console.log(`  sync ≤ 1.5× C adaptive-spin floor: ${targets.syncWithin1_5xSpinFloor === null ? 'not measured' : `${fmt(syncVsFloor)}× → ${targets.syncWithin1_5xSpinFloor ? 'MET' : 'MISSED'}`}` + (syncVsFutex === undefined ? '' : ` (vs C futex-only floor: ${fmt(syncVsFutex)}×)`));
  console.log(`  async ≤ Unix socket:                ${targets.asyncNoSlowerThanUds === null ? 'not measured' : `${fmt(asyncVsUds)}× → ${targets.asyncNoSlowerThanUds ? 'MET' : 'MISSED'}`}`);

  if (o.out !== '-') {
    const result = {
      benchmark: 'pingpong',
      date: started.toISOString(),
      durationS: (Date.now() - started.getTime()) / 1000,
      command: `npm run bench -- pingpong ${argv.join(' ')}`.trim(),
      machine: m,
      versions,
      method: {
        summary:
          'Two OS processes, lockstep ping-pong. Each mode and round runs in fresh processes; modes are interleaved within a round. ' +
          'The ping side times every round trip (performance.now() in JS, CLOCK_MONOTONIC in C) and checks that the peer counter advanced by exactly 1. ' +
          'Per round: median, p99, p99.9 (nearest rank), mean. Across rounds: the median of each statistic.',
        membridge: 'One 4 KiB segment, doorbell A (ping→pong) at offset 0 and doorbell B (pong→ping) at offset 64. Ping: ring A, wait B. Pong: wait A, ring B. sync = Doorbell.wait (addon futexWait with the adaptive spin of src/platform/spinPolicy.ts), async = Doorbell.waitAsync on both sides (the policy\'s spin on the main thread, then a dedicated waiter thread + threadsafe function).',
        c: 'bench/c/futex_pingpong.c, cc -O2: fork() + MAP_SHARED page, the same doorbell protocol (seq + sleepers, wake only when sleepers > 0), spin loop identical to native DoWait (32 × load+PAUSE per clock check). Spin modes: none, fixed 4 µs, adaptive (same policy as spinPolicy.ts).',
        uds: 'node:net over a Unix socket in os.tmpdir(); 1-byte messages, echoed and checked.',
        ipc: 'child_process.fork + process.send of a number (json serialization), echoed and checked.',
        placement: o.placement,
        iterations: o.iterations,
        warmup: o.warmup,
        rounds: o.rounds,
      },
      results: Object.fromEntries(
        modes.map((x) => [x.id, { label: x.label, summary: summary.get(x.id) ?? null, rounds: rounds.get(x.id), error: failures.get(x.id) }]),
      ),
      targets,
      notes,
    };
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, JSON.stringify(result, null, 2) + '\n');
    console.log(`\nwrote ${o.out}`);
  }
  if (failures.size) process.exitCode = 1;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(help());
    return;
  }
  if (argv[0] !== '--role') return orchestrate(argv);
  const [, role, ...rest] = argv;
  const cpu = (v: string | undefined): number | undefined => (v === undefined || v === '-' ? undefined : Number(v));
  const say = (s: Stats): void => void process.stdout.write(JSON.stringify({ host: currentHost(), ...s }) + '\n');
  switch (role) {
    case 'ping-mb':
      return say(await pingMembridge(rest[0] as WaitKind, rest[1] as Host, Number(rest[2]), Number(rest[3]), cpu(rest[4])));
    case 'pong-mb':
      return pongMembridge(rest[0]!, rest[1] as WaitKind, Number(rest[2]));
    case 'ping-uds':
      return say(await pingUds(Number(rest[0]), Number(rest[1]), cpu(rest[2])));
    case 'pong-uds':
      return pongUds(rest[0]!);
    case 'ping-ipc':
      return say(await pingIpc(Number(rest[0]), Number(rest[1]), cpu(rest[2])));
    case 'pong-ipc':
      return pongIpc();
    default:
      throw new Error(`unknown role ${role}`);
  }
}

main().then(
  () => {
    // The IPC pong must stay alive for its channel; every other role is done.
    if (process.argv[3] !== 'pong-ipc') process.exit(process.exitCode ?? 0);
  },
  (err) => {
    process.stderr.write(String((err as Error).stack ?? err) + '\n');
    process.exit(1);
  },
);
