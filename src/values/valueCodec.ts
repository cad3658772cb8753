// The one seam between shared values and the value format: named memory and shared variables
// store pybytes messages (docs/pybytes.md), so Python peers and membridge processes
// read each other's values. Encoding happens before any shared memory is touched, so a value that
// cannot be encoded throws and changes nothing.
import { decode } from '../pybytes/decode.ts';
import { IpcError } from '../errors/IpcError.ts';
import { encode, encodeTransient } from '../pybytes/encode.ts';

/**
 * Encodes a value into the bytes stored in shared memory.
 * @throws {TypeError} a value with no pybytes form
 * @throws {RangeError} containers nested too deeply (e.g. a cycle)
 */
export function encodeStoredValue(value: unknown, _what: string): Uint8Array {
  return encode(value);
}

/**
 * encodeStoredValue() into the encoder's reusable buffer: the view is valid only until the next encode,
 * so the caller must copy it into shared memory before anything else encodes.
 */
export function encodeStoredValueTransient(value: unknown, _what: string): Uint8Array {
  return encodeTransient(value);
}

/** How a read decodes the stored value. */
export interface ValueReadOptions {
  /**
   * Decode to the lossless value classes (Tuple, Float, ByteArray, DateTime, …; see docs/pybytes.md)
   * instead of the idiomatic JS mapping, so that writing the value back stores the same bytes: a
   * Python tuple stays a tuple, `1.0` a float. Default false.
   */
  lossless?: boolean;
}

const LOSSLESS = { lossless: true } as const;

/**
 * Decodes bytes copied out of shared memory (trailing bytes are ignored, as Python does).
 * @throws {DecodeError} a malformed message
 * @throws {IpcError} CORRUPT for a truncated message (a complete one is all a writer ever publishes)
 */
export function decodeStoredValue(bytes: Uint8Array, what: string, options?: ValueReadOptions): unknown {
  try {
    return options?.lossless === true ? decode(bytes, LOSSLESS) : decode(bytes);
  } catch (err) {
    // Writers publish only complete messages: a truncated one in a slot was written by something
    // that does not follow the protocol (docs/layout.md, "What a process trusts").
    if (err instanceof RangeError) throw new IpcError('CORRUPT', `Cannot read ${what}: its stored value is not a complete pybytes message (${err.message})`, { cause: err });
    throw err;
  }
}
