// A doorbell in shared memory (layout: assembly/doorbell.ts, docs/layout.md#doorbell): one side
// rings, the other waits for the ring. Ringing makes a system call only when somebody sleeps.
import { runtime } from '../platform/runtime.ts';
import { SpinPolicy } from '../platform/spinPolicy.ts';
import { checkTimeout, sleepWord, spinWord, waitWordAsync, waitWordHot, wakeWord, type WaitOutcome } from '../platform/futex.ts';

export class Doorbell {
  /** Bytes a doorbell occupies in shared memory. */
  static get size(): number {
    return runtime().core.doorbellSize();
  }

  private readonly sleepersPtr: number;
  private readonly core = runtime().core;
  /** This doorbell's own spin budget: the answer times of one peer (spinPolicy.ts). */
  readonly policy = new SpinPolicy();
  // A ringer runs on this very thread (a channel's client and server in one thread): it cannot
  // ring while we spin or sleep on the thread, so both only delay it.
  private ringerOnThisThread = false;

  /** Whether a ringer of this bell runs on the calling thread: then waits neither spin nor sleep on it. */
  setRingerOnThisThread(on: boolean): void {
    this.ringerOnThisThread = on;
  }

  /** @param ptr address of the doorbell in the WebAssembly memory (window base + offset) */
  constructor(readonly ptr: number) {
    this.sleepersPtr = ptr + runtime().core.doorbellSleepersOffset();
  }

  /** The current sequence number; pass it to wait() to sleep until the next ring. */
  get seq(): number {
    return this.core.doorbellSeq(this.ptr);
  }

  /** Rings: every waiter that saw an older seq returns. Returns the number of processes woken. */
  ring(): number {
    return this.core.doorbellRing(this.ptr) > 0 ? wakeWord(this.ptr, 0x7fffffff) : 0;
  }

  /**
   * Blocks until seq differs from `seen` or the timeout passes. The timeout counts from the end of
   * the spin (at most 20 us): the fast path reads no clock (see spinWord).
   */
  wait(seen: number, timeoutMs = Infinity): WaitOutcome {
    checkTimeout(timeoutMs);
    // spinWord's first load is the check whether a ring already came (one call fewer on the way in).
    if ((!this.ringerOnThisThread && spinWord(this.ptr, seen, this.policy)) || this.seq !== seen) return 'changed';
    const slept = performance.now();
    const deadline = timeoutMs === Infinity ? Infinity : slept + timeoutMs;
    for (let first = timeoutMs === Infinity ? -1 : timeoutMs; ; first = -2) {
      // A wake-up meant for another word sharing the futex hash, or a cancelled waiter, can return
      // early: sleep again until the same deadline, never for the whole timeout again.
      const outcome = sleepWord(this.ptr, seen, deadline, this.sleepersPtr, first);
      if (this.seq !== seen) {
        // How long a spin would have needed (the failed spin took about the budget).
        this.policy.learn(this.policy.spinNs + (performance.now() - slept) * 1e6);
        return 'changed';
      }
      if (outcome === 'timed-out') return 'timed-out';
    }
  }

  /**
   * Like wait(), without blocking the event loop (beyond the bounded hot path right after traffic,
   * see waitWordHot; `hot` false skips it).
   */
  async waitAsync(seen: number, timeoutMs = Infinity, signal?: AbortSignal, hot = true): Promise<WaitOutcome> {
    const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
    for (;;) {
      if (this.seq !== seen) return 'changed';
      const left = deadline === Infinity ? Infinity : Math.max(0, deadline - performance.now());
      if ((await waitWordAsync(this.ptr, seen, left, this.sleepersPtr, signal, hot, this.policy)) === 'timed-out') return this.seq !== seen ? 'changed' : 'timed-out';
    }
  }

  /**
   * The synchronous hot path of waitAsync() alone: 'changed' when a ring came within it, undefined
   * when it did not apply (no recent traffic) or saw nothing within 50 us before `timeoutMs`.
   */
  waitHot(seen: number, timeoutMs: number): 'changed' | undefined {
    if (this.seq !== seen) return 'changed';
    if (this.ringerOnThisThread) return undefined;
    return waitWordHot(this.ptr, seen, performance.now() + timeoutMs, this.sleepersPtr, this.policy);
  }
}
