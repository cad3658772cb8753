// The mechanics FrameBufferServer and FrameBufferClient share: allocation, checked writes and
// reads, views and waits over one mapped FRAMEBUFFER segment (layout: assembly/framebuffer.ts,
// docs/layout.md#framebuffer). Policy that differs between the two (who may be "gone") is passed in.
import { FrameBufferTimeout } from './FrameBufferTimeout.ts';
import { IpcError } from '../errors/IpcError.ts';
import { Doorbell } from '../segments/Doorbell.ts';
import { isProcessAlive, selfIdentity } from '../platform/processIdentity.ts';
import { runtime } from '../platform/runtime.ts';
import type { CoreExports } from '../platform/coreAbi.generated.ts';
import {
  FB_ALLOCATE_CORRUPT, FB_ALLOCATE_EXHAUSTED, FB_STATUS_CHECKSUM_MISMATCH, FB_STATUS_NOT_ALLOCATED, FB_STATUS_OK, FB_STATUS_OVERWRITTEN,
  FB_STATUS_PENDING, FB_STATUS_SIZE_MISMATCH, FB_STATUS_TOO_LARGE, FB_STATUS_WRITTEN, FRAMEBUFFER_LAYOUT_VERSION,
} from '../platform/coreAbi.generated.ts';
import type { Segment } from '../segments/Segment.ts';

/** A read waiting for its frame (see FrameArena.ready). */
interface PendingRead {
  offset: number;
  size: number;
  checksum: string;
  hi: number;
  lo: number;
  waitMs: number;
  what: string;
  deadline: number;
}

/** Layout version of the FRAMEBUFFER payload (control block + arena). */
export const FRAMEBUFFER_VERSION = FRAMEBUFFER_LAYOUT_VERSION;

// Status codes of assembly/framebuffer.ts.
const OK = FB_STATUS_OK;
const OVERWRITTEN = FB_STATUS_OVERWRITTEN;
const NOT_ALLOCATED = FB_STATUS_NOT_ALLOCATED;
const PENDING = FB_STATUS_PENDING;
const SIZE_MISMATCH = FB_STATUS_SIZE_MISMATCH;
const CHECKSUM_MISMATCH = FB_STATUS_CHECKSUM_MISMATCH;
const TOO_LARGE = FB_STATUS_TOO_LARGE;
const WRITTEN = FB_STATUS_WRITTEN;

// A waiting reader re-checks the server and the frame's writer at least this often.
const LIVENESS_SLICE_MS = 100;
// Between waits, operations re-check that the server lives at most this often: a check reads
// /proc (tens of microseconds), which would dominate small frames.
const LIVENESS_EVERY_MS = 250;

/** The core module's exports (frame buffers: assembly/framebuffer.ts). */
export function fb(): CoreExports {
  return runtime().core;
}

/** Rounds an arena size up to the frame alignment. */
export function arenaBytes(size: number): number {
  const align = fb().fbAlign();
  return Math.ceil(size / align) * align;
}

// --- keys ---------------------------------------------------------------------------------------

const KEY = /^mbfb1:([A-Za-z0-9_][A-Za-z0-9._-]{0,199}):([1-9][0-9]{0,9})$/;

/** The key of a frame buffer: `mbfb1:<segment name>:<generation>`. */
export function formatKey(name: string, generation: number): string {
  return `mbfb1:${name}:${generation}`;
}

/** Splits a key; IpcError INVALID_NAME for anything that is not one. */
export function parseKey(key: unknown): { name: string; generation: number } {
  if (typeof key !== 'string') throw new TypeError(`Cannot use ${typeof key} as a frame buffer key: a string from FrameBufferServer.getKey() is required`);
  const m = KEY.exec(key);
  const generation = m ? Number(m[2]) : 0;
  if (!m || generation > 0xffffffff) {
    const shown = key.length > 60 ? key.slice(0, 60) + '…' : key;
    throw new IpcError('INVALID_NAME', `Cannot open frame buffer "${shown}": a key looks like "mbfb1:<segment name>:<generation>" (from FrameBufferServer.getKey())`);
  }
  return { name: m[1]!, generation };
}

// --- checksums ----------------------------------------------------------------------------------

const HEX8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const CHECKSUM = /^[0-9a-f]{16}$/;

/** 16 lowercase hex digits of an XXH64 value, most significant first (as `xxhsum` prints it). */
export function formatChecksum(hi: number, lo: number): string {
  return HEX8(hi) + HEX8(lo);
}

