// How long a waiter spins before it sleeps in the kernel.
//
// A spin pays off only when the other process runs on another core at that moment; on a shared
// core it only delays the peer (docs/runtime-notes.md, fact 4). So: no spinning on a single CPU, a
// budget widened after spins that succeeded and narrowed after ones that did not, like an adaptive
// mutex. MEMBRIDGE_SPIN_NS fixes the budget (0 disables spinning).
//
// One policy per doorbell (src/segments/Doorbell.ts), not one per process: a server's wait for the
// next request and a client's wait for a reply see different answer times, and a process that
// talks to several peers must not let a slow one narrow the budget it uses with a fast one.
//
// The budget lies between MIN_NS and a cap: what sleeping costs here. A wait that went past its
// spin took `answerNs` (the peer's wake-up from its own sleep, plus its work); spinning about that
// long never costs more latency than sleeping and at most doubles the CPU time of the wait (the
// classic bound of spin-then-block). The cap is that answer time (x1.25), at least MAX_NS, at most
// LONG_PROBE_NS. A fixed 30 us cap was right where a wake-up costs 10-15 us; on the quiet 2-core VM
// one costs 60-150 us (a Unix socket round trip took 125-175 us there).
//
// Two fresh processes sleep on each other: each one's answer includes the other's wake-up, longer
// than a short spin, so neither spin ever succeeds (issue #14: 2,000-3,000 calls at 100-250 us each
// before a lucky coincidence broke the lock). Three ways out:
// - probes: every `probeEvery`-th spin of a narrowed budget spins the whole cap. One that outlasts
//   the peer's wake-up catches its answer; this side then answers at once, and the peer, whose
//   budget never narrows below MIN_NS (10 us, a warm peer's turn-around), catches that answer
//   spinning: both are in the fast mode. A probe that fails doubles the interval (up to 64 spins),
//   which keeps the cost small where spinning never pays.
// - learn(): a failed spin followed by a change during the short sleep after it (the hot wait,
//   futex.ts) tells the answer time; when it is within the cap the budget jumps to 1.5 times it
//   (unless it came right after a long spin, see learn()).
// - successes double the budget, up to the cap, so a hiccup of the peer (a GC pause) does not end
//   the fast mode.
// A peer that cannot run while we spin (a shared or overloaded core) answers only after we gave
// up, so every spin there delays the answer it waits for. bench/firstcall on the 2-core machine
// with ~20 runnable processes: 67-78 us per call with the adaptive spin, 45-53 us without, 33-46 us
// for a Unix socket. So no process spins while the machine is oversubscribed: while some runnable
// task waited for a CPU during more than half of the last 10 s (/proc/pressure/cpu, "some avg10";
// without it, while the 1-minute load average exceeds the CPUs + 1), checked at most every 500 ms.
// That check sees only load that lasts. A spin also notices contention the moment it happens: a
// chunk of the spin that took far longer than it should means the kernel gave our CPU to another
// task, which therefore was waiting for one (futex.ts, spinWord); when that happens to half of the
// recent spins, spinning pauses (SpinContention.ts). With one CPU-bound process (yes) beside a pair
// on the 2-core VM, long spins without that pause gave windows of 1,000 calls at 270-580 us per
// call against 43-63 us for a Unix socket; with it, 0.8-1.6x the socket.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { denoAllows } from './denoPermission.ts';
import { readEnv } from './env.ts';
import { SpinContention, spinContention } from './SpinContention.ts';

/** Floor of a narrowed budget: about a warm peer's turn-around, so that a probe's success is caught by the peer. */
const MIN_NS = 10_000;
const MAX_NS = 30_000;
const PROBE_MIN = 16;
const PROBE_MAX = 64;
/** Longest probe spin (see above): covers a sleeping peer's wake-up, not a slow peer's work. */
const LONG_PROBE_NS = 300_000;
/** Longest sync sleep of a hot wait (hotSleepNs). */
const HOT_SLEEP_MAX_NS = 250_000;

function onlineCpus(): number {
  // Deno asks for --allow-sys before os.cpus(); availableParallelism() needs no permission.
  if (!denoAllows({ name: 'sys', kind: 'cpus' })) return 1;
  try {
    return cpus().length;
  } catch {
    return 1;
  }
}

