// Value slots: a "latest value" cell with N slots, each guarded by its own sequence word (a
// seqlock), so that readers write nothing to shared memory and never wait for a writer, and a
// writer killed at any instruction leaves at most one slot behind, which the next writer that
// needs it takes over. Spec: docs/layout.md#value-slots.
//
// Area header (64 bytes), at the start of the area (the segment payload):
//
//   0                               8                               16
//   +-------------------------------+-------------------------------+
//   | published (u64)               | lastVersion (u64)             |
//   +-------------------------------+-------------------------------+
//   16              20              24              28              32
//   | bell seq      | bell sleepers | slotCount     | slotSize      |
//   +---------------+---------------+---------------+---------------+
//   32              36                                              64
//   | slotStride    | reserved (0)                                  |
//   +---------------+-----------------------------------------------+
//   64: slotCount descriptors of 32 bytes, then at dataOffset (64-aligned) slotCount data areas of
//   slotStride bytes (slotSize rounded up to 64).
//
// published   (version << 8) | (frozen << 7) | slot. Version 0: nothing was ever written. One
//             64-bit store names the newest complete value and its version together.
//             "frozen" (bit 7): the area is retired (a larger generation replaces it, see
//             src/values/SharedMemory.ts); no writer may publish here any more.
// lastVersion the highest version handed out; writers take theirs with one atomic add.
// bell        a Doorbell (assembly/doorbell.ts) rung after every publish.
//
// Slot descriptor (32 bytes):
//
//   0               4               8                               16
//   +---------------+---------------+-------------------------------+
//   | seq (u32)     | length (u32)  | owner (u64): pid | stamp << 32|
//   +---------------+---------------+-------------------------------+
//   16                              24                              32
//   | version (u64)                 | reserved (0)                  |
//   +-------------------------------+-------------------------------+
//
// seq      odd while a writer fills the slot, even when its content is complete. A writer that
//          claims a slot moves seq to the next odd number (so a slot left odd by a dead writer
//          still changes), and to the following even number when done.
// owner    the writer holding the slot (0: free). Claimed and released by compare-and-swap; a
//          holder found dead is replaced by compare-and-swap from its exact owner word.
// version  the version the slot's content was written as.
//
// Writer: encode first (outside shared memory); claim a free slot that is not the published one,
// preferring the oldest content (readers of the previous value then have the longest time to
// finish); re-check that it did not become the published slot between the choice and the claim;
// seq odd, take a version, copy, seq even; publish with a compare-and-swap loop that only moves to
// a higher version (a concurrent writer with a newer version wins; the loser is told); release
// the slot; ring.
// Reader: load published; load the slot's seq (must be even) and version (must match); copy the
// bytes out; load seq again: unchanged means the copy is exactly that version, else retry.
// The published slot is never claimed, so a reader of the newest value retries only when two or
// more newer values were published during its copy.

@final @unmanaged
class ValueArea {
  published: u64;
  lastVersion: u64;
  bellSeq: u32;
  bellSleepers: u32;
  slotCount: u32;
  slotSize: u32;
  slotStride: u32;
  reserved0: u32;
  reserved1: u64;
  reserved2: u64;
  reserved3: u64;
}

@final @unmanaged
class SlotDescriptor {
  seq: u32;
  length: u32;
  owner: u64;
  version: u64;
  reserved: u64;
}

// @ts-ignore: decorator
@inline const AREA_HEADER: usize = offsetof<ValueArea>();
// @ts-ignore: decorator
@inline const DESC_SIZE: usize = offsetof<SlotDescriptor>();
// @ts-ignore: decorator
@inline const PUBLISHED: usize = offsetof<ValueArea>("published");
// @ts-ignore: decorator
@inline const LAST_VERSION: usize = offsetof<ValueArea>("lastVersion");
// @ts-ignore: decorator
@inline const BELL: usize = offsetof<ValueArea>("bellSeq");
// @ts-ignore: decorator
@inline const SEQ: usize = offsetof<SlotDescriptor>("seq");
// @ts-ignore: decorator
@inline const OWNER: usize = offsetof<SlotDescriptor>("owner");
// @ts-ignore: decorator
@inline const VERSION: usize = offsetof<SlotDescriptor>("version");
// @ts-ignore: decorator
@inline const SLOT_MASK: u64 = 0x7f;
// @ts-ignore: decorator
@inline const FROZEN: u64 = 0x80;
// @ts-ignore: decorator
@inline const MAX_SLOTS: u32 = 127;
// @ts-ignore: decorator
@inline const ALIGN: u32 = 64;

