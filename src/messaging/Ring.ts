// One direction of a channel slot (ChannelSlot): a single-producer single-consumer ring of records in shared
// memory (layout: assembly/ring.ts, docs/layout.md#ring). The bookkeeping runs in WebAssembly;
// this class copies payloads in and out, cuts messages larger than a chunk into FIRST/…/LAST
// records and puts them back together. Waiting and doorbells are the caller's business.
import { IpcError } from '../errors/IpcError.ts';
import { runtime, type CoreExports } from '../platform/runtime.ts';
import { RING_FLAG_FIRST, RING_FLAG_LAST, RING_FLAG_RAW, RING_RECORD_HEADER_SIZE } from '../platform/coreAbi.generated.ts';

/** The core module's exports (rings and channels: assembly/ring.ts, assembly/channel.ts). */
export type { CoreExports };

export function ringCore(): CoreExports {
  return runtime().core;
}

// A view of the memory that is refreshed only when the memory grew: runtime().u8 costs a
// buffer lookup per call, too much per message. The memory only grows through the region
// allocator, whose end moves when it does.
let view: Uint8Array | undefined;
let viewEnd = -1;
export function memoryView(): Uint8Array {
  const rt = runtime();
  if (view === undefined || viewEnd !== rt.regions.endOfMemory) {
    view = rt.u8;
    viewEnd = rt.regions.endOfMemory;
  }
  return view;
}

/** Record types (the `type` field of a record). */
export const RecordType = {
  REQUEST: 1,
  REPLY: 2,
  ERROR: 3,
  NOTIFY: 4,
} as const;

const FIRST = RING_FLAG_FIRST;
const LAST = RING_FLAG_LAST;
const RAW = RING_FLAG_RAW;
/** Added to the type handed to a MessageSink when the payload is raw bytes rather than pybytes. */
export const RAW_TYPE = 0x1_0000;

/** A message on its way into a ring, possibly in several chunks. */
export class Outgoing {
  /** Payload bytes written so far. */
  offset = 0;
  started = false;
  constructor(
    readonly type: number,
    readonly id: number,
    /** The bytes; a borrowed payload is not ours to keep (see `borrowed`). */
    public payload: Uint8Array,
    /** The payload is raw bytes (a Uint8Array value), not a pybytes message. */
    readonly raw = false,
    /**
     * The payload is the caller's own array (raw) or the encoder's scratch buffer: valid only
     * until the caller goes on. Whoever keeps the message for later (a queue) copies it first.
     */
    public borrowed = raw,
  ) {}
  get done(): boolean {
    return this.started && this.offset === this.payload.length;
  }
}

/**
 * Called for each complete message: either `bytes` (a message reassembled from chunks), or, when
 * `bytes` is undefined, the `length` bytes at `ptr` in the core memory (a record still in its ring,
 * valid only during the call). No view is made per message: views of shared memory cost more than
 * small messages do.
 */
export type MessageSink = (type: number, id: number, ptr: number, length: number, bytes: Uint8Array | undefined) => void;

export class Ring {
  readonly capacity: number;
  readonly maxChunk: number;
  private readonly core: CoreExports;
  // A message arriving in chunks.
  private parts: Uint8Array[] = [];
  private partsLength = 0;
  private partsType = 0;
  private partsId = 0;

  /**
   * @param ptr address of the ring header in the WebAssembly memory
   * @param capacity its data bytes, as validated when the segment was opened (the header's own
   *   capacity words are never trusted afterwards: another process can rewrite them)
   */
  constructor(readonly ptr: number, capacity: number) {
    this.core = ringCore();
    this.capacity = capacity;
    this.maxChunk = this.core.ringMaxChunk(this.capacity);
  }

