// The handles behind createMemory/writeMemory/readMemory/removeMemory: opening a segment costs
// system calls and a mapping, so each process keeps one SharedMemory per name and drops it when
// another process removed the memory.
import type { AllowedUsers } from '../segments/segmentOwner.ts';
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
  /** File mode of the segments (or sysframe file) a write or create makes (default 0o600; sysframe: 0o666 & ~umask, as Python). */
  mode?: number;
  /**
   * Accept memory of other users: true, or a list of user ids (default: only this process's user;
   * another user's segment or sysframe file of that name gives PERMISSION_DENIED).
   */
  allowOtherUsers?: AllowedUsers;
}

// Handles are cached per name and per accepted users: a handle opened with an opt-in is never
// handed to a call made without it.
function handleKey(name: string, options: MemoryOptions | undefined): string {
  const allow = options?.allowOtherUsers;
  return allow === undefined || allow === false ? name : `${name}\u0000${JSON.stringify(allow)}`;
}

const handles = new Map<string, SharedMemory>();

/** The cached handle for `name`, opened (or created) on first use. */
export function memoryHandle(name: string, create: boolean, options?: MemoryOptions): SharedMemory {
  const key = handleKey(name, options);
  let h = handles.get(key);
  if (h && h.removed) {
    h.close();
    handles.delete(key);
    h = undefined;
  }
  if (!h) {
    const opts = { mode: options?.mode, allowOtherUsers: options?.allowOtherUsers };
    h = create ? SharedMemory.openOrCreate(name, opts) : SharedMemory.open(name, opts);
    handles.set(key, h);
  }
  return h;
}

/** Runs `op` on the cached handle, once more with a fresh one if the memory was removed meanwhile. */
export function withMemory<R>(name: string, create: boolean, op: (m: SharedMemory) => R, options?: MemoryOptions): R {
  try {
    return op(memoryHandle(name, create, options));
  } catch (err) {
    if (!(err instanceof IpcError && err.code === 'NOT_FOUND' && handles.has(handleKey(name, options)))) throw err;
    forgetMemoryHandle(name);
    return op(memoryHandle(name, create, options));
  }
}

/** Closes and forgets the cached handles for `name`. */
export function forgetMemoryHandle(name: string): void {
  for (const [key, h] of handles) {
    if (key === name || key.startsWith(`${name}\u0000`)) {
      h.close();
      handles.delete(key);
    }
  }
}

export function layoutOf(options: MemoryOptions | undefined, fn: string): 'membridge' | 'sysframe' {
  const layout = options?.layout ?? 'membridge';
  if (layout !== 'membridge' && layout !== 'sysframe') throw new TypeError(`Cannot call ${fn}() with layout "${String(layout)}": use "membridge" or "sysframe"`);
  return layout;
}