function parseChecksum(checksum: unknown, what: string): [hi: number, lo: number] {
  if (typeof checksum !== 'string') throw new TypeError(`Cannot ${what}: the checksum must be the string write() returned, not ${typeof checksum}`);
  if (!CHECKSUM.test(checksum)) throw new RangeError(`Cannot ${what}: checksum "${checksum.slice(0, 40)}" is not 16 lowercase hexadecimal digits`);
  return [parseInt(checksum.slice(0, 8), 16), parseInt(checksum.slice(8), 16)];
}

// --- the arena ----------------------------------------------------------------------------------

/** Options of reads and views. */
export interface ReadOptions {
  /**
   * How long to wait for a frame that is allocated but not yet completely written, in ms
   * (default 0: fail at once with FrameBufferTimeout `TIMED_OUT`).
   */
  waitMs?: number;
  /**
   * Also hash a private copy of the data and compare it with the checksum (default false). The
   * generation check already proves that no protocol-following writer touched the frame; this
   * catches everything else (a writer that lost its frame to a lap and kept writing, stray stores)
   * at the cost of hashing every byte read.
   */
  verify?: boolean;
  /** Ends a wait of readAsync() early with IpcError ABORTED. */
  signal?: AbortSignal;
}

/**
 * A zero-copy view of a frame: `bytes` aliases the shared memory itself. The bytes are only
 * trustworthy while `isValid()` returns true — check it *after* using them (a seqlock: use, then
 * validate, discard the result if invalid). The ring may overwrite the frame at any time once later
 * allocations lap it, and after `stop()` the view points at unrelated memory.
 */
export interface FrameView {
  /** The frame's data, aliasing shared memory. Never write to it. */
  readonly bytes: Uint8Array;
  /** The frame's offset. */
  readonly offset: number;
  /** Whether the frame is still intact (not lapped, still mapped). */
  isValid(): boolean;
}

export class FrameArena {
  readonly ctl: number;
  readonly arenaSize: number;
  readonly maxFrameSize: number;
  private readonly bell: Doorbell;
  private readonly dataBase: number;
  private lastLivenessCheck = -Infinity;
  /** Highest allocation cursor this process has seen (allocations end there or below). */
  private highestCursor = 0;
  private gone: IpcError | undefined;
  private scratch = 0;
  private scratchSize = 0;

  /**
   * @param seg the mapped segment
   * @param watchServer whether operations should fail once the segment's creator is dead
   */
  constructor(readonly seg: Segment, private readonly watchServer: boolean) {
    const core = fb();
    this.ctl = seg.payloadPtr;
    // The geometry is validated once and kept here; the control block's words are never trusted again.
    this.arenaSize = core.fbArenaSize(this.ctl);
    if (core.fbValidate(this.ctl, seg.info.payloadSize, this.arenaSize) !== 0) {
      throw new IpcError('CORRUPT', `Cannot use frame buffer "${seg.name}": its control block describes an arena of ${this.arenaSize} bytes, which does not fit its ${seg.info.payloadSize}-byte payload`, { name: seg.name });
    }
    this.maxFrameSize = this.arenaSize - core.fbFrameHeaderSize();
    this.bell = new Doorbell(this.ctl + core.fbBellOffset());
    this.dataBase = this.ctl;
  }

  get name(): string {
    return this.seg.name;
  }

  /** Fails with CLOSED/PEER_GONE once the server stopped or died. */
  checkServer(force = false): void {
    if (this.gone) throw this.gone;
    if (!this.seg.segment.isMapped) throw new IpcError('CLOSED', `Cannot use frame buffer "${this.name}": it was stopped in this process`, { name: this.name });
    if (!this.seg.isReady) {
      this.gone = new IpcError('CLOSED', `Cannot use frame buffer "${this.name}": the server stopped it (generation ${this.seg.info.generation} ended)`, { name: this.name });
      throw this.gone;
    }
    if (!this.watchServer) return;
    const now = performance.now();
    if (!force && now - this.lastLivenessCheck < LIVENESS_EVERY_MS) return;
    this.lastLivenessCheck = now;
    const { creatorPid, creatorStamp, generation } = this.seg.info;
    if (!isProcessAlive(creatorPid, creatorStamp)) {
      this.gone = new IpcError('PEER_GONE', `Cannot use frame buffer "${this.name}": the server is gone (process ${creatorPid} died; generation ${generation} ended)`, { name: this.name });
      throw this.gone;
    }
  }

