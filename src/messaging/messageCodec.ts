// The one seam between messaging and value encoding (valueCodec.ts is the seam of stored values):
// channels, shared functions and dispatchers move bytes; this module turns values into pybytes
// messages (protocol 2, the format of Python's sysframe) and back.
//
// Encoding goes through the JS encoder into a fresh array (the ring needs the length before it can
// reserve a record). Decoding a message that sits whole in a ring reads it in place, from the core
// memory, with no copy; a message reassembled from chunks is an ordinary array.
import { decodeFromCore } from '../platform/coreCodec.ts';
import { decode } from '../pybytes/decode.ts';
import { encode, encodeTransient } from '../pybytes/encode.ts';

/**
 * Encodes a value for a message.
 * @throws {TypeError} when the value cannot be encoded in pybytes
 * @throws {RangeError} when it nests deeper than the codec allows (e.g. a cycle)
 */
export function encodeMessage(value: unknown): Uint8Array {
  return encode(value === undefined ? null : value);
}

/**
 * encodeMessage() into the encoder's reusable buffer, valid only until the next encode: for a
 * message written into its ring at once (a queued one is copied first, ChannelSlot.enqueue). Saves
 * an ArrayBuffer per message, 1.5-4 us on Node 20 and Deno for more than 64 bytes.
 */
export function encodeMessageTransient(value: unknown): Uint8Array {
  return encodeTransient(value === undefined ? null : value);
}

/**
 * Decodes a message: `bytes` when given, else the `length` bytes at `ptr` of the core memory (a
 * record still in its ring), in place.
 * @throws {DecodeError} when the bytes are not a pybytes message
 */
export function decodeMessage(ptr: number, length: number, bytes?: Uint8Array): unknown {
  return bytes ? decode(bytes) : decodeFromCore(ptr, length);
}