// Results shared with src/values/ValueSlots.ts.
// @ts-ignore: decorator
@inline const NO_FREE_SLOT: i32 = -1;
// @ts-ignore: decorator
@inline const IS_FROZEN: i32 = -2;
// @ts-ignore: decorator
@inline const RETRY: i32 = -3;
// @ts-ignore: decorator
@inline const NOT_OWNER: i32 = -4;
// @ts-ignore: decorator
@inline const EMPTY: i32 = -5;
// @ts-ignore: decorator
@inline const TOO_LONG: i32 = -6;
// @ts-ignore: decorator
@inline const LIE: i32 = -7;

// What the last successful valReadBegin saw (the module is single-threaded per instance).
let readSeq: u32 = 0;
let readLength: u32 = 0;
let readVersion: u64 = 0;

// @ts-ignore: decorator
@inline function desc(area: usize, slot: u32): usize { return area + AREA_HEADER + <usize>slot * DESC_SIZE; }
// @ts-ignore: decorator
@inline function ownerWord(pid: u32, stamp: u32): u64 { return (<u64>stamp << 32) | <u64>pid; }
// @ts-ignore: decorator
@inline function dataOffset(slots: u32): usize {
  return (AREA_HEADER + <usize>slots * DESC_SIZE + <usize>(ALIGN - 1)) & ~<usize>(ALIGN - 1);
}

// @ts-ignore: decorator
@inline function strideOf(slotSize: u32): usize { return (<usize>slotSize + <usize>(ALIGN - 1)) & ~<usize>(ALIGN - 1); }

export function valAreaHeaderSize(): u32 { return <u32>AREA_HEADER; }
export function valDescriptorSize(): u32 { return <u32>DESC_SIZE; }
export function valMaxSlots(): u32 { return MAX_SLOTS; }
export function valBellOffset(): u32 { return <u32>BELL; }

/** Bytes an area of `slots` slots of `slotSize` bytes needs (f64: it may exceed 32 bits). */
export function valAreaSize(slots: u32, slotSize: u32): f64 {
  const stride = (<u64>slotSize + <u64>(ALIGN - 1)) & ~<u64>(ALIGN - 1);
  return <f64>(<u64>dataOffset(slots) + <u64>slots * stride);
}

/** Lays out a zeroed area. The caller publishes the segment afterwards. */
export function valInit(area: usize, slots: u32, slotSize: u32): void {
  const a = changetype<ValueArea>(area);
  a.slotCount = slots;
  a.slotSize = slotSize;
  a.slotStride = (slotSize + (ALIGN - 1)) & ~(ALIGN - 1);
}

/**
 * Checks an area read from a segment of `payloadSize` bytes: 0 when its geometry fits, 1 when it
 * lies (then nothing in it may be trusted as an offset).
 */
export function valValidate(area: usize, payloadSize: f64, slots: u32, slotSize: u32): i32 {
  // `slots` and `slotSize` are the caller's copies of slotCount and slotSize, read once: those are
  // what it will use, so those are what must fit (the words may change after this check).
  const a = changetype<ValueArea>(area);
  // One slot could never be rewritten (the published slot is never claimed).
  if (slots < 2 || slots > MAX_SLOTS) return 1;
  if (slotSize > 0x7fff_0000 || <usize>a.slotStride != strideOf(slotSize)) return 1;
  if (valAreaSize(slots, slotSize) > payloadSize) return 1;
  if ((atomic.load<u64>(area + PUBLISHED) & SLOT_MASK) >= <u64>slots) return 1;
  return 0;
}