  /** Producer: writes as much of `msg` as fits now and publishes it. Returns whether it is all in. */
  write(msg: Outgoing): boolean {
    const core = this.core;
    const ring = this.ptr;
    const total = msg.payload.length;
    let wrote = false;
    while (!msg.done) {
      const length = Math.min(total - msg.offset, this.maxChunk);
      const end = msg.offset + length;
      const flags = (msg.started ? 0 : FIRST) | (end === total ? LAST : 0) | (msg.raw ? RAW : 0);
      const at = core.ringReserve(ring, this.capacity, length, msg.type, flags, msg.id);
      if (at === 0) break;
      if (at === 1) throw new IpcError('CORRUPT', `Cannot write to a ring at 0x${ring.toString(16)}: its counters are impossible (another process rewrote them)`);
      if (length > 0) {
        if (length === total) memoryView().set(msg.payload, at);
        else memoryView().set(msg.payload.subarray(msg.offset, end), at);
      }
      msg.offset = end;
      msg.started = true;
      wrote = true;
    }
    if (wrote) core.ringCommit(ring);
    return msg.done;
  }

  /** Producer: writes several small messages with one publication. Returns how many went in whole. */
  writeMany(msgs: readonly Outgoing[]): number {
    let n = 0;
    for (const m of msgs) {
      if (!this.write(m)) break;
      n++;
    }
    return n;
  }

  /** Producer: says it will sleep until the consumer frees space (then re-check before sleeping). */
  requestSpace(): void {
    this.core.ringRequestSpace(this.ptr);
  }

  /** Whether a message of `length` bytes needs no more than one free chunk of space. */
  get free(): number {
    return this.core.ringFree(this.ptr, this.capacity);
  }

  /**
   * Consumer: hands every complete message in the ring to `sink`, at most `max` of them. Returns
   * [messages delivered, whether the producer waits for space]. Chunks of a message larger than a
   * record are copied into one buffer before delivery.
   * @throws {IpcError} CORRUPT when a record is impossible (its length runs past the published data)
   */
  read(sink: MessageSink, max = Infinity): [number, boolean] {
    const core = this.core;
    const ring = this.ptr;
    let delivered = 0;
    let wantsSpace = false;
    while (delivered < max) {
      const rec = core.ringPeek(ring, this.capacity);
      if (rec === 0) break;
      if (rec === 1) throw new IpcError('CORRUPT', `Cannot read a ring at 0x${ring.toString(16)}: a record runs past the published data`);
      const length = core.ringRecordLength(rec);
      const type = core.ringRecordType(rec);
      const flags = core.ringRecordFlags(rec);
      const id = core.ringRecordId(rec);
      const start = rec + RING_RECORD_HEADER_SIZE;
      const kind = flags & RAW ? type | RAW_TYPE : type;
      if ((flags & (FIRST | LAST)) === (FIRST | LAST)) {
        if (this.partsLength > 0 || this.parts.length > 0) {
          this.parts = [];
          this.partsLength = 0;
        }
        try {
          sink(kind, id, start, length, undefined);
        } finally {
          if (core.ringAdvance(ring, this.capacity, rec, length) > 0) wantsSpace = true;
        }
        delivered++;
        continue;
      }
      if (flags & FIRST) {
        // A FIRST while another message was half-assembled: its producer abandoned it.
        this.parts = [];
        this.partsLength = 0;
        this.partsType = type;
        this.partsId = id;
      }
      if (this.partsType === type && this.partsId === id && (this.parts.length > 0 || flags & FIRST)) {
        this.parts.push(memoryView().slice(start, start + length));
        this.partsLength += length;
      }
      if (core.ringAdvance(ring, this.capacity, rec, length) > 0) wantsSpace = true;
      if (flags & LAST && this.parts.length > 0) {
        const whole = new Uint8Array(this.partsLength);
        let at = 0;
        for (const p of this.parts) {
          whole.set(p, at);
          at += p.length;
        }
        this.parts = [];
        this.partsLength = 0;
        delivered++;
        sink(flags & RAW ? this.partsType | RAW_TYPE : this.partsType, id, 0, whole.length, whole);
      }
    }
    return [delivered, wantsSpace];
  }

  /** Bytes the consumer has consumed so far. */
  get head(): number {
    return this.core.ringHead(this.ptr);
  }

  /** Bytes the producer has published so far. */
  get tail(): number {
    return this.core.ringTail(this.ptr);
  }

  /** Whether a record is waiting. */
  get hasData(): boolean {
    return this.core.ringUsed(this.ptr) > 0;
  }
}
