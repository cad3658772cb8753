/** Why a pybytes message was rejected. Truncated input is a `RangeError` instead (see `decode`). */
export type DecodeErrorCode =
  /** Byte 0 is not 0xFD (protocol 2) or 0xFE (protocol 1), or the input is empty. */
  | 'BAD_PROTOCOL'
  /** An item starts with a tag no protocol assigns (103–255 in protocol 2). */
  | 'UNKNOWN_TAG'
  /** A D1/D2 length header declares a zero-byte length field. */
  | 'BAD_LENGTH'
  /** A str, path, Decimal or date text is not strict UTF-8. */
  | 'BAD_UTF8'
  /** Containers nest deeper than the `maxDepth` option. */
  | 'TOO_DEEP'
  /** A dict key or set item is a type Python cannot hash (list, dict, set, …). */
  | 'UNHASHABLE'
  /** A length or count is above a size limit option. */
  | 'LIMIT'
  /** An item has the wrong type for its place (range of non-ints, namedtuple field name not a str). */
  | 'BAD_ITEM'
  /** The text payload of a datetime, date, time, UUID or Decimal does not parse, or a value is out of range. */
  | 'BAD_VALUE';

/**
 * A pybytes message is malformed. `offset` is the byte offset (from the protocol byte) where the
 * problem was found and `tag` the tag of the item being read (protocol-2 numbering; `-1` for
 * problems with the protocol byte itself).
 *
 * @example
 * ```ts
 * import { decode, DecodeError } from 'membridge/pybytes';
 * try {
 *   decode(new Uint8Array([0xfd, 0x68]));
 * } catch (err) {
 *   if (err instanceof DecodeError) console.log(err.code, err.offset); // UNKNOWN_TAG 1
 * }
 * ```
 */
export class DecodeError extends Error {
  override name = 'DecodeError';
  readonly code: DecodeErrorCode;
  readonly offset: number;
  readonly tag: number;

  constructor(code: DecodeErrorCode, offset: number, tag: number, detail: string) {
    super(`Cannot decode pybytes at offset ${offset}${tag >= 0 ? ` (tag 0x${tag.toString(16).padStart(2, '0')})` : ''}: ${detail}`);
    this.code = code;
    this.offset = offset;
    this.tag = tag;
  }
}
