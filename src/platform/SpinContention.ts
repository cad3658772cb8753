// Whether this process should stop spinning for a while because its spins keep being descheduled
// (spinPolicy.ts explains why a descheduled spin means another task waited for our CPU).
//
// A single preemption proves little: a timer interrupt, the VM's host, our own compiler thread
// during warm-up all cause one now and then, and pausing on each cost the quiet machine its fast
// mode (bench/firstcall: later windows up to 4x a Unix socket). What counts is the share of recent
// spins that were descheduled, a moving average over about 16 spins: at half or more, spins pause
// for 10 ms, doubling up to 1 s while contention keeps returning within a second of the last pause.
// After a pause, one descheduled spin pauses again. A 100 ms bound made the retries themselves
// visible beside a CPU-bound process (windows of 1,000 calls up to 5.4x a Unix socket, against
// 2.4x with 1 s).
// With one CPU-bound process beside a pair on the 2-core VM, half or more of the spins of a slow
// phase were descheduled, against at most a fifth on the quiet machine.
//
// Process-wide (spinContention): contention is a property of the machine, not of one peer.

const PAUSE_SHARE = 0.5;
const PAUSE_MIN_MS = 10;
const PAUSE_MAX_MS = 1000;
const RETURN_WINDOW_MS = 1000;

export class SpinContention {
  private share = 0;
  private pausedNow = false;
  private until = -Infinity;
  private pauseMs = 0;

  /** @param clock milliseconds, as performance.now() (tests pass their own) */
  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** A spin was descheduled at `now` (clock time). */
  preempted(now: number): void {
    this.share += (1 - this.share) / 16;
    if (this.share < PAUSE_SHARE || (this.pausedNow && now < this.until)) return;
    // Contention that returns within a second of the last pause doubles the pause.
    this.pauseMs = now - this.until < RETURN_WINDOW_MS ? Math.min(PAUSE_MAX_MS, Math.max(PAUSE_MIN_MS, this.pauseMs * 2)) : PAUSE_MIN_MS;
    this.until = now + this.pauseMs;
    this.pausedNow = true;
    // After the pause, one more descheduled spin is enough to pause again.
    this.share = PAUSE_SHARE * 0.95;
  }

  /** A spin ran without being descheduled. */
  ran(): void {
    this.share -= this.share / 16;
  }

  /** Whether spins are paused now (reads the clock only while they are). */
  paused(): boolean {
    if (!this.pausedNow) return false;
    if (this.clock() < this.until) return true;
    this.pausedNow = false;
    return false;
  }

  /** The current or last pause in ms (for tests and inspection). */
  get pauseLengthMs(): number {
    return this.pauseMs;
  }
}

/** The process's contention state, shared by every SpinPolicy. */
export const spinContention = new SpinContention();
