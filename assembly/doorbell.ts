// Doorbell: a futex word with a count of sleepers, so that ringing costs a system call only when
// somebody sleeps. Spec: docs/layout.md#doorbell.
//
//   0               4               8
//   +---------------+---------------+
//   | seq (u32)     | sleepers (u32)|
//   +---------------+---------------+
//
// seq     incremented (wrapping) by every ring; a waiter sleeps on "seq still equals what I saw".
// sleepers incremented by a waiter just before FUTEX_WAIT and decremented after it (done by the
//         native waiter, after its spin), so a ringer that sees 0 may skip FUTEX_WAKE.
// Ringer: atomic add on seq, then load sleepers (both sequentially consistent). Waiter: add to
// sleepers, then the kernel compares seq. One of the two always sees the other's write.

@final @unmanaged
class Doorbell {
  seq: u32;
  sleepers: u32;
}

// @ts-ignore: decorator
@inline const DOORBELL_SEQ_OFFSET: usize = offsetof<Doorbell>("seq");
// @ts-ignore: decorator
@inline const DOORBELL_SLEEPERS_OFFSET: usize = offsetof<Doorbell>("sleepers");
// @ts-ignore: decorator
@inline const DOORBELL_SIZE: usize = offsetof<Doorbell>();

export function doorbellSize(): usize { return DOORBELL_SIZE; }
export function doorbellSleepersOffset(): usize { return DOORBELL_SLEEPERS_OFFSET; }

/** Current sequence number of the doorbell at `ptr`. */
export function doorbellSeq(ptr: usize): u32 {
  return atomic.load<u32>(ptr + DOORBELL_SEQ_OFFSET);
}

/** Rings: advances seq and returns the number of sleepers (non-zero means: call FUTEX_WAKE). */
export function doorbellRing(ptr: usize): u32 {
  atomic.add<u32>(ptr + DOORBELL_SEQ_OFFSET, 1);
  return atomic.load<u32>(ptr + DOORBELL_SLEEPERS_OFFSET);
}
