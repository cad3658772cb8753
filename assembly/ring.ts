// Ring: a bounded single-producer single-consumer queue of variable-length records in shared
// memory. Spec: docs/layout.md#ring.
//
// Why SPSC: every channel slot (ChannelSlot) owns two rings (one per direction), so each ring has exactly
// one writer and one reader and needs no lock and no compare-and-swap: a crashed peer can never
// leave a ring locked, and a record costs two plain stores plus one release store of `tail`.
// Many clients per server come from many connections, not from many producers on one ring.
//
//   0                               8                               16
//   +-------------------------------+-------------------------------+
//   | tail (u64)                    | next (u64)                    |   producer's line
//   +---------------+---------------+-------------------------------+
//   16              20              24                              32
//   | capacity (u32)| (zero)        | headSeen (u64)                |
//   +---------------+---------------+-------------------------------+
//   32                                                              64
//   | (zero)                                                        |
//   +---------------+---------------+-------------------------------+
//   64                              72              80              84
//   | head (u64)                    | tailSeen (u64)| capacityC(u32)|   consumer's line
//   +-------------------------------+---------------+---------------+
//   84                                                             128
//   | (zero)                                                        |
//   +---------------+-----------------------------------------------+
//   128             132                                            192
//   | wantSpace(u32)| (zero)                                        |   rarely written line
//   +---------------+-----------------------------------------------+
//   192                                                   192 + capacity
//   | data: records, wrapping at capacity                           |
//   +---------------------------------------------------------------+
//
// tail      bytes ever published (monotonic, never wraps in practice: 2^64). Release store by the
//           producer after the records are written; the consumer loads it with acquire order.
// next      bytes ever reserved by the producer (only the producer reads it); tail catches up on
//           commit, so several records can be published with one store.
// capacity  data bytes, a power of two >= 256 (positions are `counter & (capacity - 1)`).
// headSeen  the producer's last load of head. Only the producer uses it: reserve trusts it while
//           it shows room and loads head only when it does not, so the producer does not pull the
//           consumer's line into its cache for every record (bench/messaging: a third of the cost
//           of a 16-byte notification was that load).
// head      bytes ever consumed. Written only by the consumer.
// tailSeen  the consumer's last load of tail, its counterpart of headSeen.
// capacityC the consumer's copy of capacity, on the consumer's line for the same reason.
// wantSpace set to 1 by a producer about to sleep because the ring is full; the consumer that frees
//           space swaps it to 0 and rings the producer's doorbell. On a line of its own: the
//           consumer reads it after every record, and it is written only when the ring fills.
// free      capacity - (next - head).
//
// headSeen <= head and tailSeen <= tail always (both only grow), so a stale copy can only make a
// side see less room or fewer records than there are, and then it loads the real value: a process
// that takes over an end of the ring needs no reset.
//
// A record (16-byte aligned, so a wrap marker always fits before the end):
//
//   0               4       6       8                               16
//   +---------------+-------+-------+-------------------------------+
//   | length (u32)  | type  | flags | id (u64)                      |
//   +---------------+-------+-------+-------------------------------+
//   16                                          16 + length, padded to 16
//   | payload                                                       |
//   +---------------------------------------------------------------+
//
// length payload bytes. type: 1 request, 2 reply, 3 error reply, 4 notification, 0xffff wrap
//        marker (the rest of the data area up to its end is unused; continue at position 0).
// flags  bit 0 FIRST, bit 1 LAST: a message larger than a chunk (capacity / 2 - 16) is cut into
//        chunks FIRST, (none)…, LAST; a whole message carries FIRST|LAST. A FIRST that arrives while
//        a message is half-assembled means the producer gave up on that one (timeout): discard it.
//        bit 2 RAW: the payload is raw bytes (a Uint8Array value), not a pybytes message.
// id     correlation id of a request and its reply, or the sender's message number.

@final @unmanaged
class RingHeader {
  tail: u64;
  next: u64;
  capacity: u32;
  _p0: u32;
  headSeen: u64;
  _p1: u64;
  _p2: u64;
  _p3: u64;
  _p4: u64;
  head: u64;
  tailSeen: u64;
  capacityC: u32;
  _c0: u32;
  _c1: u64;
  _c2: u64;
  _c3: u64;
  _c4: u64;
  _c5: u64;
  wantSpace: u32;
  _w0: u32;
  _w1: u64;
  _w2: u64;
  _w3: u64;
  _w4: u64;
  _w5: u64;
  _w6: u64;
  _w7: u64;
}

@final @unmanaged
class RecordHeader {
  length: u32;
  type: u16;
  flags: u16;
  id: u64;
}

// @ts-ignore: decorator
@inline const RING_HEADER_SIZE: usize = offsetof<RingHeader>();
// @ts-ignore: decorator
@inline const RECORD_HEADER_SIZE: usize = offsetof<RecordHeader>();
// @ts-ignore: decorator
@inline const TYPE_WRAP: u16 = 0xffff;
// @ts-ignore: decorator
@inline const RECORD_ALIGN_MASK: u64 = 15;
// Returned by ringPeek for a record that cannot be right (the ring's memory is untrusted).
// @ts-ignore: decorator
@inline const PEEK_CORRUPT: usize = 1;