let busy = false;
let busyCheckedAt = -Infinity;
let busyCalls = 0;
const BUSY_EVERY_MS = 500;

/** Whether runnable tasks queue for the CPUs (see above); cheap: reads /proc at most every 500 ms. */
export function machineOversubscribed(): boolean {
  if (busyCalls++ % 64 !== 0) return busy;
  const now = performance.now();
  if (now - busyCheckedAt < BUSY_EVERY_MS) return busy;
  busyCheckedAt = now;
  busy = cpuPressure() ?? loadAbove(machineCpus() + 1);
  return busy;
}

let pressureReadable = true;
function cpuPressure(): boolean | undefined {
  if (!pressureReadable) return undefined;
  try {
    if (denied({ name: 'read', path: '/proc/pressure/cpu' })) throw new Error('no permission');
    const m = /some avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    if (m) return Number(m[1]) > 50;
  } catch {
    /* no PSI (older kernels, some containers), or Deno may not read it */
  }
  pressureReadable = false;
  return undefined;
}

function loadAbove(n: number): boolean {
  try {
    return !denied({ name: 'sys', kind: 'loadavg' }) && loadavg()[0]! > n;
  } catch {
    return false;
  }
}

// Deno asks on a terminal before a read it was not granted; a check must never prompt (env.ts).
function denied(descriptor: Record<string, string>): boolean {
  const deno = (globalThis as { Deno?: { permissions?: { querySync?(d: Record<string, string>): { state: string } } } }).Deno;
  return deno?.permissions?.querySync !== undefined && deno.permissions.querySync(descriptor).state !== 'granted';
}

let cpusOfMachine = 0;
function machineCpus(): number {
  if (cpusOfMachine === 0) cpusOfMachine = Math.max(typeof availableParallelism === 'function' ? availableParallelism() : 1, onlineCpus());
  return cpusOfMachine;
}

/** The spin budget of this process's waits: adaptive (see above) unless MEMBRIDGE_SPIN_NS fixes it. */
export class SpinPolicy {
  private budget: number;
  private readonly fixed: boolean;

  /**
   * @param env the MEMBRIDGE_SPIN_NS setting (a number fixes the budget)
   * @param cpus CPUs of the machine, not of this process: availableParallelism() follows the
   *   affinity mask, so a process pinned to one CPU (taskset) would never spin although its peer
   *   may run on another CPU. The adaptive budget already backs off when the peer shares our CPU.
   * @param oversubscribed whether the machine has more runnable tasks than CPUs now (no spinning then)
   */
  constructor(
    env = readEnv('MEMBRIDGE_SPIN_NS'),
    cpus = machineCpus(),
    private readonly oversubscribed: () => boolean = machineOversubscribed,
    private readonly contention: SpinContention = spinContention,
  ) {
    if (env !== undefined && env !== '' && Number.isFinite(Number(env))) {
      this.budget = Math.max(0, Number(env));
      this.fixed = true;
    } else {
      this.budget = cpus > 1 ? MIN_NS : 0;
      this.fixed = cpus <= 1;
    }
  }

  private sinceProbe = 0;
  private probeEvery = PROBE_MIN;
  private probing = false;
  // The last next() gave no spin because the machine is oversubscribed: nothing to learn from it.
  private skipped = false;

  /** Nanoseconds to spin before the next sleep; pair every call with one record(). */
  next(): number {
    return (this.lastSpin = this.choose());
  }

  // What the last next() handed out (learn() looks at it).
  private lastSpin = 0;

  private choose(): number {
    if (this.fixed) return this.budget;
    this.skipped = this.contention.paused() || this.oversubscribed();
    if (this.skipped) return 0;
    const cap = this.cap();
    if (this.budget >= cap) return cap;
    if (++this.sinceProbe < this.probeEvery) return this.budget;
    this.sinceProbe = 0;
    this.probing = true;
    return cap;
  }

  /**
   * The longest spin worth it: what sleeping costs here. A wait that went past its spin took
   * `answerNs` (the peer's wake-up from its own sleep plus its work), so spinning up to about that
   * long never costs more latency than sleeping and at most doubles the CPU time of the wait (the
   * classic bound of spin-then-block). At least MAX_NS, at most LONG_PROBE_NS.
   */
  private cap(): number {
    return Math.max(MAX_NS, Math.min(LONG_PROBE_NS, this.answerNs * 1.25));
  }

