// The handles behind createMemory/writeMemory/readMemory/removeMemory: opening a segment costs
// system calls and a mapping, so each process keeps one SharedMemory per name and drops it when
// another process removed the memory.
import { IpcError } from '../errors/IpcError.ts';
import { SharedMemory } from './SharedMemory.ts';

/** Options of the named-memory functions. */
export interface MemoryOptions {
  /**
   * "membridge" (default): membridge's crash-safe multi-slot layout, names prefixed "mb.".
   * "sysframe": the layout of Python's sysframe.membridge basic memory at the bare name, for
   * exchanging values with Python processes (no protection against torn reads, as in Python).
   */
  layout?: 'membridge' | 'sysframe';
  /** readMemory only: decode losslessly (see ValueReadOptions). Default false. */
  lossless?: boolean;
}

const handles = new Map<string, SharedMemory>();

/** The cached handle for `name`, opened (or created) on first use. */
export function memoryHandle(name: string, create: boolean): SharedMemory {
  let h = handles.get(name);
  if (h && h.removed) {
    h.close();
    handles.delete(name);
    h = undefined;
  }
  if (!h) {
    h = create ? SharedMemory.openOrCreate(name) : SharedMemory.open(name);
    handles.set(name, h);
  }
  return h;
}

/** Runs `op` on the cached handle, once more with a fresh one if the memory was removed meanwhile. */
export function withMemory<R>(name: string, create: boolean, op: (m: SharedMemory) => R): R {
  try {
    return op(memoryHandle(name, create));
  } catch (err) {
    if (!(err instanceof IpcError && err.code === 'NOT_FOUND' && handles.has(name))) throw err;
    forgetMemoryHandle(name);
    return op(memoryHandle(name, create));
  }
}

/** Closes and forgets the cached handle for `name`. */
export function forgetMemoryHandle(name: string): void {
  handles.get(name)?.close();
  handles.delete(name);
}

export function layoutOf(options: MemoryOptions | undefined, fn: string): 'membridge' | 'sysframe' {
  const layout = options?.layout ?? 'membridge';
  if (layout !== 'membridge' && layout !== 'sysframe') throw new TypeError(`Cannot call ${fn}() with layout "${String(layout)}": use "membridge" or "sysframe"`);
  return layout;
}