  allocate(size: number): number {
    if (typeof size !== 'number') throw new TypeError(`Cannot allocate a frame of ${typeof size}: the size must be a number of bytes`);
    if (!Number.isSafeInteger(size) || size < 0 || size > this.maxFrameSize) {
      throw new RangeError(`Cannot allocate a frame of ${size} bytes in frame buffer "${this.name}": the size must be an integer from 0 to ${this.maxFrameSize}`);
    }
    this.checkServer();
    const pos = fb().fbAllocate(this.ctl, this.arenaSize, size);
    if (pos >= this.highestCursor) this.highestCursor = pos + 1;
    if (pos === FB_ALLOCATE_CORRUPT) throw new IpcError('CORRUPT', `Cannot allocate a frame in frame buffer "${this.name}": its cursor is impossible (another process rewrote its control block)`, { name: this.name });
    if (pos === FB_ALLOCATE_EXHAUSTED) throw new IpcError('NO_SPACE', `Cannot allocate a frame in frame buffer "${this.name}": its 2^53-byte position space is used up (create a new frame buffer)`, { name: this.name });
    if (pos < 0) throw new RangeError(`Cannot allocate a frame of ${size} bytes in frame buffer "${this.name}": it holds at most ${this.maxFrameSize}`);
    return pos;
  }

  private checkOffset(offset: unknown, what: string): number {
    if (typeof offset !== 'number') throw new TypeError(`Cannot ${what}: the offset must be a number from allocate(), not ${typeof offset}`);
    const align = fb().fbAlign();
    if (!Number.isSafeInteger(offset) || offset < 0 || offset % align !== 0) {
      throw new RangeError(`Cannot ${what}: offset ${offset} was not returned by allocate() (offsets are non-negative multiples of ${align})`);
    }
    return offset;
  }

  private checkSize(size: unknown, what: string): number {
    if (typeof size !== 'number') throw new TypeError(`Cannot ${what}: the size must be a number, not ${typeof size}`);
    if (!Number.isSafeInteger(size) || size < 0 || size > this.maxFrameSize) {
      throw new RangeError(`Cannot ${what}: size ${size} must be an integer from 0 to ${this.maxFrameSize}`);
    }
    return size;
  }

  private overwritten(offset: number, what: string): FrameBufferTimeout {
    return new FrameBufferTimeout('OVERWRITTEN', `Cannot ${what}: the ring lapped it (allocations reached position ${fb().fbCursor(this.ctl)}, past ${offset} + ${this.arenaSize})`, offset, this.name);
  }

  private notAllocated(offset: number, what: string): RangeError | IpcError {
    // The cursor only grows: below a position this process saw allocated, it was rewritten.
    if (offset < this.highestCursor) {
      return new IpcError('CORRUPT', `Cannot ${what}: the allocation cursor went back to ${fb().fbCursor(this.ctl)}, below ${this.highestCursor} seen before (another process rewrote the control block)`, { name: this.name });
    }
    return new RangeError(`Cannot ${what}: nothing was allocated at offset ${offset} (allocations reached ${fb().fbCursor(this.ctl)})`);
  }

  write(offset: number, data: ArrayBufferView): string {
    const what = `write frame ${offset} of frame buffer "${this.name}"`;
    this.checkOffset(offset, what);
    if (!ArrayBuffer.isView(data)) throw new TypeError(`Cannot ${what}: the data must be a Uint8Array or another ArrayBufferView`);
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.checkServer();
    const core = fb();
    const me = selfIdentity();
    const len = bytes.byteLength;
    switch (core.fbBeginWrite(this.ctl, this.arenaSize, offset, len, me.pid, me.stamp)) {
      case OK:
        break;
      case OVERWRITTEN:
        throw this.overwritten(offset, what);
      case NOT_ALLOCATED:
        throw this.notAllocated(offset, what);
      case TOO_LARGE:
        throw new IpcError('TOO_LARGE', `Cannot ${what}: ${len} bytes do not fit the ${core.fbFrameSize(this.ctl, this.arenaSize, offset)} bytes allocated for it`, { name: this.name });
      case WRITTEN:
        throw new IpcError('ALREADY_EXISTS', `Cannot ${what}: it was written already (a frame is written once; allocate another)`, { name: this.name });
      default:
        throw new IpcError('CORRUPT', `Cannot ${what}: unexpected frame state`, { name: this.name });
    }
    // Uint8Array.set is the only way in from JS memory; staging through a scratch region would
    // cost the same set plus a memory.copy (bench/framebuffer.ts measures both).
    runtime().u8.set(bytes, this.dataBase + core.fbDataOffset(this.ctl, this.arenaSize, offset));
    const lo = core.fbEndWrite(this.ctl, this.arenaSize, offset, len);
    const hi = core.fbLastHashHi();
    this.bell.ring();
    if (!core.fbIntact(this.ctl, this.arenaSize, offset)) throw this.overwritten(offset, what);
    return formatChecksum(hi, lo);
  }

