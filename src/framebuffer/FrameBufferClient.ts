// A user of a frame buffer: allocates, writes and reads frames through its own mapping of the
// server's segment. Every check runs in shared memory; no call goes to the server.
import type { AllowedUsers } from '../segments/segmentOwner.ts';
import { IpcError } from '../errors/IpcError.ts';
import { FrameArena, FRAMEBUFFER_VERSION, parseKey, type FrameBufferStats, type FrameView, type ReadOptions } from './FrameArena.ts';
import { objectSegmentName } from '../segments/segmentName.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { Segment } from '../segments/Segment.ts';

export type { FrameView, ReadOptions, FrameBufferStats };

/** Options of {@link FrameBufferClient}. */
export interface FrameBufferClientOptions {
  /** How long start() waits for a segment that is still being created, in ms (default 1000). */
  timeoutMs?: number;
  /**
   * Fault the whole ring in at start() (default true): first touches of shared pages run at about
   * 1.4 GB/s, so without this the first lap of writes and reads is several times slower.
   */
  populate?: boolean;
  /**
   * Accept a frame buffer of another user: true, or a list of user ids (default: only this
   * process's user; another user's segment gives PERMISSION_DENIED).
   */
  allowOtherUsers?: AllowedUsers;
}

/**
 * Attaches to a {@link FrameBufferServer}'s ring by key. Writes return a checksum — 16 hex digits
 * of the XXH64 (seed 0) of the data, as `xxhsum` prints it — that travels with the offset and size
 * to the reader, whose read checks that the frame was neither lapped by the ring nor replaced.
 *
 * A frame is identified by its offset (its position in the ring's history), so a lapped frame fails
 * fast with {@link FrameBufferTimeout} `OVERWRITTEN` without hashing anything; the reader's copy is
 * re-checked after copying (a seqlock), so data that passed the check cannot change afterwards.
 *
 * @example Writing in one process, reading in another
 * ```ts
 * import { FrameBufferClient } from 'membridge';
 * using writer = new FrameBufferClient(key).start();
 * const offset = writer.allocate(data.length);
 * const checksum = writer.write(offset, data);
 * rpc.send({ offset, size: data.length, checksum });
 * // elsewhere
 * using reader = new FrameBufferClient(key).start();
 * const bytes = reader.read(offset, size, checksum, { waitMs: 100 });
 * ```
 */
export class FrameBufferClient {
  private readonly name: string;
  private readonly generation: number;
  private arena: FrameArena | undefined;

  /**
   * @param key from FrameBufferServer.getKey()
   * @throws {IpcError} INVALID_NAME when `key` is not a frame buffer key
   * @throws {TypeError} when `key` is not a string
   */
  constructor(readonly key: string, private readonly options: FrameBufferClientOptions = {}) {
    ({ name: this.name, generation: this.generation } = parseKey(key));
  }

  /**
   * Maps the server's segment. Returns `this`; calling it again does nothing.
   * @throws {IpcError} NOT_FOUND (no such frame buffer), PEER_GONE (another generation holds the
   *   name, or the server died), CLOSED (the server stopped it), WRONG_KIND, VERSION_MISMATCH,
   *   CORRUPT, NOT_READY
   */
  start(): this {
    if (this.arena) return this;
    let seg: Segment;
    try {
      seg = Segment.open(objectSegmentName(this.name, 'frame buffer'), { kind: SegmentKind.FRAMEBUFFER, version: FRAMEBUFFER_VERSION, timeoutMs: this.options.timeoutMs ?? 1000, populate: this.options.populate ?? true, allowOtherUsers: this.options.allowOtherUsers });
    } catch (err) {
      if (err instanceof IpcError && err.code === 'NOT_FOUND') {
        throw new IpcError('NOT_FOUND', `Cannot open frame buffer "${this.name}": no such segment (its server stopped, or never started)`, { name: this.name, cause: err });
      }
      throw err;
    }
    if (seg.info.generation !== this.generation) {
      const now = seg.info.generation;
      seg.unmap();
      throw new IpcError('PEER_GONE', `Cannot open frame buffer "${this.name}": the server is gone (generation ${this.generation} ended; the segment now holds generation ${now})`, { name: this.name });
    }
    let arena: FrameArena;
    try {
      arena = new FrameArena(seg, true);
    } catch (err) {
      seg.unmap();
      throw err;
    }
    try {
      arena.checkServer(true);
    } catch (err) {
      arena.close();
      throw err;
    }
    this.arena = arena;
    return this;
  }

