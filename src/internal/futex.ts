// Waiting on, and waking, 32-bit words of shared memory across processes.
//
// JS Atomics.wait and wasm memory.atomic.wait only wake threads of the same process (runtime-notes
// rule 2), so every cross-process wait goes through the addon's futex. Synchronous waits block the
// calling thread (for workers and scripts); asynchronous ones run on dedicated native threads, never
// on the host's thread pool (rule 3). Timeouts, EINTR retries and cancellation are decided here.
import { IpcError } from '../IpcError.ts';
import { native, WaitResult, type NativeWaiter } from './addon.ts';
import { runtime } from './runtime.ts';
import { spinPolicy } from './spinPolicy.ts';

/** How a wait ended. */
export type WaitOutcome = 'changed' | 'timed-out';

function deadlineOf(timeoutMs: number): number {
  if (timeoutMs === Infinity) return Infinity;
  if (!(timeoutMs >= 0)) throw new RangeError(`Cannot wait ${timeoutMs} ms: the timeout must be a non-negative number or Infinity`);
  return performance.now() + timeoutMs;
}

/**
 * Blocks until the word at `ptr` no longer holds `expected`, a wake-up arrives, or `timeoutMs`
 * passes. `sleepersPtr` (or -1) is the counter the waker reads to decide whether to call wake.
 * Spurious returns are possible: callers re-check their condition.
 */
export function waitWord(ptr: number, expected: number, timeoutMs: number, sleepersPtr = -1): WaitOutcome {
  const addon = native();
  const rt = runtime();
  const deadline = deadlineOf(timeoutMs);
  for (;;) {
    const left = deadline === Infinity ? -1 : Math.max(0, deadline - performance.now());
    const spin = spinPolicy.spinNs;
    const r = addon.futexWait(rt.u8, ptr, expected | 0, left, spin, sleepersPtr);
    if (spin > 0) spinPolicy.record(r === WaitResult.CHANGED_WHILE_SPINNING);
    const outcome = outcomeOf(r, deadline);
    if (outcome) return outcome;
  }
}

// What a native wait result means; undefined: interrupted with time left, wait again.
function outcomeOf(r: number, deadline: number): WaitOutcome | undefined {
  switch (r) {
    case WaitResult.WOKEN:
    case WaitResult.NOT_EQUAL:
    case WaitResult.CHANGED_WHILE_SPINNING:
    case WaitResult.CANCELLED:
      return 'changed';
    case WaitResult.TIMED_OUT:
      return 'timed-out';
    case WaitResult.INTERRUPTED:
      return deadline !== Infinity && performance.now() >= deadline ? 'timed-out' : undefined;
    default:
      throw new IpcError('SYSTEM', `Cannot wait on shared memory: futex failed with errno ${-r}`, { errno: -r });
  }
}

/** Wakes up to `count` processes sleeping on the word at `ptr`; returns how many woke. */
export function wakeWord(ptr: number, count = 1): number {
  const r = native().futexWake(runtime().u8, ptr, count);
  if (r < 0) throw new IpcError('SYSTEM', `Cannot wake waiters on shared memory: futex failed with errno ${-r}`, { errno: -r });
  return r;
}

// Idle waiter threads kept for reuse: creating a thread costs tens of microseconds.
const idle: NativeWaiter[] = [];
const MAX_IDLE = 8;

function takeWaiter(): NativeWaiter {
  return idle.pop() ?? new (native().Waiter)();
}

function giveBack(w: NativeWaiter): void {
  if (idle.length < MAX_IDLE) idle.push(w);
  else w.close();
}

function abortError(signal: AbortSignal): IpcError {
  return new IpcError('ABORTED', 'Cannot finish waiting on shared memory: the operation was aborted', { cause: signal.reason });
}

/**
 * Like waitWord, without blocking the event loop for longer than the spin budget: after the spin,
 * the wait runs on a dedicated native thread and the promise settles on the event loop. An aborted
 * signal rejects with IpcError ABORTED.
 */
export async function waitWordAsync(ptr: number, expected: number, timeoutMs: number, sleepersPtr = -1, signal?: AbortSignal): Promise<WaitOutcome> {
  if (signal?.aborted) throw abortError(signal);
  const deadline = deadlineOf(timeoutMs);
  const rt = runtime();
  // Spin on this thread first (a few microseconds at most, per the spin policy): handing the wait
  // to a waiter thread costs two extra wake-ups (that thread, then the event loop), which made an
  // async round trip slower than a Unix socket (bench/pingpong, mode async-spin vs async).
  const spin = spinPolicy.spinNs;
  if (spin > 0) {
    const r = native().futexWait(rt.u8, ptr, expected | 0, 0, spin, -1);
    spinPolicy.record(r === WaitResult.CHANGED_WHILE_SPINNING);
    if (r === WaitResult.CHANGED_WHILE_SPINNING || r === WaitResult.NOT_EQUAL) return 'changed';
  }
  const waiter = takeWaiter();
  const onAbort = (): void => waiter.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const left = deadline === Infinity ? -1 : Math.max(0, deadline - performance.now());
      const r = await waiter.wait(rt.u8, ptr, expected | 0, left, 0, sleepersPtr);
      // A cancelled wait is either our abort or a spurious wake-up to re-check.
      if (r === WaitResult.CANCELLED && signal?.aborted) throw abortError(signal);
      const outcome = outcomeOf(r, deadline);
      if (outcome) return outcome;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    giveBack(waiter);
  }
}

/** Stops all idle waiter threads (they are recreated on demand). */
export function closeIdleWaiters(): void {
  while (idle.length) idle.pop()!.close();
}
