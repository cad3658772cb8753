// Lossless stand-ins for Python's bytearray and memoryview. Plain Uint8Array (and Buffer) is bytes.

/**
 * A Python `bytearray`.
 * @example
 * ```ts
 * import { encode, ByteArray } from 'membridge/pybytes';
 * encode(ByteArray.from([1, 2])); // fd 18 02 01 02
 * ```
 */
export class ByteArray extends Uint8Array {}

/**
 * A Python `memoryview` (format and shape are not on the wire: just the bytes).
 * @example
 * ```ts
 * import { encode, MemoryView } from 'membridge/pybytes';
 * encode(new MemoryView(4));
 * ```
 */
export class MemoryView extends Uint8Array {}
