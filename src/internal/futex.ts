// Waiting on, and waking, 32-bit words of shared memory across processes.
//
// JS Atomics.wait and wasm memory.atomic.wait only wake threads of the same process (runtime-notes
// rule 2), so every cross-process wait goes through the addon's futex. Synchronous waits block the
// calling thread (for workers and scripts); asynchronous ones run on dedicated native threads, never
// on the host's thread pool (rule 3). Timeouts, EINTR retries and cancellation are decided here.
import process from 'node:process';
import { IpcError } from '../IpcError.ts';
import { native, WaitResult, type NativeWaiter } from './addon.ts';
import { runtime } from './runtime.ts';
import { spinPolicy } from './spinPolicy.ts';

// Loads of the word through WebAssembly before a synchronous wait calls into the addon, done only
// while spinning has been paying off (a budget the adaptive policy has not cut back): with both
// processes on one core, polling only delays the peer.
const JS_POLLS = 100;
const JS_POLL_MIN_SPIN_NS = 2000;

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
  if (spinPolicy.spinNs >= JS_POLL_MIN_SPIN_NS) {
    // Poll through WebAssembly first: a load costs a few ns where the native call, its argument
    // checks and the clock reads cost several hundred, which is most of a round trip when the
    // peer answers on another core within a microsecond (bench/pingpong, sync).
    const core = rt.core;
    for (let i = 0; i < JS_POLLS; i++) {
      if (core.atomicLoad32(ptr) !== expected) {
        spinPolicy.record(true);
        return 'changed';
      }
    }
  }
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

// An async wait within HOT_WINDOW_MS of the last activity (a wait that ended in a change, or
// noteActivity()) first waits up to HOT_WAIT_MS on the calling thread. MEMBRIDGE_HOT_WAIT_US sets
// that bound (0 disables it); it is the longest the event loop is held.
const HOT_WAIT_MS = Math.max(0, Number(process.env.MEMBRIDGE_HOT_WAIT_US ?? 50) || 0) / 1000;
const HOT_WINDOW_MS = 1;
let lastActivity = -Infinity;

/** Tells the async waits that traffic just happened, so the next one tries the hot path. */
export function noteActivity(now = performance.now()): void {
  lastActivity = now;
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
 * Like waitWord, without blocking the event loop for longer than HOT_WAIT_MS (50 us): the wait
 * runs on a dedicated native thread and the promise settles on the event loop, except right after
 * traffic, when it first waits briefly on this thread. An aborted signal rejects with IpcError
 * ABORTED.
 */
export async function waitWordAsync(ptr: number, expected: number, timeoutMs: number, sleepersPtr = -1, signal?: AbortSignal): Promise<WaitOutcome> {
  if (signal?.aborted) throw abortError(signal);
  const deadline = deadlineOf(timeoutMs);
  const rt = runtime();
  // Hot path: right after traffic, wait on this thread for a bounded moment (HOT_WAIT_MS: the
  // policy's spin, then the kernel) before handing the wait to a waiter thread. A waiter thread
  // costs two extra wake-ups per hop (that thread, then the event loop): bench/pingpong measured
  // async round trips at 47 us with it against 42 us for a Unix socket, and the channel layer
  // 6 us with this hot wait. Sleeping in the kernel, unlike spinning, leaves the CPU to the peer.
  if (HOT_WAIT_MS > 0 && performance.now() - lastActivity < HOT_WINDOW_MS) {
    const spin = spinPolicy.spinNs;
    const r = native().futexWait(rt.u8, ptr, expected | 0, Math.max(0, Math.min(HOT_WAIT_MS, deadline - performance.now())), spin, sleepersPtr);
    if (spin > 0) spinPolicy.record(r === WaitResult.CHANGED_WHILE_SPINNING);
    if (r === WaitResult.CHANGED_WHILE_SPINNING || r === WaitResult.NOT_EQUAL || r === WaitResult.WOKEN) {
      lastActivity = performance.now();
      return 'changed';
    }
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
      if (outcome === 'changed') lastActivity = performance.now();
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
