// Sleeping this thread between attempts, for loops that poll shared state nobody will wake them
// for (a slot to free, a creator to finish, an owner to stop). Atomics.wait on a private word works
// on the main thread of every host (docs/runtime-notes.md); waits that another process ends early
// go through futex.ts instead.

const word = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this thread for `ms` milliseconds (fractions allowed). */
export function sleepMs(ms: number): void {
  Atomics.wait(word, 0, 0, ms);
}

/** A doubling pause between attempts: starts at `firstMs`, never exceeds `maxMs`. */
export class Backoff {
  private next: number;

  constructor(
    private readonly firstMs: number,
    private readonly maxMs: number,
  ) {
    this.next = firstMs;
  }

  /** Sleeps the current pause and doubles the next one. */
  sleep(): void {
    sleepMs(this.next);
    this.next = Math.min(this.next * 2, this.maxMs);
  }

  /** The pause the next sleep() takes, in milliseconds. */
  get nextMs(): number {
    return this.next;
  }

  /** Starts again from the first pause. */
  reset(): void {
    this.next = this.firstMs;
  }
}
