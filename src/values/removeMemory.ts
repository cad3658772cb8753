import { forgetMemoryHandle, layoutOf, type MemoryOptions } from './memoryHandles.ts';
import { sysframeRemove } from './sysframeMemory.ts';
import { SharedMemory } from './SharedMemory.ts';

/**
 * Removes the named memory `name`. Returns false when it did not exist (like Python's
 * `remove_memory`). Processes that have it open keep their mapping; their next write creates
 * it anew.
 *
 * @throws {IpcError} INVALID_NAME, PERMISSION_DENIED
 * @example
 * ```ts
 * import { removeMemory } from 'membridge';
 * removeMemory('config');
 * ```
 */
export function removeMemory(name: string, options?: MemoryOptions): boolean {
  if (layoutOf(options, 'removeMemory') === 'sysframe') return sysframeRemove(name);
  forgetMemoryHandle(name);
  return SharedMemory.remove(name);
}