// @ts-ignore: decorator
@inline function recordSize(length: u32): u64 {
  return (<u64>RECORD_HEADER_SIZE + <u64>length + RECORD_ALIGN_MASK) & ~RECORD_ALIGN_MASK;
}

export function ringHeaderSize(): usize { return RING_HEADER_SIZE; }
export function ringRecordHeaderSize(): usize { return RECORD_HEADER_SIZE; }

/** Bytes a ring with `capacity` data bytes occupies. */
export function ringFootprint(capacity: u32): usize { return RING_HEADER_SIZE + <usize>capacity; }

/** Largest payload of one record (one chunk): any record this size fits once the ring drains. */
export function ringMaxChunk(capacity: u32): u32 { return (capacity >> 1) - <u32>RECORD_HEADER_SIZE; }

/** Prepares an empty ring over zeroed or reclaimed memory. `capacity`: a power of two >= 256. */
export function ringInit(ring: usize, capacity: u32): i32 {
  if (capacity < 256 || (capacity & (capacity - 1)) != 0) return -1;
  const h = changetype<RingHeader>(ring);
  h.next = 0;
  h.head = 0;
  h.headSeen = 0;
  h.tailSeen = 0;
  h.capacity = capacity;
  h.capacityC = capacity;
  atomic.store<u32>(ring + offsetof<RingHeader>("wantSpace"), 0);
  atomic.store<u64>(ring + offsetof<RingHeader>("tail"), 0);
  return 0;
}

export function ringCapacity(ring: usize): u32 { return changetype<RingHeader>(ring).capacity; }

// Geometry rule (docs/layout.md, "What a process trusts, and when it checks it"): the functions
// below take the ring's capacity as an argument, the private copy the caller validated when it
// opened the segment, never the capacity words in the header, which the peer can rewrite. Every
// counter read from shared memory is reduced modulo that capacity and checked for alignment and
// order before it becomes an address; what the consumer validated in ringPeek (length, type,
// flags, id) is kept privately, so a peer that rewrites the record afterwards changes nothing.

// What the last ringPeek validated (the module is single-threaded per instance).
let peekRecord: usize = 0;
let peekLength: u32 = 0;
let peekType: u32 = 0;
let peekFlags: u32 = 0;
let peekId: u64 = 0;

/** Bytes the producer could still reserve (whole records need their header and padding too). */
export function ringFree(ring: usize, capacity: u32): u32 {
  const used = changetype<RingHeader>(ring).next - atomic.load<u64>(ring + offsetof<RingHeader>("head"));
  return used > <u64>capacity ? 0 : <u32>(<u64>capacity - used);
}

/** Bytes ever consumed (the consumer's position). */
export function ringHead(ring: usize): f64 { return <f64>atomic.load<u64>(ring + offsetof<RingHeader>("head")); }
/** Bytes ever published (the producer's position). */
export function ringTail(ring: usize): f64 { return <f64>atomic.load<u64>(ring + offsetof<RingHeader>("tail")); }

/** Unconsumed published bytes. */
export function ringUsed(ring: usize): u32 {
  return <u32>(atomic.load<u64>(ring + offsetof<RingHeader>("tail")) - atomic.load<u64>(ring + offsetof<RingHeader>("head")));
}

/**
 * Producer: reserves a record with `length` payload bytes and writes its header. Returns the
 * address of the payload (fill it, then ringCommit), 0 when the ring has no room now, or 1 when
 * its counters are impossible (the ring is corrupt). `capacity`: the private copy.
 * `length` must not exceed ringMaxChunk (else 0 forever: the caller chunks).
 */
export function ringReserve(ring: usize, capacity32: u32, length: u32, type: u16, flags: u16, id: f64): usize {
  const h = changetype<RingHeader>(ring);
  const capacity = <u64>capacity32;
  if (length > ringMaxChunk(capacity32)) return 0;
  const mask = capacity - 1;
  const size = recordSize(length);
  let next = h.next;
  if ((next & RECORD_ALIGN_MASK) != 0) return PEEK_CORRUPT;
  const pos = next & mask;
  const toEnd = capacity - pos;
  const need = size > toEnd ? toEnd + size : size;
  const seen = h.headSeen;
  if (seen > next || next + need - seen > capacity) {
    const head = atomic.load<u64>(ring + offsetof<RingHeader>("head"));
    // head never passes next, and next never runs more than a ring ahead of head.
    if (head > next || next - head > capacity) return PEEK_CORRUPT;
    h.headSeen = head;
    if (next + need - head > capacity) return 0;
  }
  const data = ring + RING_HEADER_SIZE;
  if (size > toEnd) {
    const wrap = changetype<RecordHeader>(data + <usize>pos);
    wrap.length = 0;
    wrap.type = TYPE_WRAP;
    wrap.flags = 0;
    wrap.id = 0;
    next += toEnd;
  }
  const at = data + <usize>(next & mask);
  const r = changetype<RecordHeader>(at);
  r.length = length;
  r.type = type;
  r.flags = flags;
  r.id = <u64>id;
  h.next = next + size;
  return at + RECORD_HEADER_SIZE;
}

