// A lock in shared memory that knows its holder (layout: assembly/ownerLock.ts,
// docs/layout.md#ownerlock), so a holder that dies cannot block the others: a waiter that finds
// the holder dead takes the lock over and is told so.
import { IpcError } from '../errors/IpcError.ts';
import { runtime } from '../platform/runtime.ts';
import { waitWord, waitWordAsync, wakeWord, type WaitOutcome } from '../platform/futex.ts';
import { isProcessAlive, selfIdentity } from '../platform/processIdentity.ts';

/** How acquire() got the lock. */
export interface Acquired {
  /** True when the previous holder died holding it: the data it protects may be half-written. */
  readonly tookOver: boolean;
}

// A waiter sleeps at most this long before it checks whether the holder still lives. Holders keep
// locks for microseconds, so waiting this long already suggests something is wrong.
const FIRST_CHECK_MS = 10;
const MAX_CHECK_MS = 200;

function ownerPid(owner: bigint): number {
  return Number(owner & 0xffffffffn);
}
function ownerStamp(owner: bigint): number {
  return Number((owner >> 32n) & 0xffffffffn);
}

// The state of one acquire(): deadline, how long to sleep before checking the holder's liveness,
// and whether the last sleep ran out (so the holder is suspect).
class LockWait {
  readonly deadline: number;
  owner = 0n;
  suspect = false;
  private checkMs = FIRST_CHECK_MS;

  constructor(readonly timeoutMs: number) {
    this.deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
  }

  left(): number {
    return this.deadline === Infinity ? Infinity : this.deadline - performance.now();
  }

  get slice(): number {
    return Math.min(this.checkMs, this.left());
  }

  sleptOut(outcome: WaitOutcome): void {
    this.suspect = outcome === 'timed-out';
    if (this.suspect) this.checkMs = Math.min(MAX_CHECK_MS, this.checkMs * 2);
  }
}

export class OwnerLock {
  static get size(): number {
    return runtime().core.lockSize();
  }

  private readonly sleepersPtr: number;

  /** @param ptr address of the lock in the WebAssembly memory (window base + offset) */
  constructor(readonly ptr: number, private readonly what = 'owner lock') {
    this.sleepersPtr = ptr + runtime().core.lockSleepersOffset();
  }

  /** Takes the lock if it is free; never waits. */
  tryAcquire(): boolean {
    const me = selfIdentity();
    return runtime().core.lockTryAcquire(this.ptr, me.pid, me.stamp) === 0n;
  }

  /**
   * Takes the lock, waiting up to `timeoutMs`. If the holder died, takes it over.
   * @throws {IpcError} TIMED_OUT
   */
  acquire(timeoutMs = Infinity): Acquired {
    const w = new LockWait(timeoutMs);
    for (;;) {
      const got = this.step(w);
      if (got) return got;
      if (w.owner === 0n) continue;
      w.sleptOut(waitWord(this.ptr, ownerPid(w.owner), w.slice, this.sleepersPtr));
    }
  }

  /** Like acquire(), without blocking the event loop. */
  async acquireAsync(timeoutMs = Infinity, signal?: AbortSignal): Promise<Acquired> {
    const w = new LockWait(timeoutMs);
    for (;;) {
      const got = this.step(w);
      if (got) return got;
      if (w.owner === 0n) continue;
      w.sleptOut(await waitWordAsync(this.ptr, ownerPid(w.owner), w.slice, this.sleepersPtr, signal));
    }
  }

  // One round of acquire(): the lock if it could be had, else records the holder to sleep on.
  private step(w: LockWait): Acquired | undefined {
    const got = this.attempt(w.suspect);
    if (got) return got;
    w.owner = this.owner();
    if (w.owner !== 0n && w.left() <= 0) {
      const last = this.attempt(true);
      if (last) return last;
      throw new IpcError('TIMED_OUT', `Cannot acquire the ${this.what} within ${w.timeoutMs} ms: process ${ownerPid(w.owner)} holds it`);
    }
    return undefined;
  }

  /**
   * Releases the lock and wakes one sleeper if there is one.
   * @throws {IpcError} NOT_OWNER when this process does not hold it (for example after a takeover)
   */
  release(): void {
    const me = selfIdentity();
    const sleepers = runtime().core.lockRelease(this.ptr, me.pid, me.stamp);
    if (sleepers < 0) throw new IpcError('NOT_OWNER', `Cannot release the ${this.what}: this process (pid ${me.pid}) does not hold it`);
    // Wake all: sleepers wait on the holder's pid, and a woken one that loses the race sleeps again.
    if (sleepers > 0) wakeWord(this.ptr, 0x7fffffff);
  }

  /** The holder as (pid, stamp), or undefined when free. */
  holder(): { pid: number; stamp: number } | undefined {
    const owner = this.owner();
    return owner === 0n ? undefined : { pid: ownerPid(owner), stamp: ownerStamp(owner) };
  }

  /** How often the lock was taken over from a dead holder. */
  get takeovers(): number {
    return runtime().core.lockTakeovers(this.ptr);
  }

  private owner(): bigint {
    return BigInt.asUintN(64, runtime().core.lockOwner(this.ptr));
  }

  // One try: take it if free, or, when a wait for it timed out (`suspect`), take it over if its
  // holder is dead. Liveness costs a /proc read, so it is not checked on every contended try.
  private attempt(suspect: boolean): Acquired | undefined {
    const me = selfIdentity();
    const core = runtime().core;
    const owner = BigInt.asUintN(64, core.lockTryAcquire(this.ptr, me.pid, me.stamp));
    if (owner === 0n) return { tookOver: false };
    const pid = ownerPid(owner);
    const stamp = ownerStamp(owner);
    if (pid === me.pid && stamp === me.stamp) {
      // Locks are held by processes; a second acquire from the same process would wait forever.
      throw new IpcError('NOT_OWNER', `Cannot acquire the ${this.what}: this process (pid ${me.pid}) holds it already`);
    }
    if (suspect && !isProcessAlive(pid, stamp) && core.lockTakeOver(this.ptr, BigInt.asIntN(64, owner), me.pid, me.stamp) === 1) return { tookOver: true };
    return undefined;
  }
}
