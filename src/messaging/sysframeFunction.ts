// Shared functions in the layout of Python's sysframe.membridge (`create_function`,
// `call_function`, `remove_function`), so that membridge processes call Python functions and serve
// Python callers. One segment per function, named as Python names it (no "mb." prefix):
//
//   0         40             88             136  137   144                              1168
//   +---------+--------------+--------------+----+-----+--------------------------------+
//   | mutex M | condvar F    | condvar C    |act.| pad | buffer: args (caller -> owner), |
//   | glibc   | "function":  | "caller":    | u8 |     | then the result (owner ->      |
//   | pthread | callers and  | the owner    |    |     | caller); pybytes, <= 1024 bytes |
//   | _mutex_t| remove signal| signals      |    |     | first byte 0x00 = NULL message  |
//   +---------+--------------+--------------+----+-----+--------------------------------+
//   process-shared glibc objects (x86-64 sizes: mutex 40, condvar 48); activity 1 = serving,
//   0 = stop requested.
//
// The protocol (the reference's): a caller locks M, writes its args (a pybytes tuple) at 144,
// signals F and waits on C with M; the owner, woken on F with M held, calls the function, writes
// the result at 144, signals C and waits on F again. Stop: lock M, activity = 0, signal F, unlock;
// the owner unlinks the segment.
//
// What we add, all bounded by the caller's timeout (docs/python.md):
// - Every wait has a deadline. glibc re-acquires M after a timed-out condition wait without one, so
//   a watchdog looks at M's holder: a dead holder (a Python owner killed mid-call, a Python caller
//   that crashed holding M) is cleared, which frees the waiting thread (PEER_GONE). A live holder
//   that never lets go (a Python owner whose function raised keeps M locked) ends the call with
//   TIMED_OUT; that thread and the segment's mapping are then given up (never reused).
// - The reference owner's lost wake-up (it does not wait on F between unlocking M and locking it
//   again): before signalling F, a caller waits, M released, until F has a waiter (glibc's __wrefs
//   count), for up to 2 s or a quarter of its timeout. If the owner never waits, the call ends at
//   its timeout.
// - Our owner holds M from the end of one call until its next wait, which releases it atomically,
//   so no call is lost; a function that throws, or a result that cannot be written, gives the
//   caller a NULL message (Python raises RuntimeError) and the owner goes on serving.
// - Callers in one process take turns; callers in different processes can still receive each
//   other's results (the layout has one buffer and no call ids): use the membridge layout for that.
import process from 'node:process';
import { IpcError } from '../errors/IpcError.ts';
import { RemoteError } from '../errors/RemoteError.ts';
import { native, type NativeAddon, type NativePshWaiter } from '../platform/addon.ts';
import { Errno } from '../platform/errno.ts';
import { isProcessAlive } from '../platform/processIdentity.ts';
import { runtime } from '../platform/runtime.ts';
import { decode } from '../pybytes/decode.ts';
import { encode } from '../pybytes/encode.ts';
import { Tuple } from '../pybytes/values/sequences.ts';
import { SegmentMapping, unlinkSegment } from '../segments/SegmentMapping.ts';
import { checkSegmentName } from '../segments/segmentName.ts';
import type { AllowedUsers } from '../segments/segmentOwner.ts';

const MUTEX = 0;
const FN_COND = 40;
const CALLER_COND = 88;
const ACTIVITY = 136;
const BUFFER = 144;
/** Largest args or result message, protocol byte included. */
export const SYSFRAME_MESSAGE_MAX = 1024;
/** Size of the segment Python creates. */
export const SYSFRAME_FUNCTION_SIZE = BUFFER + SYSFRAME_MESSAGE_MAX;
// glibc x86-64 internals read only as hints: pthread_mutex_t.__lock (0) and __owner (8, a thread
// id); pthread_cond_t.__wrefs (36): waiters << 3.
const MUTEX_LOCK_WORD = 0;
const MUTEX_OWNER = 8;
const COND_WREFS = 36;

const ETIMEDOUT = -Errno.ETIMEDOUT;
const ECANCELED = -125;
/** How long an owner waits on F per round (it re-checks its stop flag in between). */
const OWNER_SLICE_MS = 1000;
/** How often a watchdog looks at M's holder while a wait is pending. */
const WATCH_MS = 50;
/**
 * How long a caller waits for the owner to wait on F (the reference owner's gap, see above, and a
 * fresh owner that has made the segment but not started waiting): at most this, or a quarter of
 * the call's timeout.
 */
const OWNER_GAP_MS = 2000;

