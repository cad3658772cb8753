// FrameBuffer: a ring arena for bulk frames with a shared allocator and per-frame generations.
// Spec: docs/layout.md#framebuffer. The segment's payload (after the 64-byte segment header) is a
// control block followed by the arena:
//
//   Control block (64 bytes, at payload offset 0)
//   0                               8               12              16
//   +-------------------------------+---------------+---------------+
//   | cursor (u64)                  | arenaSize     | arenaOffset   |
//   +---------------+---------------+---------------+---------------+
//   16              20              24                              32
//   | bell seq (u32)| bell sleepers | frames (u64)                  |
//   +---------------+---------------+-------------------------------+
//   32                              40                              64
//   | skipped (u64)                 | reserved (0)                  |
//   +-------------------------------+-------------------------------+
//
//   Frame (at arena + position % arenaSize, 64-byte aligned, never straddling the arena's end)
//   0                               8               12              16
//   +-------------------------------+---------------+---------------+
//   | seq (u64) = position | state  | size (u32)    | length (u32)  |
//   +-------------------------------+---------------+---------------+
//   16                              24              28              32
//   | hash (u64, XXH64 of the data) | writer pid    | writer stamp  |
//   +-------------------------------+---------------+---------------+
//   32                                                              64
//   | reserved (0)                                                  |
//   +---------------------------------------------------------------+
//   64 …  data (size bytes reserved, length bytes written), padding to 64
//
// cursor     the allocation position: bytes handed out since the buffer was created. It only grows
//            (64-bit compare-and-swap), so a position names one frame forever: position P lives at
//            arena offset P % arenaSize, and frame P is intact exactly while cursor <= P + arenaSize
//            (the allocation that reaches P's bytes again must end past P + arenaSize). A frame that
//            would straddle the arena's end starts at the next lap instead; the tail is "skipped".
//            Positions stay below 2^53 so that JS numbers carry them exactly.
// bell       a Doorbell (docs/layout.md#doorbell), rung whenever a frame becomes complete; readers
//            waiting for a frame that is still being written sleep on it.
// frames     frames allocated so far; skipped: bytes lost to the no-straddle rule (metrics).
// seq        the frame's position with its state in the low 6 bits (positions are multiples of
//            64): 1 allocated, 2 being written, 3 complete. Before the claim the word holds whatever
//            an older frame left there (header or data), so only "seq == P | state" means
//            anything; every other value is judged by the cursor (lapped, or still being claimed).
//            SYNC POINT: the writer stores "complete" last (sequentially consistent); a reader that
//            loads it sees length, hash and data.
// size       bytes reserved for the data; length: bytes written; hash: XXH64 (seed 0) of them.
// writer     pid and stamp of the process writing the frame, so a waiting reader can tell a dead
//            writer from a slow one.
import { xxh64 } from "./xxhash64";

@final @unmanaged
class FbControl {
  cursor: u64;
  arenaSize: u32;
  arenaOffset: u32;
  bellSeq: u32;
  bellSleepers: u32;
  frames: u64;
  skipped: u64;
  reserved0: u64;
  reserved1: u64;
  reserved2: u64;
}

@final @unmanaged
class FbFrame {
  seq: u64;
  size: u32;
  length: u32;
  hash: u64;
  writerPid: u32;
  writerStamp: u32;
  reserved0: u64;
  reserved1: u64;
  reserved2: u64;
  reserved3: u64;
}

// @ts-ignore: decorator
@inline const FB_CONTROL_SIZE: u32 = <u32>offsetof<FbControl>();
// @ts-ignore: decorator
@inline const FB_FRAME_HEADER: u32 = <u32>offsetof<FbFrame>();
// @ts-ignore: decorator
@inline const FB_ALIGN: u64 = 64;
// @ts-ignore: decorator
@inline const FB_STATE_MASK: u64 = 63;
// @ts-ignore: decorator
@inline const FB_ALLOCATED: u64 = 1;
// @ts-ignore: decorator
@inline const FB_WRITING: u64 = 2;
// @ts-ignore: decorator
@inline const FB_COMPLETE: u64 = 3;
// 2^53: the first position a JS number cannot hold exactly.
// @ts-ignore: decorator
@inline const FB_MAX_POSITION: u64 = 0x20000000000000;

