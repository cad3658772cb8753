// Waiting on, and waking, 32-bit words of shared memory across processes.
//
// JS Atomics.wait and wasm memory.atomic.wait only wake threads of the same process (docs/runtime-notes.md,
// rule 2), so every cross-process wait goes through the addon's futex. Synchronous waits block the
// calling thread (for workers and scripts); asynchronous ones run on dedicated native threads, never
// on the host's thread pool (rule 3). Timeouts, EINTR retries and cancellation are decided here.
import { readEnv } from './env.ts';
import { IpcError } from '../errors/IpcError.ts';
import { native, WaitResult, type NativeWaiter } from './addon.ts';
import { runtime } from './runtime.ts';
import { spinPolicy, type SpinPolicy } from './spinPolicy.ts';
import { systemCallError } from './errno.ts';

// The spin runs in WebAssembly (spinWhileEqual32) rather than in the addon: the native call with
// its argument checks and clock reads costs a few hundred ns, most of a round trip when the peer
// answers from another core (bench/pingpong, sync). WebAssembly has no clock, so the spin goes in
// chunks of loads: the first one (up to FIRST_CHUNK_NS) reads no clock at all, later ones are
// checked against performance.now(), so the budget holds in real time even when the load rate
// estimate is off (the engine tiers the loop up after the calibration, a neighbour slows us down).
const FIRST_CHUNK_NS = 2_000;
const CHUNK_NS = 1_000;
/** A gap between two clock reads of a spin this long means the spinning thread was descheduled. */
const PREEMPTED_MS = 0.03;
let loadsPerNs = 0;

function calibrateLoads(): number {
  const core = runtime().core;
  // Address 0 is static data of the core module, which has no heap: nothing writes it.
  const word = core.atomicLoad32(0);
  let best = Infinity;
  const loads = 1 << 14;
  for (let i = 0; i < 8; i++) {
    const t0 = performance.now();
    core.spinWhileEqual32(0, word, loads);
    best = Math.min(best, performance.now() - t0);
  }
  return boundedRate(loads / (best * 1e6));
}

// Bounded both ways so that a coarse timer cannot make a chunk absurd.
function boundedRate(r: number): number {
  return r > 0 ? Math.min(8, Math.max(0.05, r)) : 1;
}

function loadsFor(ns: number): number {
  if (loadsPerNs === 0) loadsPerNs = calibrateLoads();
  return Math.ceil(ns * loadsPerNs);
}

/** How a wait ended. */
export type WaitOutcome = 'changed' | 'timed-out';

/** Throws a RangeError unless `timeoutMs` is a non-negative number or Infinity. */
export function checkTimeout(timeoutMs: number): void {
  if (!(timeoutMs >= 0)) throw new RangeError(`Cannot wait ${timeoutMs} ms: the timeout must be a non-negative number or Infinity`);
}

/** The absolute deadline (performance.now() time) of a wait of `timeoutMs` starting now. */
export function deadlineOf(timeoutMs: number): number {
  checkTimeout(timeoutMs);
  return timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
}

/**
 * Spins on the word at `ptr` for the adaptive policy's budget (no native call; no clock read in
 * the first 2 us) and tells whether it stopped holding `expected`. The budget is bounded by the
 * policy (at most 300 us; spinPolicy.ts). Callers read the clock for their timeout only after a
 * failed spin, because a clock read costs as
 * much as the cross-core hop the spin is there to catch (110-130 ns for performance.now() on Node
 * 20 on our VM).
 */
export function spinWord(ptr: number, expected: number, policy: SpinPolicy = spinPolicy): boolean {
  const budget = policy.next();
  if (budget <= 0) return false;
  const core = runtime().core;
  const want = expected | 0;
  const first = Math.min(budget, FIRST_CHUNK_NS);
  let changed = core.spinWhileEqual32(ptr, want, loadsFor(first)) !== want;
  if (!changed && budget > first) {
    const chunk = loadsFor(CHUNK_NS);
    const t0 = performance.now();
    const until = t0 + (budget - first) / 1e6;
    let before = t0;
    for (let n = 1; ; n++) {
      if (core.spinWhileEqual32(ptr, want, chunk) !== want) {
        changed = true;
        break;
      }
      const now = performance.now();
      // A chunk of about 1 us that took far longer: the kernel gave our CPU to another task for
      // that time, so some task was waiting for a CPU while we spun (spinPolicy.ts, preempted()).
      if (now - before > PREEMPTED_MS) {
        policy.preempted(now);
        break;
      }
      before = now;
      if (now >= until) {
        // A full timed run: the rate the loop really has now, clock reads included.
        loadsPerNs = boundedRate((n * chunk) / ((now - t0) * 1e6));
        break;
      }
    }
  }
  policy.record(changed);
  return changed;
}

