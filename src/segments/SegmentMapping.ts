// A POSIX shared-memory segment mapped into a window of this process's WebAssembly memory.
//
// The window's offset is also the address the core module uses, so AssemblyScript code reads and
// writes the segment with plain loads, stores and atomics. The offset differs between processes:
// nothing stored inside a segment may be an address, only offsets from the segment's start.
import { statfsSync } from 'node:fs';
import { IpcError } from '../errors/IpcError.ts';
import { native } from '../platform/addon.ts';
import { check, Errno } from '../platform/errno.ts';
import { settledWithin } from '../platform/futex.ts';
import { runtime, type Runtime } from '../platform/runtime.ts';
import { checkSegmentName } from './segmentName.ts';
import { checkOwner, type AllowedUsers } from './segmentOwner.ts';

/** Options for creating a segment. */
export interface CreateOptions {
  /** File mode of the segment (default 0o600: only this user). */
  mode?: number;
  /** Fault all pages in while mapping, so first writes do not pay for page faults (default true). */
  populate?: boolean;
}

/** Options for opening a segment. */
export interface OpenOptions {
  /** Fault all pages in while mapping (default false). */
  populate?: boolean;
  /** Other users whose segments to accept (default: none, PERMISSION_DENIED; see segmentOwner.ts). */
  allowOtherUsers?: AllowedUsers;
}

const HOST_PAGE = 4096;

export class SegmentMapping {
  /** Bytes of the file when it was mapped. */
  readonly size: number;
  /** Offset of the window in the WebAssembly memory: the address of byte 0 of the segment. */
  readonly ptr: number;
  /** Bytes mapped (the size rounded up to host pages). */
  readonly mappedLength: number;
  private mapped = true;

  private constructor(
    readonly name: string,
    size: number,
    ptr: number,
    mappedLength: number,
    private readonly rt: Runtime,
  ) {
    this.size = size;
    this.ptr = ptr;
    this.mappedLength = mappedLength;
  }

