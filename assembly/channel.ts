import { ringCapacity, ringFootprint, ringInit } from "./ring";

// Channel: the payload of a channel segment (kinds "channel" and "function"): one server doorbell
// that every client rings, and a fixed array of client slots, each a private pair of rings.
// Spec: docs/layout.md#channel.
//
// Why slots in the server's segment rather than a segment per client: a client that dies leaves
// nothing in /dev/shm (the server reclaims its slot), a client connects with one compare-and-swap,
// and the server waits on one futex word for all of its clients (no thread per client).
//
// Payload (after the 64-byte segment header):
//
//   0               8               12              16              20              24
//   +---------------+---------------+---------------+---------------+---------------+----...64
//   | serverBell    | slotCount     | ringCapacity  | slotSize      | control (u32) | zero
//   +---------------+---------------+---------------+---------------+---------------+----...
//   64
//   | slot 0 | slot 1 | … | slot slotCount-1                          (each slotSize bytes)
//
// serverBell   Doorbell (8 bytes) rung by clients: a record arrived, space was freed in a reply
//              ring, a client left, or control changed.
// control      bit 0 STOP: someone (removeFunction) asks the server to stop; bit 1 RECLAIM: a
//              client found no free slot and asks the server to look for dead owners now; bit 2
//              HELLO: a client claimed a slot (set after the claim), so the server need not scan
//              every slot on every wake-up.
//
// Slot:
//
//   0                               8               12              16              24 ... 64
//   +-------------------------------+---------------+---------------+---------------+-----
//   | owner (u64): pid | stamp<<32  | closing (u32) | claims (u32)  | clientBell    | zero
//   +-------------------------------+---------------+---------------+---------------+-----
//   64                                 64 + ringFootprint
//   | toServer ring (client → server)  | toClient ring (server → client) |
//
// owner    0: free. A client claims a free slot with one 64-bit compare-and-swap from 0 to its
//          (pid, stamp). Only the server frees a slot: it resets both rings, then stores 0 — so a
//          new client never sees an old client's records.
// closing  set to 1 by a client that disconnects; the server then reclaims the slot. A slot whose
//          owner died is reclaimed the same way once the server notices (pid + stamp check).
// claims   how many times the slot was claimed (diagnostics).
// clientBell Doorbell the server rings for this client (records, freed space in toServer).

@final @unmanaged
class ChannelHeader {
  bellSeq: u32;
  bellSleepers: u32;
  slotCount: u32;
  ringCapacity: u32;
  slotSize: u32;
  control: u32;
  _p0: u64;
  _p1: u64;
  _p2: u64;
  _p3: u64;
  _p4: u64;
}

@final @unmanaged
class SlotHeader {
  owner: u64;
  closing: u32;
  claims: u32;
  bellSeq: u32;
  bellSleepers: u32;
  _p0: u64;
  _p1: u64;
  _p2: u64;
  _p3: u64;
  _p4: u64;
}

// @ts-ignore: decorator
@inline const CHANNEL_HEADER_SIZE: usize = offsetof<ChannelHeader>();
// @ts-ignore: decorator
@inline const SLOT_HEADER_SIZE: usize = offsetof<SlotHeader>();

export function chanHeaderSize(): usize { return CHANNEL_HEADER_SIZE; }

/** Bytes of one slot whose rings have `ringCapacity` data bytes each. */
export function chanSlotSize(ringCapacity: u32): usize {
  return SLOT_HEADER_SIZE + 2 * ringFootprint(ringCapacity);
}

/** Payload bytes of a channel with `slotCount` slots. */
export function chanPayloadSize(slotCount: u32, ringCapacity: u32): usize {
  return CHANNEL_HEADER_SIZE + <usize>slotCount * chanSlotSize(ringCapacity);
}

/** Fills a fresh (zeroed) payload. Returns -1 for a bad ring capacity. */
export function chanInit(payload: usize, slotCount: u32, ringCapacity: u32): i32 {
  const h = changetype<ChannelHeader>(payload);
  h.slotCount = slotCount;
  h.ringCapacity = ringCapacity;
  h.slotSize = <u32>chanSlotSize(ringCapacity);
  for (let i: u32 = 0; i < slotCount; i++) {
    const slot = chanSlot(payload, slotCount, ringCapacity, i);
    if (ringInit(slot + SLOT_HEADER_SIZE, ringCapacity) < 0) return -1;
    if (ringInit(slot + SLOT_HEADER_SIZE + ringFootprint(ringCapacity), ringCapacity) < 0) return -1;
  }
  return 0;
}

/**
 * Checks an opened payload of `payloadSize` bytes: the counts must describe exactly the area the
 * segment has, and every ring must say the same capacity. 0 when sound, -1 otherwise.
 */