export function valSlotCount(area: usize): u32 { return changetype<ValueArea>(area).slotCount; }
export function valSlotSize(area: usize): u32 { return changetype<ValueArea>(area).slotSize; }

// Geometry rule (docs/layout.md, "What a process trusts, and when it checks it"): every function
// below that turns a slot index into an address takes the slot count and slot size the caller
// copied to private memory when valValidate accepted the area, never the words in the area, which
// any process mapping the segment can rewrite at any time. An index read from shared memory (the
// published slot) is range-checked against that private count before it is used.


/** Address of slot `slot`'s data (`slots`, `slotSize`: the private geometry; `slot` < `slots`). */
export function valSlotData(area: usize, slots: u32, slotSize: u32, slot: u32): usize {
  if (slot >= slots) unreachable();
  return area + dataOffset(slots) + <usize>slot * strideOf(slotSize);
}

/** Version of the newest published value (0: none yet). */
export function valVersion(area: usize): f64 { return <f64>(atomic.load<u64>(area + PUBLISHED) >> 8); }
/** Whether the area was retired by valFreeze. */
export function valIsFrozen(area: usize): bool { return (atomic.load<u64>(area + PUBLISHED) & FROZEN) != 0; }
/** The owner word of a slot (0: free), for liveness checks of writers that hold slots. */
export function valSlotOwner(area: usize, slots: u32, slot: u32): u64 { return slot < slots ? atomic.load<u64>(desc(area, slot) + OWNER) : 0; }
/** A slot's sequence word (odd: a write in progress or abandoned). */
export function valSlotSeq(area: usize, slots: u32, slot: u32): u32 { return slot < slots ? atomic.load<u32>(desc(area, slot) + SEQ) : 0; }

// Takes a claimed slot into the "being written" state with a fresh version.
function startWrite(area: usize, slot: u32): void {
  const d = desc(area, slot);
  const seq = atomic.load<u32>(d + SEQ);
  atomic.store<u32>(d + SEQ, (seq + 1) | 1);
  const version = atomic.add<u64>(area + LAST_VERSION, 1) + 1;
  atomic.store<u64>(d + VERSION, version);
}

/**
 * Claims a slot for writing. Returns its index, NO_FREE_SLOT when every other slot is held by a
 * writer (the caller checks whether the holders live, see valTakeOver), or IS_FROZEN.
 */
export function valClaim(area: usize, slots: u32, pid: u32, stamp: u32): i32 {
  const me = ownerWord(pid, stamp);
  for (let attempt = 0; attempt < 4; attempt++) {
    const pub = atomic.load<u64>(area + PUBLISHED);
    if ((pub & FROZEN) != 0) return IS_FROZEN;
    const current = <u32>(pub & SLOT_MASK);
    // The free slot holding the oldest content.
    let best: i32 = -1;
    let bestVersion: u64 = 0;
    for (let i: u32 = 0; i < slots; i++) {
      if (i == current && (pub >> 8) != 0) continue;
      const d = desc(area, i);
      if (atomic.load<u64>(d + OWNER) != 0) continue;
      const v = atomic.load<u64>(d + VERSION);
      if (best < 0 || v < bestVersion) {
        best = <i32>i;
        bestVersion = v;
      }
    }
    if (best < 0) return NO_FREE_SLOT;
    const d = desc(area, <u32>best);
    if (atomic.cmpxchg<u64>(d + OWNER, 0, me) != 0) continue;
    // Between the choice and the claim another writer may have published this very slot (it
    // claimed, filled, published and released it): never overwrite the newest value.
    const now = atomic.load<u64>(area + PUBLISHED);
    if (<u32>(now & SLOT_MASK) == <u32>best && (now >> 8) != 0) {
      atomic.store<u64>(d + OWNER, 0);
      continue;
    }
    startWrite(area, <u32>best);
    return best;
  }
  return NO_FREE_SLOT;
}