// Status codes shared with src/framebuffer/FrameBufferClient.ts.
// @ts-ignore: decorator
@inline const FB_OK: i32 = 0;
// @ts-ignore: decorator
@inline const FB_OVERWRITTEN: i32 = 1;
// @ts-ignore: decorator
@inline const FB_NOT_ALLOCATED: i32 = 2;
// @ts-ignore: decorator
@inline const FB_PENDING: i32 = 3;
// @ts-ignore: decorator
@inline const FB_SIZE_MISMATCH: i32 = 4;
// @ts-ignore: decorator
@inline const FB_CHECKSUM_MISMATCH: i32 = 5;
// @ts-ignore: decorator
@inline const FB_TOO_LARGE: i32 = 6;
// @ts-ignore: decorator
@inline const FB_WRITTEN: i32 = 7;

// A word in the module's static data, private to this process.
const FENCE_WORD: usize = memory.data(8);

// @ts-ignore: decorator
@inline function control(ctl: usize): FbControl { return changetype<FbControl>(ctl); }

// @ts-ignore: decorator
// Geometry rule (docs/layout.md, "What a process trusts, and when it checks it"): every function
// below takes `arena`, the arena size the caller validated when it opened the segment
// (fbValidate), and places the arena right after the control block; the control block's own
// arenaSize and arenaOffset words are never read again. A frame's offset in the arena is its
// position modulo that size, rounded down to 64, so a header always lies inside the arena; a data
// range is checked against the arena's end before it is copied or hashed.
@inline function frameAt(ctl: usize, arena: u32, pos: u64): usize {
  return ctl + <usize>FB_CONTROL_SIZE + <usize>((pos % <u64>arena) & ~(FB_ALIGN - 1));
}
// Whether `len` data bytes of frame `pos` stay inside the arena.
@inline function dataFits(arena: u32, pos: u64, len: u64): bool {
  return ((pos % <u64>arena) & ~(FB_ALIGN - 1)) + <u64>FB_FRAME_HEADER + len <= <u64>arena;
}

// @ts-ignore: decorator
@inline function cursorOf(ctl: usize): u64 { return atomic.load<u64>(ctl + offsetof<FbControl>("cursor")); }

// @ts-ignore: decorator
@inline function intact(ctl: usize, arena: u32, pos: u64): bool {
  return cursorOf(ctl) <= pos + <u64>arena;
}

export function fbControlSize(): u32 { return FB_CONTROL_SIZE; }
export function fbFrameHeaderSize(): u32 { return FB_FRAME_HEADER; }
export function fbAlign(): u32 { return <u32>FB_ALIGN; }
export function fbBellOffset(): u32 { return <u32>offsetof<FbControl>("bellSeq"); }

/** Fills the control block of a fresh (zeroed) payload; the arena follows the control block. */
export function fbInit(ctl: usize, arenaSize: u32): void {
  const c = control(ctl);
  c.arenaSize = arenaSize;
  c.arenaOffset = FB_CONTROL_SIZE;
}

export function fbArenaSize(ctl: usize): u32 { return control(ctl).arenaSize; }

/**
 * Checks a control block read from a payload of `payloadSize` bytes: 0 when the arena it
 * describes is a non-empty multiple of 64 right after the control block and inside the payload,
 * else 1 (nothing in it may then be trusted).
 */
export function fbValidate(ctl: usize, payloadSize: f64, arena: u32): i32 {
  // `arena`: the caller's copy of arenaSize, read once; it is what the caller will use.
  const c = control(ctl);
  if (c.arenaOffset != FB_CONTROL_SIZE) return 1;
  if (arena < 2 * FB_FRAME_HEADER || (<u64>arena & (FB_ALIGN - 1)) != 0) return 1;
  if (<f64>FB_CONTROL_SIZE + <f64>arena > payloadSize) return 1;
  return 0;
}
export function fbArenaOffset(ctl: usize): u32 { return control(ctl).arenaOffset; }
export function fbCursor(ctl: usize): f64 { return <f64>cursorOf(ctl); }
export function fbFrames(ctl: usize): f64 { return <f64>atomic.load<u64>(ctl + offsetof<FbControl>("frames")); }
export function fbSkipped(ctl: usize): f64 { return <f64>atomic.load<u64>(ctl + offsetof<FbControl>("skipped")); }

/**
 * Reserves a frame for `size` data bytes. Returns its position, or -1 when it cannot fit in the
 * arena, -2 when the position space (2^53) is used up, -3 when the cursor is impossible (corrupt).
 */
