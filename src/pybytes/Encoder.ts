// A reusable encoder: one growing buffer per instance, so that a stream of messages allocates no
// ArrayBuffer per message (a fresh one of more than 64 bytes costs 1.5-4 us on Node 20 and Deno,
// more than encoding a small value; bench/codec.mjs measures the "Encoder" row).
import { encodeBuffer, encodeInto, lastBuffer, lastView } from './encode.ts';
import { ENCODE_DEFAULTS, type EncodeOptions } from './EncodeOptions.ts';

/**
 * Encodes values into a buffer it keeps and reuses. {@link Encoder.encode} returns a view of that
 * buffer, valid until the next call on the same encoder: copy it (or write it out) before encoding
 * again. Use the module's `encode()` for an array the caller owns.
 *
 * @example
 * ```ts
 * import { Encoder } from 'membridge/pybytes';
 * const encoder = new Encoder({ maxDepth: 200 });
 * for (const record of records) socket.write(encoder.encode(record)); // write() copies
 * ```
 */
export class Encoder {
  private buffer: Uint8Array;
  private view: DataView;
  private readonly options: EncodeOptions | undefined;

  /**
   * @param options `maxDepth` as for `encode()`; `initialSize` the buffer's first size in bytes
   *   (default 4096; it doubles when a message needs more, and stays that large)
   * @throws {RangeError} an option is out of range
   */
  constructor(options?: EncodeOptions & { initialSize?: number }) {
    const size = options?.initialSize ?? 4096;
    if (!Number.isInteger(size) || size < 16 || size > 2 ** 31) throw new RangeError(`Cannot use initialSize ${size}: expected an integer from 16 to 2^31`);
    const d = options?.maxDepth;
    if (d !== undefined && (!Number.isInteger(d) || d < 1 || d > 10_000)) throw new RangeError(`Cannot use maxDepth ${d}: expected an integer from 1 to 10000`);
    this.options = d === undefined || d === ENCODE_DEFAULTS.maxDepth ? undefined : { maxDepth: d };
    this.buffer = new Uint8Array(size);
    this.view = new DataView(this.buffer.buffer);
  }

  /**
   * Encodes `value` (as `encode()`) into this encoder's buffer and returns a view of the message,
   * valid until the next call on this encoder.
   * @throws {TypeError} a value has no pybytes form
   * @throws {RangeError} containers nest deeper than `maxDepth` (e.g. a cycle)
   */
  encode(value: unknown): Uint8Array {
    const n = encodeBuffer(value, this.buffer, this.view, true, this.options);
    this.buffer = lastBuffer();
    this.view = lastView();
    return this.buffer.subarray(0, n);
  }

  /**
   * Encodes `value` into `target` from its first byte and returns the length (as `encodeInto()`,
   * with this encoder's options).
   * @throws {RangeError} `target` is too small (`needed` holds the length required)
   */
  encodeInto(value: unknown, target: Uint8Array): number {
    return encodeInto(value, target, this.options);
  }
}
