// How long a waiter spins before it sleeps in the kernel.
//
// A spin pays off only when the other process runs on another core at that moment; on a shared
// core it only delays the peer (runtime-notes.md pitfall 5). So: no spinning on a single CPU, a
// budget of a few microseconds, widened after spins that succeeded and narrowed after ones that did
// not, like an adaptive mutex. MEMBRIDGE_SPIN_NS fixes the budget (0 disables spinning).
import { availableParallelism, cpus } from 'node:os';
import process from 'node:process';

const MIN_NS = 500;
const START_NS = 4_000;
const MAX_NS = 20_000;

function onlineCpus(): number {
  try {
    return cpus().length;
  } catch {
    return 1;
  }
}

export class SpinPolicy {
  private budget: number;
  private readonly fixed: boolean;

  constructor() {
    const env = process.env.MEMBRIDGE_SPIN_NS;
    // CPUs of the machine, not of this process: availableParallelism() follows the affinity mask,
    // so a process pinned to one CPU (taskset) would never spin although its peer may run on
    // another CPU. The adaptive budget already backs off when the peer shares our CPU.
    const cpus = Math.max(typeof availableParallelism === 'function' ? availableParallelism() : 1, onlineCpus());
    if (env !== undefined && env !== '' && Number.isFinite(Number(env))) {
      this.budget = Math.max(0, Number(env));
      this.fixed = true;
    } else {
      this.budget = cpus > 1 ? START_NS : 0;
      this.fixed = cpus <= 1;
    }
  }

  /** Nanoseconds to spin before the next sleep. */
  get spinNs(): number {
    return this.budget;
  }

  /** Records whether the last spin saw the change it waited for. */
  record(spinSucceeded: boolean): void {
    if (this.fixed) return;
    this.budget = spinSucceeded ? Math.min(MAX_NS, this.budget * 2) : Math.max(MIN_NS, this.budget * 0.75);
  }
}

/** The policy every waiter of this process shares. */
export const spinPolicy = new SpinPolicy();
