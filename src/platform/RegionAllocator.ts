// Hands out page-aligned regions of the WebAssembly memory: windows that shared-memory segments are
// mapped into, and private scratch areas for the codec. It owns every byte from `start` up, so a
// window can never overlap another window or the module's static data (the core module has no
// heap at all, see assembly/rt/none.ts).
import { IpcError } from '../errors/IpcError.ts';

/** WebAssembly page size; every region starts and ends on one, hence on every host page too. */
export const WASM_PAGE = 65536;

interface Free {
  start: number;
  size: number;
}

/** Grows the memory by whole WebAssembly pages; returns false when the maximum is reached. */
export type Grow = (pages: number) => boolean;

export class RegionAllocator {
  private readonly free: Free[] = [];
  private readonly used = new Map<number, number>();
  private end: number;

  /**
   * @param start first byte the allocator may hand out (rounded up to a page)
   * @param end current size of the memory in bytes
   * @param grow enlarges the memory; the allocator only ever appends at the end
   */
  constructor(start: number, end: number, private readonly growMemory: Grow) {
    const first = Math.ceil(start / WASM_PAGE) * WASM_PAGE;
    this.end = Math.max(end, first);
    if (this.end > first) this.free.push({ start: first, size: this.end - first });
  }

  /** Size the memory has now (bytes). */
  get endOfMemory(): number {
    return this.end;
  }

  /** Reserves at least `bytes` (rounded up to whole pages) and returns the region's offset. */
  allocate(bytes: number): number {
    if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new RangeError(`Cannot allocate a region of ${bytes} bytes: the size must be a positive integer`);
    const size = Math.ceil(bytes / WASM_PAGE) * WASM_PAGE;
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i]!;
      if (f.size >= size && (best < 0 || f.size < this.free[best]!.size)) best = i;
    }
    if (best < 0) {
      // Extend the last free block if it touches the end, else append a new one.
      const last = this.free[this.free.length - 1];
      const tail = last && last.start + last.size === this.end ? last.size : 0;
      const pages = (size - tail) / WASM_PAGE;
      if (!this.growMemory(pages)) {
        throw new IpcError('NO_SPACE', `Cannot reserve ${size} bytes of WebAssembly memory: ${this.end} bytes are in use and the memory cannot grow by ${pages} pages`);
      }
      const grownFrom = this.end;
      this.end += pages * WASM_PAGE;
      if (tail > 0) last!.size += pages * WASM_PAGE;
      else this.free.push({ start: grownFrom, size: pages * WASM_PAGE });
      best = this.free.length - 1; // the block at the end now fits
    }
    const f = this.free[best]!;
    const start = f.start;
    if (f.size === size) this.free.splice(best, 1);
    else {
      f.start += size;
      f.size -= size;
    }
    this.used.set(start, size);
    return start;
  }

  /** Size of the region at `start`, or undefined when none starts there. */
  sizeOf(start: number): number | undefined {
    return this.used.get(start);
  }

  /** Returns a region; neighbouring free regions merge. */
  release(start: number): void {
    const size = this.used.get(start);
    if (size === undefined) throw new IpcError('CLOSED', `Cannot release the region at ${start}: it is not allocated`);
    this.used.delete(start);
    let i = 0;
    while (i < this.free.length && this.free[i]!.start < start) i++;
    this.free.splice(i, 0, { start, size });
    const next = this.free[i + 1];
    if (next && start + size === next.start) {
      this.free[i]!.size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.start + prev.size === start) {
      prev.size += this.free[i]!.size;
      this.free.splice(i, 1);
    }
  }

  /** Bytes currently handed out. */
  get usedBytes(): number {
    let n = 0;
    for (const s of this.used.values()) n += s;
    return n;
  }
}