/** The addon, where process-shared glibc pthread objects work (Linux, glibc, x86-64). */
function pshAddon(what: string): NativeAddon {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new IpcError('NATIVE_UNAVAILABLE', `Cannot use ${what}: the sysframe shared-function layout exists on Linux/glibc/x86-64 only, not ${process.platform}/${process.arch}`);
  }
  const addon = native();
  if (typeof addon.pshAvailable !== 'function' || !addon.pshAvailable()) {
    throw new IpcError('NATIVE_UNAVAILABLE', `Cannot use ${what}: the native addon has no glibc process-shared pthread support here (the sysframe layout needs Linux/glibc/x86-64; rebuild the addon if it is older)`);
  }
  return addon;
}

/** Python's name as a segment name: one leading "/" is dropped, as shm_open does. */
function segmentNameOf(name: string): string {
  if (typeof name !== 'string') throw new TypeError(`Cannot use ${typeof name} as a function name: a string is required`);
  return checkSegmentName(name.startsWith('/') ? name.slice(1) : name);
}

function target(name: string): string {
  return `sysframe function "${name}"`;
}

// Idle waiter threads, reused (a waiter given up on is closed instead).
const idle: NativePshWaiter[] = [];
function takeWaiter(addon: NativeAddon): NativePshWaiter {
  return idle.pop() ?? new addon.PshWaiter();
}
function giveBack(w: NativePshWaiter): void {
  if (idle.length < 4) idle.push(w);
  else w.close();
}

/** A segment mapping together with typed views of the words we read. */
class FunctionSegment {
  constructor(readonly seg: SegmentMapping) {}
  get u8(): Uint8Array {
    return runtime().u8;
  }
  at(offset: number): number {
    return this.seg.ptr + offset;
  }
  private i32(offset: number): Int32Array {
    return new Int32Array(runtime().u8.buffer, this.seg.ptr + offset, 1);
  }
  get activity(): number {
    return this.u8[this.at(ACTIVITY)]!;
  }
  set activity(v: number) {
    this.u8[this.at(ACTIVITY)] = v;
  }
  buffer(): Uint8Array {
    return this.u8.slice(this.at(BUFFER), this.at(BUFFER) + SYSFRAME_MESSAGE_MAX);
  }
  /** Thread id holding M (0 when free), from glibc's __owner. */
  holder(): number {
    return Atomics.load(this.i32(MUTEX + MUTEX_LOCK_WORD), 0) === 0 ? 0 : Atomics.load(this.i32(MUTEX + MUTEX_OWNER), 0);
  }
  /** Waiters on F, from glibc's __wrefs. */
  fnWaiters(): number {
    return Atomics.load(this.i32(FN_COND + COND_WREFS), 0) >>> 3;
  }
  /**
   * When M is held by a thread that no longer exists, releases it as glibc would (lock word 0, wake
   * one waiter) and returns true. A non-robust mutex is never released by the kernel.
   */
  clearDeadHolder(): boolean {
    const tid = this.holder();
    if (tid <= 0 || isProcessAlive(tid)) return false;
    Atomics.store(this.i32(MUTEX + MUTEX_OWNER), 0, 0);
    Atomics.store(this.i32(MUTEX + MUTEX_LOCK_WORD), 0, 0);
    native().futexWake(this.u8, this.at(MUTEX + MUTEX_LOCK_WORD), 1);
    return true;
  }
}

function openSegment(name: string, what: string, allowOtherUsers?: AllowedUsers): FunctionSegment {
  const seg = SegmentMapping.open(segmentNameOf(name), { allowOtherUsers });
  if (seg.size !== SYSFRAME_FUNCTION_SIZE) {
    seg.unmap();
    throw new IpcError('WRONG_KIND', `Cannot use ${what}: the segment has ${seg.size} bytes, not the ${SYSFRAME_FUNCTION_SIZE} of a sysframe shared function`, { name });
  }
  return new FunctionSegment(seg);
}

const pause = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a pending native wait under a watchdog: every WATCH_MS it clears a dead holder of M (and
 * calls `onDeadHolder`); once `hardDeadline` (performance.now() time) has passed it gives up
 * and returns 'stuck'. `stop()` (abort) also ends it.
 */
async function watched(fs: FunctionSegment, pending: Promise<number>, hardDeadline: number, onDeadHolder: () => void, signal?: AbortSignal): Promise<number | 'stuck' | 'aborted'> {
  let settled: number | undefined;
  void pending.then((r) => {
    settled = r;
  });
  for (;;) {
    const r = await Promise.race([pending, sleep(WATCH_MS).then(() => undefined)]);
    if (r !== undefined) return r;
    if (settled !== undefined) return settled;
    if (fs.clearDeadHolder()) onDeadHolder();
    if (signal?.aborted) return 'aborted';
    if (performance.now() > hardDeadline) return 'stuck';
  }
}