export function chanValidate(payload: usize, payloadSize: u32, slotCount: u32, cap: u32): i32 {
  // `slotCount` and `cap` are the caller's copies, read once: those are what it will use.
  const h = changetype<ChannelHeader>(payload);
  if (<usize>payloadSize < CHANNEL_HEADER_SIZE) return -1;
  if (cap < 256 || (cap & (cap - 1)) != 0 || cap > 0x4000_0000) return -1;
  if (<usize>h.slotSize != chanSlotSize(cap)) return -1;
  if (<u64>CHANNEL_HEADER_SIZE + <u64>slotCount * <u64>chanSlotSize(cap) != <u64>payloadSize) return -1;
  for (let i: u32 = 0; i < slotCount; i++) {
    const slot = chanSlot(payload, slotCount, cap, i);
    if (ringCapacity(slot + SLOT_HEADER_SIZE) != cap) return -1;
    if (ringCapacity(slot + SLOT_HEADER_SIZE + ringFootprint(cap)) != cap) return -1;
  }
  return 0;
}

export function chanSlotCount(payload: usize): u32 { return changetype<ChannelHeader>(payload).slotCount; }
export function chanRingCapacity(payload: usize): u32 { return changetype<ChannelHeader>(payload).ringCapacity; }
/** Address of the server doorbell. */
export function chanServerBell(payload: usize): usize { return payload + offsetof<ChannelHeader>("bellSeq"); }

export function chanControl(payload: usize): u32 { return atomic.load<u32>(payload + offsetof<ChannelHeader>("control")); }
/** Sets control bits (STOP 1, RECLAIM 2); returns the previous word. */
export function chanSetControl(payload: usize, bits: u32): u32 { return atomic.or<u32>(payload + offsetof<ChannelHeader>("control"), bits); }
/** Clears control bits; returns the previous word. */
export function chanClearControl(payload: usize, bits: u32): u32 { return atomic.and<u32>(payload + offsetof<ChannelHeader>("control"), ~bits); }

/**
 * Address of slot `index`. `slotCount` and `ringCapacity` are the caller's private copies, taken
 * when chanValidate accepted the payload (the header words may have been rewritten since).
 */
export function chanSlot(payload: usize, slotCount: u32, ringCapacity: u32, index: u32): usize {
  if (index >= slotCount) unreachable();
  return payload + CHANNEL_HEADER_SIZE + <usize>index * chanSlotSize(ringCapacity);
}

export function chanSlotToServer(slot: usize): usize { return slot + SLOT_HEADER_SIZE; }
export function chanSlotToClient(slot: usize, ringCapacity: u32): usize { return slot + SLOT_HEADER_SIZE + ringFootprint(ringCapacity); }
export function chanSlotBell(slot: usize): usize { return slot + offsetof<SlotHeader>("bellSeq"); }

/** Client: claims a free slot. 0 on success, else the current owner word. */
export function chanSlotClaim(slot: usize, pid: u32, stamp: u32): u64 {
  const me = (<u64>stamp << 32) | <u64>pid;
  const was = atomic.cmpxchg<u64>(slot + offsetof<SlotHeader>("owner"), 0, me);
  if (was == 0) atomic.add<u32>(slot + offsetof<SlotHeader>("claims"), 1);
  return was;
}

export function chanSlotOwner(slot: usize): u64 { return atomic.load<u64>(slot + offsetof<SlotHeader>("owner")); }
export function chanSlotClosing(slot: usize): u32 { return atomic.load<u32>(slot + offsetof<SlotHeader>("closing")); }
/** Client: asks the server to reclaim the slot. */
export function chanSlotLeave(slot: usize): void { atomic.store<u32>(slot + offsetof<SlotHeader>("closing"), 1); }

/**
 * Server: empties a slot whose owner left or died and makes it free. The rings are reset before
 * the owner word is cleared (release), so the next client starts on empty rings.
 */
export function chanSlotFree(slot: usize, ringCapacity: u32): void {
  ringInit(slot + SLOT_HEADER_SIZE, ringCapacity);
  ringInit(slot + SLOT_HEADER_SIZE + ringFootprint(ringCapacity), ringCapacity);
  atomic.store<u32>(slot + offsetof<SlotHeader>("closing"), 0);
  atomic.store<u64>(slot + offsetof<SlotHeader>("owner"), 0);
}

// ---- ABI: constants TypeScript reads from the compiled module (docs/architecture.md, "The ABI") ----
/** Layout version of channel segments (the segment header's `version`). */
export const CHANNEL_LAYOUT_VERSION: u16 = 2;
/** Control bits: STOP (removeFunction asks the server to stop), RECLAIM (a client found every slot taken), HELLO (a client claimed a slot). */
export const CHANNEL_CONTROL_STOP: u32 = 1;
export const CHANNEL_CONTROL_RECLAIM: u32 = 2;
export const CHANNEL_CONTROL_HELLO: u32 = 4;
