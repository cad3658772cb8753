// The one seam between messaging and value encoding: channels, shared functions and dispatchers
// move bytes; this module turns values into those bytes and back.
//
// INTERIM: the pybytes codec is being written on another branch. Until it is merged this encodes
// with a tagged stand-in (raw bytes pass through unchanged; everything else as UTF-8 JSON) so the
// messaging layers can be built and tested. It is NOT the wire format: switching to pybytes means
// replacing the two functions below.
import { IpcError } from '../IpcError.ts';

const RAW = 0x00;
const JSON_TAG = 0x01;
const BYTES_KEY = '\u0000bytes';
const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Encodes a value for a message.
 * @throws {TypeError} when the value cannot be encoded
 */
export function encodeValue(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) {
    const out = new Uint8Array(value.length + 1);
    out[0] = RAW;
    out.set(value, 1);
    return out;
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value === undefined ? null : value, (_k, v: unknown) => (v instanceof Uint8Array ? { [BYTES_KEY]: Array.from(v) } : v));
  } catch (err) {
    throw new TypeError(`Cannot encode the value: ${(err as Error).message}`);
  }
  if (text === undefined) throw new TypeError(`Cannot encode a value of type ${typeof value}`);
  const body = enc.encode(text);
  const out = new Uint8Array(body.length + 1);
  out[0] = JSON_TAG;
  out.set(body, 1);
  return out;
}

/**
 * Decodes a message payload (copying out of `bytes`, which may be a view of shared memory).
 * @throws {IpcError} CORRUPT when the bytes are not a value
 */
export function decodeValue(bytes: Uint8Array): unknown {
  const tag = bytes[0];
  if (tag === RAW) return bytes.slice(1);
  if (tag === JSON_TAG) {
    try {
      return JSON.parse(dec.decode(bytes.slice(1)), (_k, v: unknown) =>
        v !== null && typeof v === 'object' && BYTES_KEY in v ? Uint8Array.from((v as Record<string, number[]>)[BYTES_KEY]!) : v,
      );
    } catch (err) {
      throw new IpcError('CORRUPT', `Cannot decode a message of ${bytes.length} bytes: ${(err as Error).message}`, { cause: err });
    }
  }
  throw new IpcError('CORRUPT', `Cannot decode a message of ${bytes.length} bytes: unknown tag ${tag}`);
}
