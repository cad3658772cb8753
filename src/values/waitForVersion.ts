// Waiting until a shared value's version moves past one the caller saw, without blocking the
// event loop: the writers ring a doorbell after every publish, and the version is re-read after
// every ring (a ring can also come from a write that was superseded, or from another value that
// shares the doorbell).
import { IpcError } from '../errors/IpcError.ts';
import type { Doorbell } from '../segments/Doorbell.ts';

/** Options of waitForChange(). */
export interface WaitForChangeOptions {
  /** How long to wait (default 30 000 ms; Infinity waits until a change or an abort). */
  timeoutMs?: number;
  /** Ends the wait with IpcError ABORTED. */
  signal?: AbortSignal;
}

export async function waitForVersion(bell: Doorbell, version: () => number, since: number, what: string, options: WaitForChangeOptions = {}): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!(timeoutMs >= 0)) throw new RangeError(`Cannot wait ${timeoutMs} ms for ${what} to change: the timeout must be a non-negative number or Infinity`);
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    // Read the bell before the version: a write between the two rings a bell we have not seen.
    const seen = bell.seq;
    const now = version();
    if (now !== since) return now;
    const left = deadline - performance.now();
    if (left <= 0) throw new IpcError('TIMED_OUT', `Cannot see a change of ${what} within ${timeoutMs} ms: it is still at version ${since}`);
    await bell.waitAsync(seen, left, options.signal);
  }
}
