// Segment header: the first 64 bytes of every segment membridge creates. Spec: docs/layout.md#segment-header.
//
//   0               4       6       8               12              16
//   +---------------+-------+-------+---------------+---------------+
//   | magic "MBSG"  |version| kind  | state (u32)   | headerSize    |
//   +---------------+-------+-------+---------------+---------------+
//   16                              24              28              32
//   | capacity (u64)                | creator pid   | creator stamp |
//   +-------------------------------+---------------+---------------+
//   32              36              40              44              48
//   | generation    | flags         | payloadOffset | payloadSize   |
//   +---------------+---------------+---------------+---------------+
//   48                              56                              64
//   | created (u64, ms since epoch) | reaper (u64)                  |
//   +-------------------------------+-------------------------------+
//
// magic      0x4753424d ("MBSG" little-endian), written last of the header (release order): a
//            header with magic is complete, so it always names its creator. Were it written first,
//            a process taking over a stale name could read magic with creator pid 0, judge the
//            creator dead, and unlink a fresh segment while its creator goes on serving it.
// version    layout version of the kind-specific part; openers refuse other versions.
// kind       what the payload is (1 memory, 2 variable, 3 channel, 4 function, 5 dispatcher,
//            6 framebuffer, …; the table lives in src/segments/SegmentKind.ts).
// state      0 initialising, 1 ready, 2 closed. SYNC POINT: the creator fills every other field and
//            the payload, then stores 1 with release order; an opener that loads 1 (acquire) sees
//            all of it.
// capacity   bytes of the segment as created; never more than the file's size.
// creator    pid and low 32 bits of the start time of the creating process (liveness, `ls`, `reap`).
// generation which incarnation this is (a restarted server bumps it; readers compare).
// payload    [payloadOffset, payloadOffset + payloadSize) is the kind's area, inside capacity.
// reaper     0, or pid | stamp << 32 of the one process allowed to remove the name of this stale
//            segment (its creator died or closed it). Taken by compare-and-swap from 0 or from a
//            dead reaper, so two processes that find the same stale segment never both unlink the
//            name: the second unlink would remove the first one's fresh segment.

@final @unmanaged
class SegmentHeader {
  magic: u32;
  version: u16;
  kind: u16;
  state: u32;
  headerSize: u32;
  capacity: u64;
  creatorPid: u32;
  creatorStamp: u32;
  generation: u32;
  flags: u32;
  payloadOffset: u32;
  payloadSize: u32;
  created: u64;
  reaper: u64;
}

// @ts-ignore: decorator
@inline const MAGIC: u32 = 0x4753424d;
// @ts-ignore: decorator
@inline const HEADER_SIZE: u32 = <u32>offsetof<SegmentHeader>();
// @ts-ignore: decorator
@inline const STATE_READY: u32 = 1;
// @ts-ignore: decorator
@inline const STATE_CLOSED: u32 = 2;

// Results of segValidate (src/segments/Segment.ts maps them to IpcError codes).
// @ts-ignore: decorator
@inline const OK: i32 = 0;
// @ts-ignore: decorator
@inline const E_TOO_SMALL: i32 = 1;
// @ts-ignore: decorator
@inline const E_NOT_OURS: i32 = 2;
// @ts-ignore: decorator
@inline const E_NOT_READY: i32 = 3;
// @ts-ignore: decorator
@inline const E_CLOSED: i32 = 4;
// @ts-ignore: decorator
@inline const E_VERSION: i32 = 5;
// @ts-ignore: decorator
@inline const E_KIND: i32 = 6;
// @ts-ignore: decorator
@inline const E_CORRUPT: i32 = 7;

export function segHeaderSize(): u32 { return HEADER_SIZE; }

/**
 * Fills the header of a fresh (zeroed) segment; state stays "initialising" until segPublish.
 * The payload starts at the first 64-byte boundary after the header.
 */
export function segInit(ptr: usize, kind: u16, version: u16, capacity: u64, pid: u32, stamp: u32, generation: u32, payloadSize: u32, created: u64): void {
  const h = changetype<SegmentHeader>(ptr);
  h.version = version;
  h.kind = kind;
  h.headerSize = HEADER_SIZE;
  h.capacity = capacity;
  h.creatorPid = pid;
  h.creatorStamp = stamp;
  h.generation = generation;
  h.flags = 0;
  h.payloadOffset = HEADER_SIZE;
  h.payloadSize = payloadSize;
  h.created = created;
  h.reaper = 0;
  atomic.store<u32>(ptr + offsetof<SegmentHeader>("magic"), MAGIC);
}