export function fbAllocate(ctl: usize, arena32: u32, size: u32): f64 {
  const arena = <u64>arena32;
  const total = (<u64>FB_FRAME_HEADER + <u64>size + FB_ALIGN - 1) & ~(FB_ALIGN - 1);
  if (total > arena) return <f64>FB_ALLOCATE_TOO_LARGE;
  const cursorPtr = ctl + offsetof<FbControl>("cursor");
  let start: u64;
  let skip: u64;
  for (;;) {
    const cur = atomic.load<u64>(cursorPtr);
    // Allocations move the cursor by multiples of 64 only: anything else was written by a process
    // that does not follow the protocol.
    if ((cur & (FB_ALIGN - 1)) != 0 || cur >= FB_MAX_POSITION) return <f64>FB_ALLOCATE_CORRUPT;
    const off = cur % arena;
    skip = off + total > arena ? arena - off : 0;
    start = cur + skip;
    if (start + total >= FB_MAX_POSITION) return <f64>FB_ALLOCATE_EXHAUSTED;
    if (atomic.cmpxchg<u64>(cursorPtr, cur, start + total) == cur) break;
  }
  atomic.add<u64>(ctl + offsetof<FbControl>("frames"), 1);
  if (skip) atomic.add<u64>(ctl + offsetof<FbControl>("skipped"), skip);
  // Claim the header. It holds whatever bytes an older frame left there (data, not necessarily a
  // header), so only the cursor can say whether the claim is still ours to make: an allocator that
  // stalled here while the ring lapped its frame must not overwrite a newer frame's claim.
  const f = frameAt(ctl, arena32, start);
  for (;;) {
    const seen = atomic.load<u64>(f);
    if (!intact(ctl, arena32, start)) return <f64>start;
    if (atomic.cmpxchg<u64>(f, seen, start | FB_ALLOCATED) == seen) break;
  }
  const h = changetype<FbFrame>(f);
  h.size = size;
  h.length = 0;
  h.hash = 0;
  h.writerPid = 0;
  h.writerStamp = 0;
  return <f64>start;
}

/** Moves frame `pos` from allocated to being written by (pid, stamp), for `len` bytes. */
export function fbBeginWrite(ctl: usize, arena: u32, pos: f64, len: u32, pid: u32, stamp: u32): i32 {
  const p = <u64>pos;
  if ((p & (FB_ALIGN - 1)) != 0 || p >= cursorOf(ctl)) return FB_NOT_ALLOCATED;
  if (!intact(ctl, arena, p)) return FB_OVERWRITTEN;
  if (!dataFits(arena, p, <u64>len)) return FB_TOO_LARGE;
  const f = frameAt(ctl, arena, p);
  // Once claimed, the header holds p | state until the ring laps the frame; anything else means
  // lapped, or an allocation still claiming it (which hands out p only afterwards).
  if ((atomic.load<u64>(f) & ~FB_STATE_MASK) != p) return intact(ctl, arena, p) ? FB_NOT_ALLOCATED : FB_OVERWRITTEN;
  const h = changetype<FbFrame>(f);
  if (len > h.size) return FB_TOO_LARGE;
  if (atomic.cmpxchg<u64>(f, p | FB_ALLOCATED, p | FB_WRITING) != (p | FB_ALLOCATED)) {
    return (atomic.load<u64>(f) & ~FB_STATE_MASK) != p || !intact(ctl, arena, p) ? FB_OVERWRITTEN : FB_WRITTEN;
  }
  h.writerPid = pid;
  h.writerStamp = stamp;
  return FB_OK;
}

// High half of the hash of the last frame completed by fbEndWrite, for fbLastHashHi().
let lastHashHi: u32 = 0;

/**
 * Completes frame `pos` after its `len` data bytes were copied in: hashes them, publishes length
 * and hash, then the "complete" state. Returns the hash's low 32 bits (fbLastHashHi: the rest).
 */
export function fbEndWrite(ctl: usize, arena: u32, pos: f64, len: u32): u32 {
  const p = <u64>pos;
  if (!dataFits(arena, p, <u64>len)) return 0; // fbBeginWrite refused it already
  const f = frameAt(ctl, arena, p);
  const hash = xxh64(f + <usize>FB_FRAME_HEADER, <usize>len, 0);
  const h = changetype<FbFrame>(f);
  // A lapping allocator may have claimed the header meanwhile: leave its fields alone.
  if (atomic.load<u64>(f) == (p | FB_WRITING)) {
    h.length = len;
    h.hash = hash;
  }
  // SYNC POINT: only if the frame is still ours (a lapping allocator may have claimed it).
  atomic.cmpxchg<u64>(f, p | FB_WRITING, p | FB_COMPLETE);
  lastHashHi = <u32>(hash >> 32);
  return <u32>hash;
}

export function fbLastHashHi(): u32 { return lastHashHi; }

/** 1 while frame `pos` cannot have been overwritten (the allocator has not lapped it), else 0. */
export function fbIntact(ctl: usize, arena: u32, pos: f64): i32 { return intact(ctl, arena, <u64>pos) ? 1 : 0; }

