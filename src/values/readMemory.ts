import { layoutOf, withMemory, type MemoryOptions } from './memoryHandles.ts';
import { sysframeRead } from './sysframeMemory.ts';
import { decodeStoredValue } from './valueCodec.ts';

/**
 * Reads the newest value of the named memory `name`: one complete value, never a torn one.
 * Returns null when nothing was written yet (Python's `read_memory` returns None); use
 * `SharedMemory.read()` to tell that apart from a stored None. With `{ lossless: true }` the value
 * comes back as the lossless value classes, so writing it back stores the same bytes.
 *
 * @throws {IpcError} NOT_FOUND, INVALID_NAME, WRONG_KIND, CORRUPT, PERMISSION_DENIED
 * @example
 * ```ts
 * import { readMemory, writeMemory } from 'membridge';
 * writeMemory('config', 'hello');
 * readMemory('config'); // 'hello'
 * ```
 */
export function readMemory(name: string, options?: MemoryOptions): unknown {
  const what = `named memory "${name}"`;
  if (layoutOf(options, 'readMemory') === 'sysframe') {
    const bytes = sysframeRead(name, options);
    return bytes === undefined ? null : decodeStoredValue(bytes, what, options);
  }
  const got = withMemory(name, false, (m) => m.readBytes(), options);
  return got === undefined ? null : decodeStoredValue(got.bytes, what, options);
}
