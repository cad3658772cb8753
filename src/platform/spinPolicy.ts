// How long a waiter spins before it sleeps in the kernel.
//
// A spin pays off only when the other process runs on another core at that moment; on a shared
// core it only delays the peer (runtime-notes.md pitfall 5). So: no spinning on a single CPU, a
// budget of a few microseconds, widened after spins that succeeded and narrowed after ones that did
// not, like an adaptive mutex. MEMBRIDGE_SPIN_NS fixes the budget (0 disables spinning).
//
// Narrowing alone can trap the budget below the peer's answer time: a server that answers in 4 us
// fails every spin once the budget is under 4 us, so it never widens again, and every call pays a
// kernel sleep and wake (bench/messaging measured callFunctionSync at 17 us that way, 6.8 us with a
// fixed 20 us spin). So a narrowed budget is probed: every `probeEvery`-th spin uses the full
// budget; a probe that succeeds restores it, one that fails doubles the interval (up to 64
// spins), which keeps the cost small where spinning never pays (both processes on one CPU: one
// 20 us probe per 64 waits of ~8 us). A longer interval (1024 was tried) kept two processes that
// had both narrowed during a slow start sleeping on each other for seconds: a probe only pays when
// the peer answers fast, which it does only once its own probe has succeeded.
import { availableParallelism, cpus } from 'node:os';
import { readEnv } from './env.ts';

const MIN_NS = 500;
const START_NS = 4_000;
const MAX_NS = 20_000;
const PROBE_MIN = 16;
const PROBE_MAX = 64;

function onlineCpus(): number {
  try {
    return cpus().length;
  } catch {
    return 1;
  }
}

function machineCpus(): number {
  return Math.max(typeof availableParallelism === 'function' ? availableParallelism() : 1, onlineCpus());
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
   */
  constructor(env = readEnv('MEMBRIDGE_SPIN_NS'), cpus = machineCpus()) {
    if (env !== undefined && env !== '' && Number.isFinite(Number(env))) {
      this.budget = Math.max(0, Number(env));
      this.fixed = true;
    } else {
      this.budget = cpus > 1 ? START_NS : 0;
      this.fixed = cpus <= 1;
    }
  }

  private sinceProbe = 0;
  private probeEvery = PROBE_MIN;
  private probing = false;

  /** Nanoseconds to spin before the next sleep; pair every call with one record(). */
  next(): number {
    if (this.fixed || this.budget >= MAX_NS) return this.budget;
    if (++this.sinceProbe < this.probeEvery) return this.budget;
    this.sinceProbe = 0;
    this.probing = true;
    return MAX_NS;
  }

  /** The budget without counting a spin (for inspection and tests). */
  get spinNs(): number {
    return this.budget;
  }

  /** Records whether the spin that next() allowed saw the change it waited for. */
  record(spinSucceeded: boolean): void {
    if (this.fixed) return;
    if (this.probing) {
      this.probing = false;
      if (spinSucceeded) {
        this.budget = MAX_NS;
        this.probeEvery = PROBE_MIN;
      } else {
        this.probeEvery = Math.min(PROBE_MAX, this.probeEvery * 2);
      }
      return;
    }
    this.budget = spinSucceeded ? Math.min(MAX_NS, this.budget * 2) : Math.max(MIN_NS, this.budget * 0.75);
  }
}

/** The policy every waiter of this process shares. */
export const spinPolicy = new SpinPolicy();