// ---------------------------------------------------------------------------------------------
// Calling a sysframe function (Python's call_function)

const callerQueues = new Map<string, Promise<unknown>>();

/** Options of callFunction with `layout: 'sysframe'`. */
export interface SysframeCallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Decode the result losslessly (see docs/pybytes.md). Default false. */
  lossless?: boolean;
  /** Which other users' function files to accept (see CallOptions.allowOtherUsers). Default false. */
  allowOtherUsers?: AllowedUsers;
}

/**
 * Calls the sysframe shared function `name` (a Python `create_function` owner, or a membridge one
 * made with `layout: 'sysframe'`) with `args` as its positional arguments.
 * @throws {IpcError} NOT_FOUND, WRONG_KIND, TOO_LARGE (args over 1024 bytes), TIMED_OUT, PEER_GONE,
 *   ABORTED, NATIVE_UNAVAILABLE (not Linux/glibc/x86-64); RemoteError when the owner sent a NULL message
 */
export function callSysframeFunction(name: string, args: unknown[], options: SysframeCallOptions = {}): Promise<unknown> {
  // Encoded before anything shared is touched: an unencodable argument throws here (B.4).
  let message: Uint8Array;
  try {
    pshAddon(target(name));
    message = encode(Tuple.from(args));
    if (message.length > SYSFRAME_MESSAGE_MAX) {
      throw new IpcError('TOO_LARGE', `Cannot call ${target(name)}: the arguments take ${message.length} bytes, the layout holds ${SYSFRAME_MESSAGE_MAX}`, { name });
    }
  } catch (err) {
    return Promise.reject(err);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!(timeoutMs >= 0)) return Promise.reject(new RangeError(`Cannot call ${target(name)} with timeoutMs ${timeoutMs}`));
  const deadline = performance.now() + Math.min(timeoutMs, 1e12);
  // One call at a time per name in this process: the layout has one buffer.
  const before = callerQueues.get(name) ?? Promise.resolve();
  const run = before.catch(() => undefined).then(() => callOnce(name, message, deadline, options));
  const tail = run.catch(() => undefined);
  callerQueues.set(name, tail);
  void tail.then(() => {
    if (callerQueues.get(name) === tail) callerQueues.delete(name);
  });
  return run;
}