/**
 * Takes slot `slot` over from `deadOwner`, a writer the caller found dead. Returns 1 when it is
 * now ours (in the "being written" state), 0 when its owner word changed meanwhile or it is the
 * published slot (a writer that died after publishing but before releasing: it keeps the newest
 * value, so it is left alone until a newer value is published).
 */
export function valTakeOver(area: usize, slots: u32, slot: u32, deadOwner: u64, pid: u32, stamp: u32): i32 {
  if (deadOwner == 0 || slot >= slots) return 0;
  const d = desc(area, slot);
  if (atomic.cmpxchg<u64>(d + OWNER, deadOwner, ownerWord(pid, stamp)) != deadOwner) return 0;
  const now = atomic.load<u64>(area + PUBLISHED);
  if (<u32>(now & SLOT_MASK) == slot && (now >> 8) != 0) {
    // Stays claimed by us only for this check; hand it back as free: nobody else owns it.
    atomic.store<u64>(d + OWNER, 0);
    return 0;
  }
  startWrite(area, slot);
  return 1;
}

/**
 * Completes a write of `length` bytes into a claimed slot and publishes it. Returns 1 when
 * published, 0 when a newer version was published first (this value is then superseded and
 * never visible), IS_FROZEN when the area was retired meanwhile (write again in the successor),
 * NOT_OWNER when the slot was taken from us.
 */
export function valCommit(area: usize, slots: u32, slot: u32, length: u32, pid: u32, stamp: u32): i32 {
  if (slot >= slots) return NOT_OWNER;
  const d = desc(area, slot);
  const me = ownerWord(pid, stamp);
  if (atomic.load<u64>(d + OWNER) != me) return NOT_OWNER;
  store<u32>(d + offsetof<SlotDescriptor>("length"), length);
  const version = atomic.load<u64>(d + VERSION);
  // SYNC POINT: the content is complete once seq is even.
  atomic.store<u32>(d + SEQ, atomic.load<u32>(d + SEQ) + 1);
  let result: i32 = 1;
  for (;;) {
    const pub = atomic.load<u64>(area + PUBLISHED);
    if ((pub & FROZEN) != 0) { result = IS_FROZEN; break; }
    if ((pub >> 8) >= version) { result = 0; break; }
    // SYNC POINT: one store names the value and its version for every reader.
    if (atomic.cmpxchg<u64>(area + PUBLISHED, pub, (version << 8) | <u64>slot) == pub) break;
  }
  atomic.cmpxchg<u64>(d + OWNER, me, 0);
  return result;
}

/** Gives a claimed slot back without publishing (the caller failed between claim and commit). */
export function valAbandon(area: usize, slots: u32, slot: u32, pid: u32, stamp: u32): void {
  if (slot >= slots) return;
  const d = desc(area, slot);
  const me = ownerWord(pid, stamp);
  if (atomic.load<u64>(d + OWNER) != me) return;
  atomic.store<u32>(d + SEQ, atomic.load<u32>(d + SEQ) + 1);
  atomic.cmpxchg<u64>(d + OWNER, me, 0);
}

/** The version a claimed slot is being written as. */
export function valSlotVersion(area: usize, slots: u32, slot: u32): f64 {
  if (slot >= slots) return 0;
  return <f64>atomic.load<u64>(desc(area, slot) + VERSION); }

/**
 * First half of a read: returns the published slot (its length and version then come from
 * valReadLength / valReadVersion), EMPTY when nothing was written, RETRY when the slot is being
 * rewritten, LIE (-7) when the published slot or the length of a complete slot is impossible
 * for the private geometry (`slots`, `slotSize`): the area was written by something that does not
 * follow the protocol. Writes nothing to shared memory.
 */
