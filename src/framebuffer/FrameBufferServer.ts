// The owner of a frame buffer: creates the shared ring, publishes its key, removes it on stop().
// Allocation needs no server: the allocator lives in shared memory (assembly/framebuffer.ts).
import process from 'node:process';
import { IpcError } from '../errors/IpcError.ts';
import { arenaBytes, fb, FrameArena, formatKey, FRAMEBUFFER_VERSION, type FrameBufferStats } from './FrameArena.ts';
import { unlinkSegment } from '../segments/SegmentMapping.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { objectSegmentName } from '../segments/segmentName.ts';
import { Segment } from '../segments/Segment.ts';

/** Options of {@link FrameBufferServer}. */
export interface FrameBufferServerOptions {
  /** Name of the frame buffer; its segment in /dev/shm is "mb.<name>" (default name: `membridge-fb-<pid>-<random>`). */
  name?: string;
  /** Generation recorded in the segment and the key; a restarted server should use a higher one (default 1). */
  generation?: number;
  /** File mode of the segment (default 0o600: this user only). */
  mode?: number;
}

const MAX_ARENA = 0xffff_0000 - 64 - 64 - 4096;

function defaultName(): string {
  const rand = Math.floor(Math.random() * 0x1_0000_0000).toString(36);
  return `membridge-fb-${process.pid}-${rand}`;
}

/**
 * Owns a frame buffer: a ring of `size` bytes in shared memory through which processes pass bulk
 * frames, while the small control messages (offset, size, checksum) travel over any other channel.
 * Frames are allocated by anyone holding the key, written once, and read with a check that they
 * were not overwritten since: when the ring laps, old frames are overwritten.
 *
 * Each frame costs a 64-byte header, rounded up to 64 bytes in all, so the largest frame is
 * `size - 64` bytes.
 *
 * @example Serving a frame buffer
 * ```ts
 * import { FrameBufferServer } from 'membridge';
 * using server = new FrameBufferServer(64 << 20).start();
 * sendToPeers(server.getKey());        // e.g. "mbfb1:membridge-fb-4242-1x2y3z:1"
 * const offset = server.allocate(1 << 20);
 * ```
 */
export class FrameBufferServer {
  readonly size: number;
  private readonly name: string;
  private readonly generation: number;
  private arena: FrameArena | undefined;
  private stopped = false;
  /** Its file in /dev/shm: "mb.<name>" (src/segments/segmentName.ts). */
  private readonly segmentName: string;

  /**
   * @param size bytes of the ring, rounded up to a multiple of 64 (at least 128)
   * @throws {RangeError} for a size or generation out of range
   * @throws {IpcError} INVALID_NAME for a bad `options.name`
   */
  constructor(size: number, private readonly options: FrameBufferServerOptions = {}) {
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 128 || size > MAX_ARENA) {
      throw new RangeError(`Cannot create a frame buffer of ${String(size)} bytes: the size must be an integer from 128 to ${MAX_ARENA}`);
    }
    this.size = arenaBytes(size);
    this.name = options.name ?? defaultName();
    this.segmentName = objectSegmentName(this.name, 'frame buffer');
    const generation = options.generation ?? 1;
    if (!Number.isInteger(generation) || generation < 1 || generation > 0xffffffff) {
      throw new RangeError(`Cannot create frame buffer "${this.name}" with generation ${generation}: it must be an integer from 1 to 4294967295`);
    }
    this.generation = generation;
  }

  /**
   * Creates and publishes the segment. Returns `this`.
   * @throws {IpcError} ALREADY_EXISTS, PERMISSION_DENIED, NO_SPACE, NATIVE_UNAVAILABLE; CLOSED after stop()
   */
  start(): this {
    if (this.stopped) throw new IpcError('CLOSED', `Cannot start frame buffer "${this.name}": it was stopped (create a new server)`, { name: this.name });
    if (this.arena) return this;
    const core = fb();
    const seg = Segment.create(this.segmentName, {
      kind: SegmentKind.FRAMEBUFFER,
      version: FRAMEBUFFER_VERSION,
      payloadSize: core.fbControlSize() + this.size,
      generation: this.generation,
      ...(this.options.mode === undefined ? {} : { mode: this.options.mode }),
      init: (_s, ptr) => core.fbInit(ptr, this.size),
    });
    this.arena = new FrameArena(seg, false);
    return this;
  }

  /**
   * The key clients pass to `new FrameBufferClient(key)`: `mbfb1:<segment name>:<generation>`.
   * @throws {IpcError} CLOSED before start() or after stop()
   */
  getKey(): string {
    this.live('get the key of');
    return formatKey(this.name, this.generation);
  }

  /**
   * Reserves a frame for `size` bytes and returns its offset: the frame's position in the ring's
   * history (a multiple of 64, growing with every allocation; `offset % capacity` is where it
   * lies). The same allocator serves every client, with no round trip to this server.
   * @throws {RangeError} when `size` is not an integer from 0 to `stats().maxFrameSize`
   * @throws {IpcError} CLOSED before start() or after stop()
   */
  allocate(size: number): number {
    return this.live('allocate in').allocate(size);
  }

  /** Counters read from shared memory. @throws {IpcError} CLOSED before start() or after stop() */
  stats(): FrameBufferStats {
    return this.live('read the counters of').stats();
  }

  /**
   * Marks the segment closed (clients fail with CLOSED from their next operation on), removes its
   * name and unmaps it. Idempotent.
   */
  stop(): void {
    this.stopped = true;
    const arena = this.arena;
    if (!arena) return;
    this.arena = undefined;
    arena.seg.markClosed();
    try {
      unlinkSegment(this.segmentName);
    } catch (err) {
      if (!(err instanceof IpcError && err.code === 'NOT_FOUND')) throw err;
    } finally {
      arena.close();
    }
  }

  [Symbol.dispose](): void {
    this.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }

  private live(what: string): FrameArena {
    if (!this.arena) throw new IpcError('CLOSED', `Cannot ${what} frame buffer "${this.name}": the server is ${this.stopped ? 'stopped' : 'not started'}`, { name: this.name });
    return this.arena;
  }
}