async function callOnce(name: string, message: Uint8Array, deadline: number, options: SysframeCallOptions): Promise<unknown> {
  const what = target(name);
  const addon = pshAddon(what);
  const fs = openSegment(name, what, options.allowOtherUsers);
  const remaining = (): number => Math.max(0, deadline - performance.now());
  let waiter: NativePshWaiter | undefined = takeWaiter(addon);
  let held = false;
  let keepMapping = false;
  const timedOut = (why: string): IpcError => new IpcError('TIMED_OUT', `Cannot call ${what}: no result within the timeout (${why})`, { name });
  try {
    if (options.signal?.aborted) throw new IpcError('ABORTED', `Call of ${what} aborted`, { name });
    // 1. Lock M (bounded; a dead holder is cleared and the lock tried again).
    for (;;) {
      const r = await waiter.lock(fs.u8, fs.at(MUTEX), Math.min(remaining(), WATCH_MS * 4));
      if (r === 0) break;
      if (r !== ETIMEDOUT) throw new IpcError('SYSTEM', `Cannot call ${what}: pthread_mutex_clocklock failed (errno ${-r})`, { name, errno: -r });
      if (fs.clearDeadHolder()) continue;
      if (options.signal?.aborted) throw new IpcError('ABORTED', `Call of ${what} aborted`, { name });
      if (remaining() <= 0) throw timedOut(`its mutex stayed locked by thread ${fs.holder()}: the owner is busy, or its function raised (the reference then keeps the mutex)`);
    }
    held = true;
    // 2. The reference owner's gap: give it the mutex until it waits on F again.
    const gapEnd = performance.now() + Math.min(OWNER_GAP_MS, remaining() / 4);
    while (fs.fnWaiters() === 0 && performance.now() < gapEnd) {
      addon.pshMutexUnlock(fs.u8, fs.at(MUTEX));
      held = false;
      await sleep(1);
      const r = await waiter.lock(fs.u8, fs.at(MUTEX), Math.max(remaining(), 1));
      if (r !== 0) {
        if (r === ETIMEDOUT && fs.clearDeadHolder()) continue;
        throw timedOut('its mutex stayed locked');
      }
      held = true;
    }
    if (fs.activity !== 1) throw new IpcError('PEER_GONE', `Cannot call ${what}: its owner has been asked to stop`, { name });
    // 3. The args, the signal, and the wait for the result (M released while waiting).
    fs.u8.set(message, fs.at(BUFFER));
    addon.pshCondSignal(fs.u8, fs.at(FN_COND));
    let gone = false;
    const r = await watched(fs, waiter.condWait(fs.u8, fs.at(CALLER_COND), fs.at(MUTEX), remaining()), deadline + 500, () => {
      // The owner died holding M (mid-call): wake our own wait.
      gone = true;
      addon.pshCondSignal(fs.u8, fs.at(CALLER_COND));
    }, options.signal);
    if (r === 'stuck' || r === 'aborted') {
      // Our thread is inside glibc's re-acquisition of M, held by a live thread that does not let
      // go: give that thread and this mapping up.
      waiter.close();
      waiter = undefined;
      keepMapping = true;
      held = false;
      if (r === 'aborted') throw new IpcError('ABORTED', `Call of ${what} aborted`, { name });
      throw timedOut(`its mutex is held by thread ${fs.holder()} (a Python owner whose function raised keeps it locked)`);
    }
    held = true; // the wait returned with M held again
    if (gone) throw new IpcError('PEER_GONE', `Cannot call ${what}: its owner died during the call`, { name });
    if (options.signal?.aborted) throw new IpcError('ABORTED', `Call of ${what} aborted`, { name });
    if (r === ETIMEDOUT) {
      throw timedOut(fs.fnWaiters() === 0
        ? 'the owner is not waiting: it died, or it is stuck in the reference\'s lost wake-up'
        : 'the owner did not answer; if it died while idle the segment remains until removed');
    }
    if (r !== 0) throw new IpcError('SYSTEM', `Cannot call ${what}: pthread_cond_clockwait failed (errno ${-r})`, { name, errno: -r });
    const result = fs.buffer();
    addon.pshMutexUnlock(fs.u8, fs.at(MUTEX));
    held = false;
    if (result[0] === 0) {
      throw new RemoteError('RuntimeError', 'the function sent a NULL message: it raised, or its result could not be encoded in 1024 bytes', '', what);
    }
    return options.lossless ? decode(result, { lossless: true }) : decode(result);
  } finally {
    if (held) addon.pshMutexUnlock(fs.u8, fs.at(MUTEX));
    if (waiter) giveBack(waiter);
    if (!keepMapping) fs.seg.unmap();
  }
}

// ---------------------------------------------------------------------------------------------
// Serving a sysframe function (Python's create_function)

interface Served {
  stopRequested: boolean;
  inHandler: boolean;
  fs: FunctionSegment;
}
const served = new Map<string, Served>();

/** Options of createFunction with `layout: 'sysframe'`. */
export interface SysframeServeOptions {
  /** File mode of the segment (default 0o600; Python creates 0o666 & ~umask). */
  mode?: number;
}

/**
 * Creates the sysframe shared function `name` and serves calls until it is removed (by
 * `removeFunction(name, { layout: 'sysframe' })` here or in another process, or Python's
 * `remove_function`). Resolves true when stopped that way; the segment is then unlinked.
 * @throws {IpcError} ALREADY_EXISTS, INVALID_NAME, NATIVE_UNAVAILABLE
 */
