// Encoding: JS walks the value and writes protocol 2 bytes straight into the target memory (a JS
// buffer for `encode`, a window of the core instance for `encodeRange`). Measured: writing tag and
// header bytes from JS costs less than a JS→WebAssembly call per byte group, so the WebAssembly side
// is used where it pays, i.e. for validating untrusted input (decode.ts). Format: docs/pybytes.md.
// This file holds the entry points; the writers and their state are in writeValue.ts.
import type { CodecHost } from './CodecHost.ts';
import type { EncodeOptions } from './EncodeOptions.ts';
import { begin, buf, dv, end, finish, FULL, grow, growable, pos, writeMessage } from './writeValue.ts';

export { setEncodeRecursionDepth } from './writeValue.ts';

// Node/Bun/Deno: Buffer.allocUnsafeSlow gives an unpooled ArrayBuffer of exactly n bytes without
// zero-filling it; for large messages that is measured ~40% faster than slice() (which allocates
// zeroed memory, then copies). Every byte is overwritten before the array is returned, and the
// result is a plain Uint8Array over its own ArrayBuffer, as from slice().
const allocUnsafeSlow = (() => {
  const fn = (globalThis as { Buffer?: { allocUnsafeSlow?: unknown } }).Buffer?.allocUnsafeSlow;
  return typeof fn === 'function' ? fn as (n: number) => Uint8Array : undefined;
})();
const BIG_MESSAGE = 256 * 1024;

function copyOut(n: number): Uint8Array {
  if (n >= BIG_MESSAGE && allocUnsafeSlow !== undefined) {
    const raw = allocUnsafeSlow(n);
    if (raw.byteOffset === 0 && raw.buffer.byteLength === n) {
      const out = new Uint8Array(raw.buffer, 0, n);
      out.set(buf.subarray(0, n));
      return out;
    }
  }
  return buf.slice(0, n);
}

/**
 * Encodes `value` as one pybytes protocol 2 message (first byte 0xFD), byte-identical to what
 * Python's sysframe 0.4.1 writes for the same value.
 *
 * JS → Python: null/undefined → None, boolean → bool, safe-integer number or bigint → int, other
 * numbers → float, string → str, Uint8Array/Buffer/ArrayBuffer → bytes, other typed arrays →
 * memoryview, Array → list, plain object / Map → dict, Set → set, Date → aware datetime (UTC), and
 * each value class to its type (Tuple → tuple, Float → float, DateTime → datetime, …).
 *
 * @throws {TypeError} a value has no pybytes form (functions, symbols, class instances, lone surrogates)
 * @throws {RangeError} containers nest deeper than `maxDepth` (default 100, as Python), e.g. a cycle
 * @example
 * ```ts
 * import { encode } from 'membridge/pybytes';
 * encode({ id: 123, tags: ['a'] }); // Uint8Array [0xfd, 0x2c, 0x02, …]
 * ```
 */
export function encode(value: unknown, options?: EncodeOptions): Uint8Array {
  const saved = begin(undefined, undefined, 0, 0, options);
  try {
    writeMessage(value);
    return copyOut(pos);
  } finally {
    finish(saved);
  }
}

/**
 * Internal: like encode(), but returns a view of the encoder's reusable buffer, valid only until
 * the next encode. For callers that copy the message elsewhere at once (shared values): a fresh
 * ArrayBuffer of more than 64 bytes costs 1.5-4 us to allocate on Node 20 and Deno (V8 keeps only
 * smaller ones on its heap), more than encoding a small value.
 */
export function encodeTransient(value: unknown, options?: EncodeOptions): Uint8Array {
  const saved = begin(undefined, undefined, 0, 0, options);
  try {
    writeMessage(value);
    return buf.subarray(0, pos);
  } finally {
    finish(saved);
  }
}

/**
 * Encodes `value` into `host`'s memory at `[ptr, ptr + capacity)`. Returns the message length, or
 * the negated length needed when the range is too small (nothing useful is left in the range then).
 * Internal: the shared-memory layers encode straight into mapped windows with it.
 */
export function encodeRange(host: CodecHost, value: unknown, ptr: number, capacity: number, options?: EncodeOptions): number {
  const memory = new Uint8Array(host.memory.buffer);
  if (!Number.isInteger(ptr) || !Number.isInteger(capacity) || ptr < 0 || capacity < 0 || ptr + capacity > memory.byteLength) {
    throw new RangeError(`Cannot encode into [${ptr}, ${ptr + capacity}): outside the ${memory.byteLength}-byte memory`);
  }
  const saved = begin(memory, undefined, ptr, ptr + capacity, options);
  try {
    if (capacity < 1) throw FULL;
    writeMessage(value);
    return pos - ptr;
  } catch (err) {
    if (err !== FULL) throw err;
  } finally {
    finish(saved);
  }
  return -encode(value, options).byteLength;
}

/**
 * Encodes `value` into `target` (from its first byte) and returns the message length: no new
 * ArrayBuffer per message. `target` may be any Uint8Array, e.g. over a SharedArrayBuffer.
 *
 * @throws {RangeError} `target` is too small; the error's `needed` property holds the length the
 *   message needs (the bytes of `target` are unspecified then)
 * @throws {TypeError} a value has no pybytes form (as {@link encode})
 * @example
 * ```ts
 * import { decode, encodeInto } from 'membridge/pybytes';
 * const buffer = new Uint8Array(4096);
 * const n = encodeInto({ id: 1 }, buffer);
 * decode(buffer.subarray(0, n)); // { id: 1 }
 * ```
 */
export function encodeInto(value: unknown, target: Uint8Array, options?: EncodeOptions): number {
  if (!(target instanceof Uint8Array)) throw new TypeError('Cannot encode into this target: expected a Uint8Array');
  const n = encodeBuffer(value, target, undefined, false, options);
  if (n >= 0) return n;
  // The writers reserve room per item conservatively (a header's 9 bytes, 3 per UTF-16 unit), so a
  // message that fits exactly can still run out above: encode it aside and copy it when it fits.
  const whole = encodeTransient(value, options);
  const needed = whole.byteLength;
  if (needed <= target.byteLength) {
    target.set(whole);
    return needed;
  }
  throw Object.assign(new RangeError(`Cannot encode into a ${target.byteLength}-byte array: the message needs ${needed} bytes`), { needed });
}

/**
 * Internal (encodeInto, Encoder): encodes into `target` from offset 0 and returns the length, or -1
 * when `target` is full and `canGrow` is false. With `canGrow`, a full target is replaced by a
 * larger array, which lastBuffer() / lastView() then return.
 */
export function encodeBuffer(value: unknown, target: Uint8Array, view: DataView | undefined, canGrow: boolean, options: EncodeOptions | undefined): number {
  const saved = begin(target, view, 0, target.byteLength, options, canGrow);
  try {
    if (end < 1) {
      if (!growable) throw FULL;
      grow(1);
    }
    writeMessage(value);
    if (canGrow) {
      last = buf;
      lastDv = dv;
    }
    return pos;
  } catch (err) {
    if (err !== FULL) throw err;
    return -1;
  } finally {
    finish(saved);
  }
}

let last: Uint8Array = buf;
let lastDv: DataView = dv;

/** The array the last successful encodeBuffer wrote (its target, or the larger one it grew into). */
export function lastBuffer(): Uint8Array {
  return last;
}

/** A DataView over lastBuffer(). */
export function lastView(): DataView {
  return lastDv;
}