  /** Waits until frame `offset` is ready to be read; returns the address of its data. */
  private ready(offset: number, size: number, checksum: string, options: ReadOptions, what: string): number {
    const wait = this.startWait(offset, size, checksum, options, what);
    for (;;) {
      const seen = this.bell.seq;
      const ptr = this.readyStep(wait);
      if (ptr !== undefined) return ptr;
      this.bell.wait(seen, this.sliceLeft(wait));
      this.afterSlice(wait);
    }
  }

  /** Like ready(), waiting without blocking the event loop. */
  private async readyAsync(offset: number, size: number, checksum: string, options: ReadOptions, what: string): Promise<number> {
    const wait = this.startWait(offset, size, checksum, options, what);
    for (;;) {
      const seen = this.bell.seq;
      const ptr = this.readyStep(wait);
      if (ptr !== undefined) return ptr;
      await this.bell.waitAsync(seen, this.sliceLeft(wait), options.signal);
      this.afterSlice(wait);
    }
  }

  private startWait(offset: number, size: number, checksum: string, options: ReadOptions, what: string): PendingRead {
    this.checkOffset(offset, what);
    this.checkSize(size, what);
    const [hi, lo] = parseChecksum(checksum, what);
    const waitMs = options.waitMs ?? 0;
    if (!(waitMs >= 0)) throw new RangeError(`Cannot ${what}: waitMs must be a non-negative number or Infinity`);
    this.checkServer();
    return { offset, size, checksum, hi, lo, waitMs, what, deadline: performance.now() + waitMs };
  }

  // One look at the frame: its data's address when readable, undefined while it is being written
  // (and the wait has time left), a typed error for everything else.
  private readyStep(w: PendingRead): number | undefined {
    const core = fb();
    const { offset, what } = w;
    const status = core.fbReadBegin(this.ctl, this.arenaSize, offset, w.size, w.hi, w.lo);
    switch (status) {
      case OK:
        return this.dataBase + core.fbDataOffset(this.ctl, this.arenaSize, offset);
      case OVERWRITTEN:
        throw this.overwritten(offset, what);
      case NOT_ALLOCATED:
        throw this.notAllocated(offset, what);
      case SIZE_MISMATCH:
        throw new RangeError(`Cannot ${what}: ${w.size} bytes were asked for, it holds ${core.fbFrameLength(this.ctl, this.arenaSize, offset)}`);
      case CHECKSUM_MISMATCH:
        throw new IpcError('CORRUPT', `Cannot ${what}: checksum ${w.checksum} does not match the frame's (the checksum belongs to other data)`, { name: this.name });
      case PENDING:
        break;
      default:
        throw new IpcError('CORRUPT', `Cannot ${what}: unexpected frame state ${status}`, { name: this.name });
    }
    if (w.deadline - performance.now() <= 0) {
      this.checkServer(true);
      throw new FrameBufferTimeout('TIMED_OUT', `Cannot ${what}: it is still being written after ${w.waitMs} ms`, offset, this.name);
    }
    return undefined;
  }

  private sliceLeft(w: PendingRead): number {
    return Math.max(0, Math.min(w.deadline - performance.now(), LIVENESS_SLICE_MS));
  }

  private afterSlice(w: PendingRead): void {
    this.checkServer(true);
    this.checkWriter(w.offset, w.what);
  }

  /** PEER_GONE when the process writing frame `offset` died before completing it. */
  private checkWriter(offset: number, what: string): void {
    const core = fb();
    const seq = core.fbFrameSeq(this.ctl, this.arenaSize, offset);
    if (seq !== offset + 2) return; // only a frame "being written" has a writer to ask about
    const pid = core.fbFrameWriterPid(this.ctl, this.arenaSize, offset);
    if (pid !== 0 && !isProcessAlive(pid, core.fbFrameWriterStamp(this.ctl, this.arenaSize, offset))) {
      throw new IpcError('PEER_GONE', `Cannot ${what}: its writer (process ${pid}) died before finishing it`, { name: this.name });
    }
  }