  /**
   * Reserves a frame for `size` bytes and returns its offset (see FrameBufferServer.allocate()).
   * Clients in any number of processes allocate concurrently without overlapping.
   * @throws {RangeError} when `size` is not an integer from 0 to `stats().maxFrameSize`
   * @throws {IpcError} CLOSED (stopped), PEER_GONE (server died)
   */
  allocate(size: number): number {
    return this.live('allocate in').allocate(size);
  }

  /**
   * Copies `data` into the frame at `offset` (written once, from allocate()) and returns its
   * checksum: 16 lowercase hex digits of XXH64 (seed 0) of the data.
   * @throws {FrameBufferTimeout} OVERWRITTEN when the ring lapped the frame before or during the write
   * @throws {RangeError} for an offset that allocate() did not return
   * @throws {IpcError} TOO_LARGE (more bytes than allocated), ALREADY_EXISTS (written before),
   *   CLOSED, PEER_GONE
   */
  write(offset: number, data: ArrayBufferView): string {
    return this.live('write to').write(offset, data);
  }

  /**
   * Copies the frame out into a new Uint8Array, after checking that it holds `size` bytes with
   * this `checksum`, and checks again after copying that it was not overwritten meanwhile.
   * @throws {FrameBufferTimeout} OVERWRITTEN when the ring lapped it; TIMED_OUT when it is still
   *   being written after `options.waitMs`
   * @throws {RangeError} for a bad offset or a size other than the one written
   * @throws {TypeError} for a checksum that is not a string; RangeError when not 16 hex digits
   * @throws {IpcError} CORRUPT (checksum of other data), PEER_GONE (server or the frame's writer
   *   died), CLOSED
   */
  read(offset: number, size: number, checksum: string, options?: ReadOptions): Uint8Array {
    return this.live('read from').read(offset, size, checksum, options);
  }

  /**
   * Like read(), but waits for a frame that is still being written (`options.waitMs`) without
   * blocking the event loop; `options.signal` ends the wait with IpcError ABORTED.
   * @throws as read(), and IpcError ABORTED
   */
  readAsync(offset: number, size: number, checksum: string, options?: ReadOptions): Promise<Uint8Array> {
    return this.live('read from').readAsync(offset, size, checksum, options);
  }

  /**
   * Like read(), into `target` (at least `size` bytes): no allocation, so about twice as fast for
   * large frames. Returns the filled part of `target`. On failure, `target` may hold partial data.
   * @throws as read()
   */
  readInto(offset: number, size: number, checksum: string, target: Uint8Array, options?: ReadOptions): Uint8Array {
    return this.live('read from').readInto(offset, size, checksum, target, options);
  }

  /**
   * A zero-copy view of the frame. `view.bytes` aliases shared memory: it is overwritten when the
   * ring laps the frame, and points at unrelated memory after stop(). Use the bytes first, then
   * call `view.isValid()`; only if it returns true were the bytes you used the frame's. Never keep
   * the view past stop(), never write through it.
   * @throws as read()
   */
  view(offset: number, size: number, checksum: string, options?: Omit<ReadOptions, 'verify'>): FrameView {
    return this.live('view').view(offset, size, checksum, options);
  }

  /** Whether the frame at `offset` is still in the ring (allocated and not lapped). */
  isIntact(offset: number): boolean {
    return this.arena?.isIntact(offset) ?? false;
  }

  /**
   * Throws unless the server still runs and has not stopped the frame buffer (operations check
   * this on their own, at most every 250 ms, and on every wait).
   * @throws {IpcError} PEER_GONE (server died), CLOSED (server stopped it, or this client did)
   */
  checkServer(): void {
    this.live('check').checkServer(true);
  }

  /** Counters read from shared memory. @throws {IpcError} CLOSED when not started */
  stats(): FrameBufferStats {
    return this.live('read the counters of').stats();
  }

  /** Unmaps the segment. Views handed out become invalid. Idempotent. */
  stop(): void {
    const arena = this.arena;
    this.arena = undefined;
    arena?.close();
  }

  [Symbol.dispose](): void {
    this.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }

  private live(what: string): FrameArena {
    if (!this.arena) throw new IpcError('CLOSED', `Cannot ${what} frame buffer "${this.name}": the client is not started`, { name: this.name });
    return this.arena;
  }
}