/** Producer: publishes every record reserved so far (release order: the payloads are visible first). */
export function ringCommit(ring: usize): void {
  atomic.store<u64>(ring + offsetof<RingHeader>("tail"), changetype<RingHeader>(ring).next);
}

/** Producer: announces that it is about to sleep until the consumer frees space. */
export function ringRequestSpace(ring: usize): void {
  atomic.store<u32>(ring + offsetof<RingHeader>("wantSpace"), 1);
}

/**
 * Consumer: the address of the next record's header, 0 when the ring is empty, or 1 when the next
 * record is impossible (a length past the data area or past what was published): the ring is
 * corrupt and must not be read further. Wrap markers are consumed on the way.
 */
export function ringPeek(ring: usize, capacity32: u32): usize {
  const h = changetype<RingHeader>(ring);
  const capacity = <u64>capacity32;
  const mask = capacity - 1;
  const data = ring + RING_HEADER_SIZE;
  let head = h.head;
  let tail = h.tailSeen;
  peekRecord = 0;
  for (;;) {
    if ((head & RECORD_ALIGN_MASK) != 0) return PEEK_CORRUPT;
    if (head >= tail) {
      tail = atomic.load<u64>(ring + offsetof<RingHeader>("tail"));
      h.tailSeen = tail;
      if (head == tail) return 0;
    }
    if (tail < head || tail - head > capacity) return PEEK_CORRUPT;
    const pos = head & mask;
    const r = changetype<RecordHeader>(data + <usize>pos);
    // One load of each field: the producer (or anyone) may rewrite them after this check.
    const length = r.length;
    const type = <u32>r.type;
    if (type == <u32>TYPE_WRAP) {
      head += capacity - pos;
      atomic.store<u64>(ring + offsetof<RingHeader>("head"), head);
      continue;
    }
    const size = recordSize(length);
    if (size > capacity - pos || head + size > tail) return PEEK_CORRUPT;
    peekRecord = data + <usize>pos;
    peekLength = length;
    peekType = type;
    peekFlags = <u32>r.flags;
    peekId = r.id;
    return peekRecord;
  }
}

// The fields of the record the last ringPeek returned, as it validated them (`record` must be it).
export function ringRecordLength(record: usize): u32 { return record == peekRecord ? peekLength : 0; }
export function ringRecordType(record: usize): u32 { return record == peekRecord ? peekType : 0; }
export function ringRecordFlags(record: usize): u32 { return record == peekRecord ? peekFlags : 0; }
export function ringRecordId(record: usize): f64 { return record == peekRecord ? <f64>peekId : 0; }

/**
 * Consumer: frees the record ringPeek returned, whose validated length was `length`. Returns 1 when a producer waits for
 * space (ring its doorbell), else 0.
 */
export function ringAdvance(ring: usize, capacity: u32, record: usize, length: u32): i32 {
  const h = changetype<RingHeader>(ring);
  const mask = <u64>capacity - 1;
  let head = h.head;
  const pos = head & mask;
  // The record must be the one at head (defends against a stale pointer from the caller), and
  // `length` the one ringPeek validated for it (passed back: the caller may peek other rings
  // between the two calls).
  if (ring + RING_HEADER_SIZE + <usize>pos != record) return -1;
  if (recordSize(length) > <u64>capacity - pos) return -1;
  head += recordSize(length);
  atomic.store<u64>(ring + offsetof<RingHeader>("head"), head);
  if (atomic.load<u32>(ring + offsetof<RingHeader>("wantSpace")) == 0) return 0;
  return atomic.xchg<u32>(ring + offsetof<RingHeader>("wantSpace"), 0) != 0 ? 1 : 0;
}

/**
 * Producer benchmark and test helper: writes `count` records of `length` bytes (payload bytes
 * left as they are), committing every `batch` records; stops early when the ring is full. Returns
 * how many were written.
 */
export function ringFill(ring: usize, capacity: u32, count: i32, length: u32, type: u16, batch: i32): i32 {
  let i = 0;
  for (; i < count; i++) {
    if (ringReserve(ring, capacity, length, type, 3, <f64>i) <= PEEK_CORRUPT) break;
    if ((i + 1) % batch == 0) ringCommit(ring);
  }
  ringCommit(ring);
  return i;
}

// ---- ABI: constants TypeScript reads from the compiled module (docs/architecture.md, "The ABI") ----
/** Bytes of a record header; the payload follows it. */
export const RING_RECORD_HEADER_SIZE: u32 = <u32>RECORD_HEADER_SIZE;
/** Record flags: FIRST and LAST chunk of a message, RAW payload (bytes, not pybytes). */
export const RING_FLAG_FIRST: u16 = 1;
export const RING_FLAG_LAST: u16 = 2;
export const RING_FLAG_RAW: u16 = 4;