  private copyChecked(offset: number, size: number, checksum: string, options: ReadOptions, what: string, copy: (src: number) => Uint8Array): Uint8Array {
    const src = this.ready(offset, size, checksum, options, what);
    const core = fb();
    if (options.verify) {
      const tmp = this.scratchFor(size);
      core.copyBytes(tmp, src, size);
      if (core.fbReadEnd(this.ctl, this.arenaSize, offset) !== OK) throw this.overwritten(offset, what);
      const lo = core.xxh64Lo(tmp, size);
      if (formatChecksum(core.xxh64Hi(), lo) !== checksum) {
        throw new FrameBufferTimeout('OVERWRITTEN', `Cannot ${what}: its bytes no longer hash to ${checksum} (a writer that had lost its frame to the ring wrote over it)`, offset, this.name);
      }
      return copy(tmp);
    }
    const out = copy(src);
    if (core.fbReadEnd(this.ctl, this.arenaSize, offset) !== OK) throw this.overwritten(offset, what);
    return out;
  }

  async readAsync(offset: number, size: number, checksum: string, options: ReadOptions = {}): Promise<Uint8Array> {
    const what = `read frame ${offset} of frame buffer "${this.name}"`;
    // Wait without blocking, then take the same checked synchronous path (it no longer waits).
    await this.readyAsync(offset, size, checksum, options, what);
    return this.copyChecked(offset, size, checksum, { ...options, waitMs: 0 }, what, (src) => runtime().u8.slice(src, src + size));
  }

  read(offset: number, size: number, checksum: string, options: ReadOptions = {}): Uint8Array {
    return this.copyChecked(offset, size, checksum, options, `read frame ${offset} of frame buffer "${this.name}"`, (src) => runtime().u8.slice(src, src + size));
  }

  readInto(offset: number, size: number, checksum: string, target: Uint8Array, options: ReadOptions = {}): Uint8Array {
    const what = `read frame ${offset} of frame buffer "${this.name}"`;
    if (!(target instanceof Uint8Array)) throw new TypeError(`Cannot ${what}: the target must be a Uint8Array`);
    if (target.byteLength < size) throw new RangeError(`Cannot ${what}: the target holds ${target.byteLength} bytes, the frame ${size}`);
    return this.copyChecked(offset, size, checksum, options, what, (src) => {
      const out = target.byteLength === size ? target : target.subarray(0, size);
      out.set(runtime().u8.subarray(src, src + size));
      return out;
    });
  }

  view(offset: number, size: number, checksum: string, options: Omit<ReadOptions, 'verify'> = {}): FrameView {
    const src = this.ready(offset, size, checksum, options, `view frame ${offset} of frame buffer "${this.name}"`);
    const bytes = runtime().u8.subarray(src, src + size);
    const segment = this.seg.segment;
    const ctl = this.ctl;
    const arena = this.arenaSize;
    return {
      bytes,
      offset,
      isValid: () => segment.isMapped && fb().fbReadEnd(ctl, arena, offset) === OK,
    };
  }

  /** Whether frame `offset` is still intact: allocated, not lapped. */
  isIntact(offset: number): boolean {
    return this.seg.segment.isMapped && Number.isSafeInteger(offset) && offset >= 0 && offset < fb().fbCursor(this.ctl) && fb().fbIntact(this.ctl, this.arenaSize, offset) === 1;
  }

  stats(): FrameBufferStats {
    const core = fb();
    return { capacity: this.arenaSize, maxFrameSize: this.maxFrameSize, position: core.fbCursor(this.ctl), frames: core.fbFrames(this.ctl), skippedBytes: core.fbSkipped(this.ctl) };
  }

  private scratchFor(size: number): number {
    if (this.scratchSize < size) {
      if (this.scratchSize) runtime().regions.release(this.scratch);
      this.scratchSize = 0;
      this.scratch = runtime().regions.allocate(Math.max(size, 1));
      this.scratchSize = runtime().regions.sizeOf(this.scratch)!;
    }
    return this.scratch;
  }

  /** Gives back the scratch region and unmaps the segment. */
  close(): void {
    if (this.scratchSize) runtime().regions.release(this.scratch);
    this.scratchSize = 0;
    if (this.seg.segment.isMapped) this.seg.unmap();
  }
}

/** Counters of a frame buffer, read from shared memory. */
export interface FrameBufferStats {
  /** Bytes of the ring (frame headers included). */
  readonly capacity: number;
  /** Largest `size` allocate() accepts. */
  readonly maxFrameSize: number;
  /** Bytes allocated since creation: the next frame's offset, before alignment. */
  readonly position: number;
  /** Frames allocated since creation. */
  readonly frames: number;
  /** Bytes left unused at the end of a lap because a frame would have straddled it. */
  readonly skippedBytes: number;
}
