// Ping-pong between two processes, possibly in two different JavaScript runtimes, over one POSIX
// shared-memory segment. Run it through `npm run demo`, or directly after bundling:
//
//   node build/examples/pingpong.mjs [--child-host bun|deno|node] [--wait sync|async] [--iterations N]
//
// The pieces, in the order they are used:
//   SegmentMapping  a /dev/shm segment mapped into this process's WebAssembly memory
//   Doorbell       8 bytes in that segment: a sequence number and a count of sleepers. ring() bumps
//                  the number and makes a system call only when somebody sleeps; wait(seen) returns
//                  once the number differs from `seen` (it spins briefly, then sleeps in the kernel).
// (These are the internal building blocks; the public channel API is built on them in later issues.)
import { spawn, type ChildProcess } from 'node:child_process';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { Doorbell } from '../src/segments/Doorbell.ts';
import { SegmentMapping, unlinkSegment } from '../src/segments/SegmentMapping.ts';
import { isProcessAlive } from '../src/platform/processIdentity.ts';

// Layout of our 4 KiB segment: two doorbells, each on its own 64-byte cache line so that one
// side's ring does not disturb the line the other side is watching.
const PING = 0; // parent → child
const PONG = 64; // child → parent
const SEGMENT_SIZE = 4096;

/** How long one wait may take before we check that the other process still lives. */
const CHECK_MS = 1000;

export type Host = 'node' | 'deno' | 'bun';

export interface PingPongOptions {
  /** Command that runs this script in the child's runtime, e.g. ['bun', ['pingpong.mjs']]. */
  childCommand: [string, string[]];
  iterations: number;
  wait: 'sync' | 'async';
  /** Segment names start with this; the demo sweeps it afterwards. */
  prefix: string;
}

export interface PingPongResult {
  iterations: number;
  medianUs: number;
  p99Us: number;
}

// ---------------------------------------------------------------------------------------------
// Parent: creates the segment, starts the child, times every round trip.

export async function runParent(o: PingPongOptions): Promise<PingPongResult> {
  const name = `${o.prefix}${process.pid}`;
  // 1. Create the segment. From here on its name exists in /dev/shm until we unlink it.
  const segment = SegmentMapping.create(name, SEGMENT_SIZE);
  let named = true;
  const unlinkOnce = (): void => {
    if (named) {
      named = false;
      unlinkSegment(name);
    }
  };
  // Ctrl-C or a dying child must not leave the name behind: abort whatever we are waiting for.
  const stop = new AbortController();
  const onSignal = (): void => stop.abort(new Error('interrupted'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let child: ChildProcess | undefined;
  try {
    const ping = new Doorbell(segment.at(PING, Doorbell.size));
    const pong = new Doorbell(segment.at(PONG, Doorbell.size));

    // 2. Start the child with the segment's name; it rings PONG once it has mapped the segment.
    const [cmd, args] = o.childCommand;
    child = spawn(cmd, [...args, '--child', name, String(o.iterations), o.wait], { stdio: 'inherit' });
    child.on('exit', (code, signal) => stop.abort(new Error(`the child exited (${signal ?? code}) early`)));
    let seen = pong.seq;
    // Async here keeps the event loop free, so the abort above can interrupt the wait.
    if ((await pong.waitAsync(seen, 30_000, stop.signal)) === 'timed-out') throw new Error('the child did not start within 30 s');

    // 3. Both processes have the segment mapped: remove the name right away. The memory lives on
    //    until the last process unmaps it, and nothing can leak from now on, even on SIGKILL.
    unlinkOnce();

    // 4. Ping-pong: ring PING, wait for PONG, and check that the child answered exactly once.
    seen = pong.seq;
    const times = new Float64Array(o.iterations);
    for (let i = 0; i < o.iterations; i++) {
      // A blocking loop never lets the event loop run; let it in now and then (outside the timed
      // part) so that Ctrl-C and the child's exit are noticed.
      if (o.wait === 'sync' && (i & 1023) === 1023) await new Promise((resolve) => setImmediate(resolve));
      if (stop.signal.aborted) throw stop.signal.reason;
      const t0 = performance.now();
      ping.ring();
      for (;;) {
        const outcome = o.wait === 'sync' ? pong.wait(seen, CHECK_MS) : await pong.waitAsync(seen, CHECK_MS, stop.signal);
        if (outcome === 'changed') break;
        // A blocking wait cannot see the child's exit event; ask the kernel instead.
        if (!isProcessAlive(child.pid!)) throw new Error('the child died');
      }
      times[i] = (performance.now() - t0) * 1000;
      const now = pong.seq;
      if (((now - seen) | 0) !== 1) throw new Error(`round trip ${i}: the child's counter went from ${seen} to ${now}`);
      seen = now;
    }
    const code = await new Promise<number | null>((resolve) => (child!.exitCode !== null ? resolve(child!.exitCode) : child!.once('exit', resolve)));
    if (code !== 0) throw new Error(`the child exited with ${code}`);
    times.sort();
    return { iterations: o.iterations, medianUs: times[times.length >> 1]!, p99Us: times[Math.floor(times.length * 0.99)]! };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    segment.unmap();
    unlinkOnce();
  }
}

// ---------------------------------------------------------------------------------------------
// Child: opens the segment by name and answers every ping with a pong.

export async function runChild(name: string, iterations: number, wait: 'sync' | 'async'): Promise<void> {
  const segment = SegmentMapping.open(name);
  const ping = new Doorbell(segment.at(PING, Doorbell.size));
  const pong = new Doorbell(segment.at(PONG, Doorbell.size));
  const parent = process.ppid;
  let seen = ping.seq;
  pong.ring(); // "I am ready"
  for (let i = 0; i < iterations; i++) {
    while ((wait === 'sync' ? ping.wait(seen, CHECK_MS) : await ping.waitAsync(seen, CHECK_MS)) === 'timed-out') {
      if (!isProcessAlive(parent)) throw new Error('the parent died');
    }
    seen = ping.seq;
    pong.ring();
  }
  segment.unmap();
}

// ---------------------------------------------------------------------------------------------
// Command line

function runtimeName(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Deno) return `Deno ${g.Deno.version.deno}`;
  if (g.Bun) return `Bun ${g.Bun.version}`;
  return `Node ${process.versions.node}`;
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child') return runChild(argv[1]!, Number(argv[2]), argv[3] === 'async' ? 'async' : 'sync');
  const opt = (flag: string, fallback: string): string => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
  };
  const host = opt('--child-host', 'bun') as Host;
  const exe = opt('--child-exe', host === 'node' ? process.execPath : host);
  const self = fileURLToPath(import.meta.url);
  const result = await runParent({
    childCommand: host === 'deno' ? [exe, ['run', '-A', self]] : [exe, [self]],
    iterations: Number(opt('--iterations', '5000')),
    wait: opt('--wait', 'sync') === 'async' ? 'async' : 'sync',
    prefix: opt('--prefix', 'mb-demo-'),
  });
  const us = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(0));
  console.log(`  ${runtimeName()} ⇄ ${opt('--child-label', host)}: ${result.iterations} round trips, median ${us(result.medianUs)} µs, p99 ${us(result.p99Us)} µs`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err) => {
    console.error(`pingpong: ${(err as Error).message}`);
    process.exit(1);
  },
);
