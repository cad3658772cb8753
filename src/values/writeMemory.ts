import { layoutOf, withMemory, type MemoryOptions } from './memoryHandles.ts';
import { sysframeWrite } from './sysframeMemory.ts';
import { encodeStoredValue } from './valueCodec.ts';

/**
 * Writes `value` to the named memory `name`, creating it when missing, and returns true (like
 * Python's `write_memory`). Any size: a larger value moves the data to a larger segment that
 * readers follow. The value is encoded before anything in shared memory is touched, so an
 * unencodable value throws and changes nothing.
 *
 * @throws {IpcError} INVALID_NAME, TOO_LARGE, TIMED_OUT, PERMISSION_DENIED, NO_SPACE, WRONG_KIND
 * @throws {TypeError} for a value the format cannot encode
 * @example
 * ```ts
 * import { writeMemory } from 'membridge';
 * writeMemory('config', { rate: 50, axes: ['x', 'y'] });
 * ```
 */
export function writeMemory(name: string, value: unknown, options?: MemoryOptions): boolean {
  const layout = layoutOf(options, 'writeMemory');
  const bytes = encodeStoredValue(value, `named memory "${name}"`);
  if (layout === 'sysframe') sysframeWrite(name, bytes, options);
  else withMemory(name, true, (m) => m.writeBytes(bytes), options);
  return true;
}