/** SYNC POINT: makes the segment visible as ready to openers. */
export function segPublish(ptr: usize): void {
  atomic.store<u32>(ptr + offsetof<SegmentHeader>("state"), STATE_READY);
}

/** Marks the segment closed: openers fail, users see it on their next check. */
export function segClose(ptr: usize): void {
  atomic.store<u32>(ptr + offsetof<SegmentHeader>("state"), STATE_CLOSED);
}

export function segState(ptr: usize): u32 { return atomic.load<u32>(ptr + offsetof<SegmentHeader>("state")); }
export function segMagic(ptr: usize): u32 { return atomic.load<u32>(ptr + offsetof<SegmentHeader>("magic")); }
export function segVersion(ptr: usize): u32 { return changetype<SegmentHeader>(ptr).version; }
export function segKind(ptr: usize): u32 { return changetype<SegmentHeader>(ptr).kind; }
export function segCapacity(ptr: usize): u64 { return changetype<SegmentHeader>(ptr).capacity; }
export function segCreatorPid(ptr: usize): u32 { return changetype<SegmentHeader>(ptr).creatorPid; }
export function segCreatorStamp(ptr: usize): u32 { return changetype<SegmentHeader>(ptr).creatorStamp; }
export function segGeneration(ptr: usize): u32 { return changetype<SegmentHeader>(ptr).generation; }
export function segPayloadOffset(ptr: usize): u32 { return changetype<SegmentHeader>(ptr).payloadOffset; }
export function segPayloadSize(ptr: usize): u32 { return changetype<SegmentHeader>(ptr).payloadSize; }
export function segCreated(ptr: usize): u64 { return changetype<SegmentHeader>(ptr).created; }
export function segReaper(ptr: usize): u64 { return atomic.load<u64>(ptr + offsetof<SegmentHeader>("reaper")); }
/** Compare-and-swap of the reaper word; returns the value it held. */
export function segCasReaper(ptr: usize, expected: u64, replacement: u64): u64 {
  return atomic.cmpxchg<u64>(ptr + offsetof<SegmentHeader>("reaper"), expected, replacement);
}

/**
 * Checks a header against the file it came from (`fileSize` bytes are mapped at ptr) and what the
 * opener expects. kind 0 accepts any kind, version 0 any version. A header that lies (sizes past
 * the file, a payload outside capacity) is CORRUPT: no offset from it may be trusted.
 */
export function segValidate(ptr: usize, fileSize: u64, kind: u32, version: u32): i32 {
  if (fileSize < <u64>HEADER_SIZE) return E_TOO_SMALL;
  const magic = segMagic(ptr);
  if (magic == 0) return E_NOT_READY;
  if (magic != MAGIC) return E_NOT_OURS;
  const state = segState(ptr);
  if (state == 0) return E_NOT_READY;
  if (state == STATE_CLOSED) return E_CLOSED;
  if (state != STATE_READY) return E_CORRUPT;
  const h = changetype<SegmentHeader>(ptr);
  if (version != 0 && <u32>h.version != version) return E_VERSION;
  if (kind != 0 && <u32>h.kind != kind) return E_KIND;
  if (h.headerSize != HEADER_SIZE) return E_CORRUPT;
  if (h.capacity > fileSize || h.capacity < <u64>HEADER_SIZE) return E_CORRUPT;
  if (h.payloadOffset < HEADER_SIZE || (h.payloadOffset & 63) != 0) return E_CORRUPT;
  if (<u64>h.payloadOffset + <u64>h.payloadSize > h.capacity) return E_CORRUPT;
  return OK;
}

// ---- ABI: constants TypeScript reads from the compiled module (docs/architecture.md, "The ABI") ----
/** The magic every membridge segment header starts with ("MBSG" little-endian). */
export const SEGMENT_MAGIC: u32 = MAGIC;
/** Header `state` values. */
export const SEGMENT_STATE_INITIALISING: u32 = 0;
export const SEGMENT_STATE_READY: u32 = STATE_READY;
export const SEGMENT_STATE_CLOSED: u32 = STATE_CLOSED;
/** Results of segValidate. */
export const SEGMENT_VALID: i32 = OK;
export const SEGMENT_E_TOO_SMALL: i32 = E_TOO_SMALL;
export const SEGMENT_E_NOT_OURS: i32 = E_NOT_OURS;
export const SEGMENT_E_NOT_READY: i32 = E_NOT_READY;
export const SEGMENT_E_CLOSED: i32 = E_CLOSED;
export const SEGMENT_E_VERSION: i32 = E_VERSION;
export const SEGMENT_E_KIND: i32 = E_KIND;
export const SEGMENT_E_CORRUPT: i32 = E_CORRUPT;