export function valReadBegin(area: usize, slots: u32, slotSize: u32): i32 {
  const pub = atomic.load<u64>(area + PUBLISHED);
  const version = pub >> 8;
  if (version == 0) return EMPTY;
  const slot = <u32>(pub & SLOT_MASK);
  if (slot >= slots) return LIE;
  const d = desc(area, slot);
  const seq = atomic.load<u32>(d + SEQ);
  if ((seq & 1) != 0) return RETRY;
  if (atomic.load<u64>(d + VERSION) != version) return RETRY;
  const length = atomic.load<u32>(d + offsetof<SlotDescriptor>("length"));
  // Protocol writers store only lengths up to slotSize, so this is a lie, not a race.
  if (length > slotSize) return LIE;
  readSeq = seq;
  readLength = length;
  readVersion = version;
  return <i32>slot;
}

export function valReadLength(): u32 { return readLength; }
export function valReadVersion(): f64 { return <f64>readVersion; }

/** Second half of a read, after copying: 1 when the copy is exactly the version begun, else 0. */
export function valReadEnd(area: usize, slots: u32, slot: u32): i32 {
  if (slot >= slots) return 0;
  return atomic.load<u32>(desc(area, slot) + SEQ) == readSeq ? 1 : 0;
}

/**
 * Retires the area: no writer publishes here afterwards (their commits return IS_FROZEN).
 * Returns the version of the value it ends with.
 */
export function valFreeze(area: usize): f64 {
  for (;;) {
    const pub = atomic.load<u64>(area + PUBLISHED);
    if ((pub & FROZEN) != 0) return <f64>(pub >> 8);
    if (atomic.cmpxchg<u64>(area + PUBLISHED, pub, pub | FROZEN) == pub) return <f64>(pub >> 8);
  }
  return 0; // unreachable
}

/**
 * Seeds a fresh area `dst` (not yet published) with the newest value of the frozen area `src`,
 * same version, so that readers following the move never see an older or missing value. Returns
 * 1 when copied, 0 when `src` is empty, RETRY when its slot changed during the copy, -6 when the
 * value does not fit, LIE when `src` is corrupt. Both geometries are the callers' private copies.
 */
export function valSeedFrom(dst: usize, dstSlots: u32, dstSlotSize: u32, src: usize, srcSlots: u32, srcSlotSize: u32): i32 {
  const slot = valReadBegin(src, srcSlots, srcSlotSize);
  if (slot == EMPTY) return 0;
  if (slot == LIE) return LIE;
  if (slot < 0) return RETRY;
  const length = readLength;
  if (length > dstSlotSize) return TOO_LONG;
  memory.copy(valSlotData(dst, dstSlots, dstSlotSize, 0), valSlotData(src, srcSlots, srcSlotSize, <u32>slot), length);
  if (valReadEnd(src, srcSlots, <u32>slot) == 0) return RETRY;
  const d = desc(dst, 0);
  store<u32>(d + offsetof<SlotDescriptor>("length"), length);
  store<u64>(d + VERSION, readVersion);
  store<u32>(d + SEQ, 2);
  atomic.store<u64>(dst + LAST_VERSION, readVersion);
  atomic.store<u64>(dst + PUBLISHED, readVersion << 8);
  return 1;
}

// ---- ABI: constants TypeScript reads from the compiled module (docs/architecture.md, "The ABI") ----
/** Results of the slot functions (negative: no slot index). */
export const VALUE_NO_FREE_SLOT: i32 = NO_FREE_SLOT;
export const VALUE_IS_FROZEN: i32 = IS_FROZEN;
export const VALUE_RETRY: i32 = RETRY;
export const VALUE_NOT_OWNER: i32 = NOT_OWNER;
export const VALUE_EMPTY: i32 = EMPTY;
export const VALUE_TOO_LONG: i32 = TOO_LONG;
export const VALUE_LIE: i32 = LIE;
/** Most slots a value area can have. */
export const VALUE_MAX_SLOTS: u32 = MAX_SLOTS;
/** Layout version of shared-variable segments (a value area as the payload). */
export const VARIABLE_LAYOUT_VERSION: u16 = 1;
/** Layout version of a named memory's data segments (a value area as the payload). */
export const MEMORY_DATA_LAYOUT_VERSION: u16 = 1;