export async function serveSysframeFunction(name: string, fn: (...args: any[]) => unknown, options: SysframeServeOptions = {}): Promise<boolean> {
  const what = target(name);
  const addon = pshAddon(what);
  const segName = segmentNameOf(name);
  const seg = SegmentMapping.create(segName, SYSFRAME_FUNCTION_SIZE, { mode: options.mode ?? 0o600 });
  const fs = new FunctionSegment(seg);
  const init = [addon.pshMutexInit(fs.u8, fs.at(MUTEX)), addon.pshCondInit(fs.u8, fs.at(FN_COND)), addon.pshCondInit(fs.u8, fs.at(CALLER_COND))];
  if (init.some((r) => r !== 0) || addon.pshMutexLock(fs.u8, fs.at(MUTEX), 1000) !== 0) {
    seg.unmap();
    unlinkSegment(segName);
    throw new IpcError('SYSTEM', `Cannot create ${what}: initialising its pthread objects failed`, { name });
  }
  fs.activity = 1;
  const state: Served = { stopRequested: false, inHandler: false, fs };
  served.set(name, state);
  const waiter = new addon.PshWaiter();
  try {
    let last = fs.buffer();
    for (;;) {
      // Wait on F with M (held from the end of the last call until here, so no call is lost).
      const r = await watched(fs, waiter.condWait(fs.u8, fs.at(FN_COND), fs.at(MUTEX), OWNER_SLICE_MS), Infinity, () => {});
      if (typeof r !== 'number' || (r !== 0 && r !== ETIMEDOUT)) throw new IpcError('SYSTEM', `${what}: pthread_cond_clockwait failed (${String(r)})`, { name });
      if (state.stopRequested || fs.activity === 0) break;
      const now = fs.buffer();
      // A timed-out wait can still have swallowed a signal (glibc passes it on to no one): a
      // changed buffer is a call too.
      if (r === ETIMEDOUT && sameBytes(now, last)) continue;
      if (now[0] !== 0) {
        const reply = await answer(fn, now, state);
        fs.u8.set(reply, fs.at(BUFFER));
        addon.pshCondSignal(fs.u8, fs.at(CALLER_COND));
        if (state.stopRequested) break;
      }
      last = fs.buffer();
    }
  } finally {
    served.delete(name);
    waiter.close();
    addon.pshMutexUnlock(fs.u8, fs.at(MUTEX));
    seg.unmap();
    try {
      unlinkSegment(segName);
    } catch {
      // removed by someone else already
    }
  }
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const NULL_MESSAGE = new Uint8Array([0]);

async function answer(fn: (...args: any[]) => unknown, message: Uint8Array, state: Served): Promise<Uint8Array> {
  state.inHandler = true;
  try {
    const args = decode(message);
    if (!Array.isArray(args)) return NULL_MESSAGE;
    const bytes = encode(await fn(...args));
    return bytes.length <= SYSFRAME_MESSAGE_MAX ? bytes : NULL_MESSAGE;
  } catch {
    // Python's caller can only be told "NULL message" (it raises RuntimeError).
    return NULL_MESSAGE;
  } finally {
    state.inHandler = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Removing (Python's remove_function)

/**
 * Asks the owner of the sysframe function `name` to stop, as Python's `remove_function` does: the
 * owner unlinks the segment. Returns 1 when asked, 2 when no such segment exists, 3 when its mutex
 * stayed locked by a live thread for `timeoutMs` (the owner is busy, or its function raised).
 */
export function removeSysframeFunction(name: string, timeoutMs = 2000): 1 | 2 | 3 {
  const what = target(name);
  const addon = pshAddon(what);
  const local = served.get(name);
  if (local) {
    // Served here: its waiting thread may hold M while its continuation waits for this thread, so
    // do not lock. The flag ends the loop; the signal (which needs no lock) wakes its wait.
    local.stopRequested = true;
    local.fs.activity = 0;
    if (!local.inHandler) addon.pshCondSignal(local.fs.u8, local.fs.at(FN_COND));
    return 1;
  }
  let fs: FunctionSegment;
  try {
    fs = openSegment(name, what);
  } catch (err) {
    if (err instanceof IpcError && err.code === 'NOT_FOUND') return 2;
    throw err;
  }
  try {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const r = addon.pshMutexLock(fs.u8, fs.at(MUTEX), Math.min(Math.max(0, deadline - performance.now()), 100));
      if (r === 0) break;
      if (r === ETIMEDOUT && fs.clearDeadHolder()) continue;
      if (r !== ETIMEDOUT) throw new IpcError('SYSTEM', `Cannot remove ${what}: pthread_mutex_clocklock failed (errno ${-r})`, { name, errno: -r });
      if (performance.now() >= deadline) return 3;
    }
    // The reference owner checks the flag only when woken on F: wait (bounded) until it waits
    // there, or the signal is lost and it never stops (the same gap as for callers).
    const gapEnd = Math.min(deadline, performance.now() + OWNER_GAP_MS);
    while (fs.fnWaiters() === 0 && performance.now() < gapEnd) {
      addon.pshMutexUnlock(fs.u8, fs.at(MUTEX));
      Atomics.wait(pause, 0, 0, 1);
      const r = addon.pshMutexLock(fs.u8, fs.at(MUTEX), Math.max(1, Math.min(deadline - performance.now(), 100)));
      if (r !== 0 && !(r === ETIMEDOUT && fs.clearDeadHolder() && addon.pshMutexLock(fs.u8, fs.at(MUTEX), 100) === 0)) return 3;
    }
    fs.activity = 0;
    addon.pshCondSignal(fs.u8, fs.at(FN_COND));
    addon.pshMutexUnlock(fs.u8, fs.at(MUTEX));
    return 1;
  } finally {
    fs.seg.unmap();
  }
}