/**
 * Sleeps in the kernel until the word at `ptr` no longer holds `expected`, a wake-up arrives, or
 * the clock passes `deadline` (from deadlineOf). `sleepersPtr` (or -1) is the counter the waker
 * reads to decide whether to call wake. Spurious returns are possible: callers re-check.
 * `firstTimeoutMs`, when given, is the time left right now (-1: none), saving a clock read.
 */
export function sleepWord(ptr: number, expected: number, deadline: number, sleepersPtr = -1, firstTimeoutMs = -2): WaitOutcome {
  const addon = native();
  const rt = runtime();
  for (let first = firstTimeoutMs !== -2; ; first = false) {
    // A caller that has just computed the deadline passes the timeout itself: one clock read
    // (~110 ns) fewer per sleep.
    const left = first ? firstTimeoutMs : deadline === Infinity ? -1 : Math.max(0, deadline - performance.now());
    const outcome = outcomeOf(addon.futexWait(rt.u8, ptr, expected | 0, left, sleepersPtr), deadline);
    if (outcome) return outcome;
  }
}

/**
 * Blocks until the word at `ptr` no longer holds `expected`, a wake-up arrives, or `timeoutMs`
 * passes (counted after the spin). `sleepersPtr` (or -1) is the counter the waker reads to decide
 * whether to call wake. Spurious returns are possible: callers re-check their condition.
 */
export function waitWord(ptr: number, expected: number, timeoutMs: number, sleepersPtr = -1): WaitOutcome {
  checkTimeout(timeoutMs);
  if (spinWord(ptr, expected)) return 'changed';
  return sleepWord(ptr, expected, deadlineOf(timeoutMs), sleepersPtr, timeoutMs === Infinity ? -1 : timeoutMs);
}

// What a native wait result means; undefined: interrupted with time left, wait again.
function outcomeOf(r: number, deadline: number): WaitOutcome | undefined {
  switch (r) {
    case WaitResult.WOKEN:
    case WaitResult.NOT_EQUAL:
    case WaitResult.CANCELLED:
      return 'changed';
    case WaitResult.TIMED_OUT:
      return 'timed-out';
    case WaitResult.INTERRUPTED:
      return deadline !== Infinity && performance.now() >= deadline ? 'timed-out' : undefined;
    default:
      throw systemCallError('wait on shared memory', 'futex', -r);
  }
}

/** Wakes up to `count` processes sleeping on the word at `ptr`; returns how many woke. */
export function wakeWord(ptr: number, count = 1): number {
  const r = native().futexWake(runtime().u8, ptr, count);
  if (r < 0) throw systemCallError('wake waiters on shared memory', 'futex', -r);
  return r;
}

// An async wait within HOT_WINDOW_MS of the last activity (a wait that ended in a change, or
// noteActivity()) first waits up to HOT_WAIT_MS on the calling thread. MEMBRIDGE_HOT_WAIT_US sets
// that bound (0 disables it); it is the longest the event loop is held.
const HOT_WAIT_MS = Math.max(0, Number(readEnv('MEMBRIDGE_HOT_WAIT_US') ?? 50) || 0) / 1000;
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

// Native waits in flight on waiter threads. A waiter thread touches shared memory after its wait
// returns: it takes itself off the sleepers count (native/membridge.cc, DoWait). When the window
// under that count was unmapped meanwhile and handed to another segment, that late decrement lands
// in the other segment: a doorbell's count then reads one too low, its ringers skip FUTEX_WAKE
// while its owner sleeps, and every hand-off waits out a liveness slice (issue #11: a 300 KB
// message through 1 KB rings took 60 s instead of 0.3 s). So a window is not reused until every
// wait that may touch it has come back (SegmentMapping.unmap asks settledWithin()).
interface InFlight {
  readonly waiter: NativeWaiter;
  readonly lo: number;
  readonly hi: number;
  readonly settled: Promise<void>;
}
const inFlight = new Set<InFlight>();

/**
 * Undefined when no native wait in flight touches bytes [start, end) of the WebAssembly memory;
 * else cancels those waits and returns a promise that settles once all of them came back (their
 * threads no longer touch that memory).
 */
export function settledWithin(start: number, end: number): Promise<void> | undefined {
  let pending: Promise<void>[] | undefined;
  for (const w of inFlight) {
    if (w.hi <= start || w.lo >= end) continue;
    w.waiter.cancel();
    (pending ??= []).push(w.settled);
  }
  return pending && Promise.all(pending).then(() => undefined);
}

