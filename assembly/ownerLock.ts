// OwnerLock: a mutual-exclusion lock in shared memory that records who holds it, so that a lock
// whose holder died can be taken over instead of blocking everybody forever. Spec:
// docs/layout.md#ownerlock.
//
//   0                               8               12              16
//   +-------------------------------+---------------+---------------+
//   | owner (u64)                   | sleepers (u32)| takeovers(u32)|
//   +---------------+---------------+---------------+---------------+
//   | pid (u32)     | stamp (u32)   |
//   +---------------+---------------+
//
// owner     0 when free; else the holder's pid (low half) and the low 32 bits of its start time
//           (high half). Both halves are written by one 64-bit compare-and-swap, so there is no
//           moment at which the lock is held but the holder unknown. The pid half doubles as the
//           futex word that waiters sleep on (little-endian: it is the first 4 bytes).
// sleepers  processes asleep in FUTEX_WAIT on the pid half (see Doorbell for the protocol).
// takeovers incremented each time a waiter takes the lock over from a dead holder; the new holder
//           learns of it and must treat the protected data as possibly half-written.

@final @unmanaged
class OwnerLock {
  owner: u64;
  sleepers: u32;
  takeovers: u32;
}

// @ts-ignore: decorator
@inline const LOCK_OWNER_OFFSET: usize = offsetof<OwnerLock>("owner");
// @ts-ignore: decorator
@inline const LOCK_SLEEPERS_OFFSET: usize = offsetof<OwnerLock>("sleepers");
// @ts-ignore: decorator
@inline const LOCK_TAKEOVERS_OFFSET: usize = offsetof<OwnerLock>("takeovers");
// @ts-ignore: decorator
@inline const LOCK_SIZE: usize = offsetof<OwnerLock>();

// @ts-ignore: decorator
@inline function ownerWord(pid: u32, stamp: u32): u64 { return (<u64>stamp << 32) | <u64>pid; }

export function lockSize(): usize { return LOCK_SIZE; }
export function lockSleepersOffset(): usize { return LOCK_SLEEPERS_OFFSET; }

/** Tries to take the lock. Returns 0 when taken, else the current owner word (pid | stamp << 32). */
export function lockTryAcquire(ptr: usize, pid: u32, stamp: u32): u64 {
  return atomic.cmpxchg<u64>(ptr + LOCK_OWNER_OFFSET, 0, ownerWord(pid, stamp));
}

/**
 * Releases the lock held by (pid, stamp). Returns the number of sleepers (non-zero: wake one),
 * or -1 when the caller does not hold the lock (it was never taken, or it was taken over).
 */
export function lockRelease(ptr: usize, pid: u32, stamp: u32): i32 {
  const me = ownerWord(pid, stamp);
  if (atomic.cmpxchg<u64>(ptr + LOCK_OWNER_OFFSET, me, 0) != me) return -1;
  return <i32>atomic.load<u32>(ptr + LOCK_SLEEPERS_OFFSET);
}

/**
 * Takes the lock over from `deadOwner`, which the caller found dead. Only one of several callers
 * that found the same dead owner succeeds. Returns 1 on success, 0 when the owner word changed.
 */
export function lockTakeOver(ptr: usize, deadOwner: u64, pid: u32, stamp: u32): i32 {
  if (deadOwner == 0) return 0;
  if (atomic.cmpxchg<u64>(ptr + LOCK_OWNER_OFFSET, deadOwner, ownerWord(pid, stamp)) != deadOwner) return 0;
  atomic.add<u32>(ptr + LOCK_TAKEOVERS_OFFSET, 1);
  return 1;
}

/** The owner word, 0 when free. */
export function lockOwner(ptr: usize): u64 { return atomic.load<u64>(ptr + LOCK_OWNER_OFFSET); }

/** How many times the lock was taken over from a dead holder. */
export function lockTakeovers(ptr: usize): u32 { return atomic.load<u32>(ptr + LOCK_TAKEOVERS_OFFSET); }

/**
 * Increments the u32 counter at `counterPtr` under the lock, `count` times, spinning on contention
 * without sleeping. For the cross-process tests and benchmarks of the lock itself.
 */
export function lockedIncrementLoop(ptr: usize, counterPtr: usize, pid: u32, stamp: u32, count: i32): i32 {
  for (let i = 0; i < count; i++) {
    while (lockTryAcquire(ptr, pid, stamp) != 0) {}
    store<u32>(counterPtr, load<u32>(counterPtr) + 1);
    if (lockRelease(ptr, pid, stamp) < 0) return -1;
  }
  return 0;
}