/**
 * Checks frame `pos` before a read of `size` bytes expected to hash to (hashHi, hashLo):
 * 0 ready, 1 overwritten, 2 not allocated yet, 3 still being written (or only allocated),
 * 4 size differs from what was written, 5 checksum differs.
 */
export function fbReadBegin(ctl: usize, arena: u32, pos: f64, size: u32, hashHi: u32, hashLo: u32): i32 {
  const p = <u64>pos;
  if ((p & (FB_ALIGN - 1)) != 0 || p >= cursorOf(ctl)) return FB_NOT_ALLOCATED;
  if (!intact(ctl, arena, p)) return FB_OVERWRITTEN;
  if (!dataFits(arena, p, <u64>size)) return FB_SIZE_MISMATCH;
  const f = frameAt(ctl, arena, p);
  const seq = atomic.load<u64>(f);
  if ((seq & ~FB_STATE_MASK) != p) return intact(ctl, arena, p) ? FB_PENDING : FB_OVERWRITTEN;
  if ((seq & FB_STATE_MASK) != FB_COMPLETE) return FB_PENDING;
  const h = changetype<FbFrame>(f);
  if (h.length != size) return FB_SIZE_MISMATCH;
  if (h.hash != ((<u64>hashHi << 32) | <u64>hashLo)) return FB_CHECKSUM_MISMATCH;
  return FB_OK;
}

/**
 * After copying frame `pos` out: 0 when the copy is good (the frame was neither lapped nor
 * rewritten meanwhile), 1 when it was overwritten.
 */
export function fbReadEnd(ctl: usize, arena: u32, pos: f64): i32 {
  // Seqlock rule: the data loads of the copy must complete before the generation is re-read. An
  // atomic read-modify-write on a private word is a full barrier on every engine (atomic.fence
  // does not pass this Binaryen's validator).
  atomic.add<u32>(FENCE_WORD, 0);
  const p = <u64>pos;
  if (atomic.load<u64>(frameAt(ctl, arena, p)) != (p | FB_COMPLETE)) return FB_OVERWRITTEN;
  return intact(ctl, arena, p) ? FB_OK : FB_OVERWRITTEN;
}

/** Offset of frame `pos`'s data from the control block. */
export function fbDataOffset(ctl: usize, arena: u32, pos: f64): u32 {
  return <u32>(frameAt(ctl, arena, <u64>pos) - ctl) + FB_FRAME_HEADER;
}

/** Frame `pos`'s state word (position | state), for diagnostics. */
export function fbFrameSeq(ctl: usize, arena: u32, pos: f64): f64 { return <f64>atomic.load<u64>(frameAt(ctl, arena, <u64>pos)); }
export function fbFrameLength(ctl: usize, arena: u32, pos: f64): u32 { return changetype<FbFrame>(frameAt(ctl, arena, <u64>pos)).length; }
export function fbFrameSize(ctl: usize, arena: u32, pos: f64): u32 { return changetype<FbFrame>(frameAt(ctl, arena, <u64>pos)).size; }
export function fbFrameWriterPid(ctl: usize, arena: u32, pos: f64): u32 { return changetype<FbFrame>(frameAt(ctl, arena, <u64>pos)).writerPid; }
export function fbFrameWriterStamp(ctl: usize, arena: u32, pos: f64): u32 { return changetype<FbFrame>(frameAt(ctl, arena, <u64>pos)).writerStamp; }

// ---- ABI: constants TypeScript reads from the compiled module (docs/architecture.md, "The ABI") ----
/** Layout version of frame-buffer segments. */
export const FRAMEBUFFER_LAYOUT_VERSION: u16 = 1;
/** Frame status codes. */
export const FB_STATUS_OK: i32 = FB_OK;
export const FB_STATUS_OVERWRITTEN: i32 = FB_OVERWRITTEN;
export const FB_STATUS_NOT_ALLOCATED: i32 = FB_NOT_ALLOCATED;
export const FB_STATUS_PENDING: i32 = FB_PENDING;
export const FB_STATUS_SIZE_MISMATCH: i32 = FB_SIZE_MISMATCH;
export const FB_STATUS_CHECKSUM_MISMATCH: i32 = FB_CHECKSUM_MISMATCH;
export const FB_STATUS_TOO_LARGE: i32 = FB_TOO_LARGE;
export const FB_STATUS_WRITTEN: i32 = FB_WRITTEN;
/** fbAllocate failures: the frame is larger than the arena, the position space is used up, the cursor is impossible. */
export const FB_ALLOCATE_TOO_LARGE: i32 = -1;
export const FB_ALLOCATE_EXHAUSTED: i32 = -2;
export const FB_ALLOCATE_CORRUPT: i32 = -3;
