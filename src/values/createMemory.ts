import { IpcError } from '../errors/IpcError.ts';
import { forgetMemoryHandle, layoutOf, type MemoryOptions } from './memoryHandles.ts';
import { sysframeCreate } from './sysframeMemory.ts';
import { SharedMemory } from './SharedMemory.ts';

/**
 * Creates the named memory `name` with no value yet. Returns true when created, false when it
 * exists already (like Python's `create_memory`). No size is given: writes size it.
 *
 * @throws {IpcError} INVALID_NAME, PERMISSION_DENIED, NO_SPACE
 * @example
 * ```ts
 * import { createMemory, readMemory } from 'membridge';
 * createMemory('config');
 * readMemory('config'); // null: nothing written yet
 * ```
 */
export function createMemory(name: string, options?: MemoryOptions): boolean {
  if (layoutOf(options, 'createMemory') === 'sysframe') return sysframeCreate(name, options?.mode);
  try {
    SharedMemory.create(name, { mode: options?.mode }).close();
  } catch (err) {
    if (err instanceof IpcError && err.code === 'ALREADY_EXISTS') return false;
    throw err;
  }
  forgetMemoryHandle(name);
  return true;
}