  /**
   * Creates a new segment of `size` bytes (zero-filled) and maps it.
   * @throws {IpcError} ALREADY_EXISTS, INVALID_NAME, PERMISSION_DENIED, NO_SPACE, NATIVE_UNAVAILABLE
   */
  static create(name: string, size: number, options: CreateOptions = {}): SegmentMapping {
    checkSegmentName(name);
    if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`Cannot create segment "${name}" of ${size} bytes: the size must be a positive integer`);
    const addon = native();
    const fd = check(addon.shmCreate(name, size, options.mode ?? 0o600), 'create segment', name);
    try {
      // ftruncate alone leaves the pages unbacked: on a full /dev/shm the first touch of one would
      // kill this process (and every peer) with SIGBUS. Reserve them now, or fail typed.
      const r = addon.fdAllocate(fd, 0, size);
      if (r < 0) {
        if (r === -Errno.ENOSPC) throw new IpcError('NO_SPACE', `Cannot create segment "${name}" of ${size} bytes: /dev/shm has ${shmSpace()} (a container's default /dev/shm is 64 MiB; docker run --shm-size raises it)`, { name });
        check(r, 'reserve space for segment', name);
      }
      return SegmentMapping.mapFd(name, fd, size, options.populate ?? true);
    } catch (err) {
      addon.shmUnlink(name);
      throw err;
    } finally {
      addon.closeFd(fd);
    }
  }

  /**
   * Opens and maps an existing segment, whatever its size.
   * @throws {IpcError} NOT_FOUND, INVALID_NAME, PERMISSION_DENIED (file mode, or another user's file), NOT_READY (size 0), NATIVE_UNAVAILABLE
   */
  static open(name: string, options: OpenOptions = {}): SegmentMapping {
    checkSegmentName(name);
    const addon = native();
    const fd = check(addon.shmOpen(name), 'open segment', name);
    try {
      const st = addon.fdStat(fd);
      const size = typeof st === 'number' ? check(st, 'stat segment', name) : st[0];
      if (typeof st !== 'number') checkOwner(name, st[2], options.allowOtherUsers);
      if (size === 0) throw new IpcError('NOT_READY', `Cannot open segment "${name}": its size is 0 bytes (its creator has not sized it yet)`, { name });
      return SegmentMapping.mapFd(name, fd, size, options.populate ?? false);
    } finally {
      addon.closeFd(fd);
    }
  }

  private static mapFd(name: string, fd: number, size: number, populate: boolean): SegmentMapping {
    const rt = runtime();
    // Whole host pages only: a page wholly past the end of the file would raise SIGBUS when touched,
    // while the tail of the last partial page reads as zeros.
    const mappedLength = Math.ceil(size / HOST_PAGE) * HOST_PAGE;
    const ptr = rt.regions.allocate(mappedLength);
    const r = native().mapInto(rt.u8, ptr, mappedLength, fd, populate);
    if (r < 0) {
      rt.regions.release(ptr);
      check(r, 'map segment', name);
    }
    // A peer that truncates the file must not kill this process with SIGBUS (README, threat
    // model): the guard swaps the window for zeros instead, which reads as "not ready".
    native().guardWindow(rt.u8, ptr, mappedLength);
    return new SegmentMapping(name, size, ptr, mappedLength, rt);
  }

  /** Whether the window still maps the segment. */
  get isMapped(): boolean {
    return this.mapped;
  }

  /** A view of the segment's bytes. Valid until the next allocation in this process or unmap(). */
  bytes(): Uint8Array {
    this.ensureMapped('read');
    return this.rt.u8.subarray(this.ptr, this.ptr + this.size);
  }

  /** Address in the WebAssembly memory of byte `offset` of the segment, bounds-checked. */
  at(offset: number, length = 1): number {
    this.ensureMapped('access');
    if (!Number.isInteger(offset) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new RangeError(`Cannot access bytes ${offset}..${offset + length} of segment "${this.name}": it has ${this.size} bytes`);
    }
    return this.ptr + offset;
  }

  /**
   * Puts private pages back over the window and returns it to the allocator. The segment itself
   * stays (see unlink()).
   * @throws {IpcError} CLOSED when already unmapped
   */
  unmap(): void {
    this.ensureMapped('unmap');
    this.mapped = false;
    // A waiter thread may still be about to touch the window (futex.ts, settledWithin). Cancel it
    // while the window still maps the segment (its wake-up must reach the shared word), and hand
    // the window out again only after it came back, so that its late write lands in our private
    // pages instead of in whatever segment is mapped here next.
    const rt = this.rt;
    const ptr = this.ptr;
    const settled = settledWithin(ptr, ptr + this.mappedLength);
    native().unguardWindow(rt.u8, ptr);
    const r = native().restore(rt.u8, ptr, this.mappedLength);
    // A failed restore leaves the shared pages in place: keep the region out of circulation rather
    // than hand shared memory out as private scratch.
    check(r, 'unmap segment', this.name);
    if (settled) void settled.then(() => rt.regions.release(ptr));
    else rt.regions.release(ptr);
  }

  private ensureMapped(action: string): void {
    if (!this.mapped) throw new IpcError('CLOSED', `Cannot ${action} segment "${this.name}": it is not mapped any more`, { name: this.name });
  }
}

/** Free and total bytes of /dev/shm, for NO_SPACE messages. */
function shmSpace(): string {
  try {
    const st = statfsSync('/dev/shm');
    return `${st.bavail * st.bsize} bytes free of ${st.blocks * st.bsize}`;
  } catch {
    return 'less space free than that';
  }
}

/**
 * Removes a segment's name; processes that have it mapped keep their mapping.
 * @throws {IpcError} NOT_FOUND, INVALID_NAME, PERMISSION_DENIED
 */
export function unlinkSegment(name: string): void {
  checkSegmentName(name);
  check(native().shmUnlink(name), 'remove segment', name);
}

/** Names of the segments in /dev/shm that start with `prefix`. */
export function listSegments(prefix = ''): string[] {
  const r = native().shmList(prefix);
  if (typeof r === 'number') {
    check(r, 'list segments', '/dev/shm');
    return [];
  }
  return r.sort();
}