function abortError(signal: AbortSignal): IpcError {
  return new IpcError('ABORTED', 'Cannot finish waiting on shared memory: the operation was aborted', { cause: signal.reason });
}

/**
 * The hot path of waitWordAsync, on the calling thread and without a promise: right after traffic
 * (within HOT_WINDOW_MS of the last change seen or noteActivity()), spins for the policy's budget
 * in WebAssembly, then sleeps in the kernel for the rest of HOT_WAIT_MS (50 us) at most. Returns
 * 'changed', or undefined when it did not apply or saw nothing: then wait asynchronously.
 *
 * Why on the calling thread: a waiter thread costs two extra wake-ups per hop (that thread, then
 * the event loop): bench/pingpong measured async round trips at 47 us with it against 42 us for a
 * Unix socket, 2.5-10 us with this path. Sleeping in the kernel, unlike spinning, leaves the CPU to
 * the peer. Why without a promise: a channel server that awaited it paid several microtask turns
 * per request (bench/messaging).
 */
export function waitWordHot(ptr: number, expected: number, deadline: number, sleepersPtr = -1, policy: SpinPolicy = spinPolicy): 'changed' | undefined {
  if (HOT_WAIT_MS <= 0) return undefined;
  const now = performance.now();
  if (now - lastActivity >= HOT_WINDOW_MS) return undefined;
  if (spinWord(ptr, expected, policy)) {
    lastActivity = now;
    return 'changed';
  }
  const slept = performance.now();
  const left = Math.min(policy.hotSleepNs(HOT_WAIT_MS * 1e6) / 1e6, deadline - slept);
  if (!(left > 0)) return undefined;
  const r = native().futexWait(runtime().u8, ptr, expected | 0, left, sleepersPtr);
  if (r === WaitResult.NOT_EQUAL || r === WaitResult.WOKEN) {
    lastActivity = performance.now();
    // The answer came while we slept: how long a spin would have needed to catch it.
    policy.learn((lastActivity - now) * 1e6);
    return 'changed';
  }
  if (r === WaitResult.TIMED_OUT) policy.hotSleepMissed(left * 1e6, HOT_WAIT_MS * 1e6);
  return undefined;
}

/**
 * Like waitWord, without blocking the event loop for longer than HOT_WAIT_MS (50 us): the wait
 * runs on a dedicated native thread and the promise settles on the event loop, except right after
 * traffic, when it first takes the hot path (waitWordHot; `hot` false skips it, for callers that
 * just tried it). An aborted signal rejects with IpcError ABORTED.
 */
export async function waitWordAsync(ptr: number, expected: number, timeoutMs: number, sleepersPtr = -1, signal?: AbortSignal, hot = true, policy: SpinPolicy = spinPolicy): Promise<WaitOutcome> {
  if (signal?.aborted) throw abortError(signal);
  const deadline = deadlineOf(timeoutMs);
  const rt = runtime();
  const started = performance.now();
  const afterTraffic = started - lastActivity < HOT_WINDOW_MS;
  if (hot && waitWordHot(ptr, expected, deadline, sleepersPtr, policy) === 'changed') return 'changed';
  const waiter = takeWaiter();
  const onAbort = (): void => waiter.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const left = deadline === Infinity ? -1 : Math.max(0, deadline - performance.now());
      const pending = waiter.wait(rt.u8, ptr, expected | 0, left, sleepersPtr);
      const entry: InFlight = { waiter, lo: sleepersPtr >= 0 ? Math.min(ptr, sleepersPtr) : ptr, hi: Math.max(ptr, sleepersPtr) + 4, settled: pending.then(noop, noop) };
      inFlight.add(entry);
      let r: number;
      try {
        r = await pending;
      } finally {
        inFlight.delete(entry);
      }
      // A cancelled wait is either our abort or a spurious wake-up to re-check.
      if (r === WaitResult.CANCELLED && signal?.aborted) throw abortError(signal);
      const outcome = outcomeOf(r, deadline);
      if (outcome === 'changed') {
        lastActivity = performance.now();
        // A wait that began right after traffic: how long the peer took to answer teaches the hot
        // wait how long to sleep on this thread next time (spinPolicy.ts, hotSleepNs).
        if (afterTraffic) policy.observe((lastActivity - started) * 1e6);
      }
      if (outcome) return outcome;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    giveBack(waiter);
  }
}

function noop(): void {}

/** Stops all idle waiter threads (they are recreated on demand). */
export function closeIdleWaiters(): void {
  while (idle.length) idle.pop()!.close();
}