  /** The budget without counting a spin (for inspection and tests). */
  get spinNs(): number {
    return this.budget;
  }

  /**
   * The spin that next() allowed was descheduled at `now`: it learns nothing about the peer, and
   * enough of those pause spinning (SpinContention.ts). A fixed budget (MEMBRIDGE_SPIN_NS) is the user's to keep.
   */
  preempted(now: number): void {
    if (this.fixed) return;
    this.skipped = true;
    this.probing = false;
    this.contention.preempted(now);
  }

  /** Records whether the spin that next() allowed saw the change it waited for. */
  record(spinSucceeded: boolean): void {
    if (this.fixed || this.skipped) return;
    this.contention.ran();
    if (this.probing) {
      this.probing = false;
      if (spinSucceeded) {
        this.budget = this.cap();
        this.probeEvery = PROBE_MIN;
      } else {
        this.probeEvery = Math.min(PROBE_MAX, this.probeEvery * 2);
      }
      return;
    }
    this.budget = spinSucceeded ? Math.min(this.cap(), this.budget * 2) : Math.max(MIN_NS, this.budget * 0.75);
  }

  /**
   * After a failed spin: the change came `answerNs` after the wait began (spin included), during
   * the short sleep that followed. When spinning that long is affordable, the next spin does.
   */
  learn(answerNs: number): void {
    if (this.fixed || !(answerNs > 0)) return;
    // An answer that came right after a long spin gave up most likely came because it gave up: the
    // peer was waiting for our CPU. Learning it would set a budget as long as that spin, and the
    // next answer would come just as late (beside a CPU-bound process, bench/firstcall saw whole
    // windows of 1,000 calls at 400 us that way). Such a spin teaches that long spins do not pay.
    if (this.lastSpin > MAX_NS && answerNs < this.lastSpin * 1.25) {
      this.budget = MIN_NS;
      return;
    }
    this.observe(answerNs);
    if (answerNs > this.cap()) return;
    this.budget = Math.max(this.budget, Math.min(this.cap(), answerNs * 1.5));
    this.probeEvery = PROBE_MIN;
  }

  // Typical answer time of waits that did not end in the spin (moving average, ns).
  private answerNs = 0;

  /** Records the time a wait that went past its spin took until the change (ns). */
  observe(answerNs: number): void {
    if (!(answerNs > 0)) return;
    this.answerNs = this.answerNs === 0 ? answerNs : this.answerNs * 0.8 + Math.min(answerNs, 10 * HOT_SLEEP_MAX_NS) * 0.2;
  }

  /**
   * How long the hot wait (futex.ts, waitWordHot) may sleep on the calling thread after the spin:
   * twice the typical answer time when that is at most HOT_SLEEP_MAX_NS, else `base`. Sleeping
   * in the kernel on the calling thread costs one wake-up per answer; the asynchronous wait after
   * it costs two (the waiter thread, then the event loop), which on a loaded machine is what makes
   * a call slower than a Unix socket. The bound is the longest the event loop is held, and only
   * while answers from this peer keep coming that fast.
   */
  hotSleepNs(base: number): number {
    if (this.hotBackoff > 0) {
      this.hotBackoff--;
      return base;
    }
    const a = this.answerNs * 2;
    return base > 0 && a > base && a <= HOT_SLEEP_MAX_NS ? a : base;
  }

  // Waits left before the hot sleep may be longer than its base again.
  private hotBackoff = 0;

  /**
   * A hot sleep of `sleptNs` saw no change. When it was a lengthened one, the next 64 waits sleep
   * only the base time: the answers that taught it came by another way (a peer in this very
   * process, which cannot answer while we hold its thread, or a burst that ended).
   */
  hotSleepMissed(sleptNs: number, base: number): void {
    if (sleptNs > base) this.hotBackoff = 64;
  }
}

/** The policy of waits that have no doorbell of their own (waitWord callers such as OwnerLock). */
export const spinPolicy = new SpinPolicy();
