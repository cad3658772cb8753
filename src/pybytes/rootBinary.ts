import { DECODE_DEFAULTS, type DecodeOptions } from './DecodeOptions.ts';
import * as T from './tokenKinds.ts';
import { ByteArray, MemoryView } from './values/binary.ts';

// A protocol-2 message whose root item is one large bytes / bytearray / memoryview (a blob sent on
// its own) is checked and sliced here, without copying it into WebAssembly memory first: the parser
// would only read its length header. Anything unusual (other header forms, a payload longer than the
// message, size-limit options) returns undefined and takes the general path, which reports errors.
export const ROOT_BINARY_MIN = 4096;

export function rootBinary(input: Uint8Array, tag: number, options: DecodeOptions | undefined): unknown {
  if (options !== undefined && (options.maxBinaryLength !== undefined || options.maxDepth !== undefined ||
    options.maxStringLength !== undefined || options.maxContainerLength !== undefined)) return undefined;
  const kind = tag <= 22 ? T.K_BYTES : tag <= 27 ? T.K_BYTEARRAY : T.K_MEMVIEW;
  const sub = tag - (tag <= 22 ? 18 : tag <= 27 ? 23 : 58);
  const length = input.byteLength;
  let p = 2;
  let n: number;
  if (sub === 0) n = 0;
  else if (sub === 1) n = input[p++]!;
  else if (sub === 2) {
    n = input[p]! | (input[p + 1]! << 8);
    p += 2;
  } else if (sub === 3) {
    const m = input[p++]!;
    if (m === 0 || m > 6 || p + m > length) return undefined;
    n = 0;
    for (let i = m - 1; i >= 0; i--) n = n * 256 + input[p + i]!;
    p += m;
  } else return undefined;
  if (n > length - p || n > DECODE_DEFAULTS.maxBinaryLength) return undefined;
  const wantLossless = options?.lossless === true;
  const at = input.byteOffset + p;
  const buffer = input.buffer as ArrayBuffer;
  if (options?.views === true) {
    if (wantLossless && kind !== T.K_BYTES) return kind === T.K_BYTEARRAY ? new ByteArray(buffer, at, n) : new MemoryView(buffer, at, n);
    return new Uint8Array(buffer, at, n);
  }
  if (wantLossless && kind !== T.K_BYTES) {
    const out = kind === T.K_BYTEARRAY ? new ByteArray(n) : new MemoryView(n);
    out.set(new Uint8Array(buffer, at, n));
    return out;
  }
  return new Uint8Array(buffer, at, n).slice();
}
