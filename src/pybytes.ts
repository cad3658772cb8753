/**
 * `membridge/pybytes`: the pybytes wire format of Python's sysframe package (protocol 2, and
 * protocol 1 for decoding), with no native addon and no shared memory, so it also runs in browsers.
 *
 * This barrel lists every public name of the subpath; nothing else is public.
 * @module
 */

// Encoding and decoding
export { encode, encodeInto } from './pybytes/encode.ts';
export { Encoder } from './pybytes/Encoder.ts';
export type { EncodeOptions } from './pybytes/EncodeOptions.ts';
export { ENCODE_DEFAULTS } from './pybytes/EncodeOptions.ts';
export { decode } from './pybytes/decode.ts';
export type { DecodeInput } from './pybytes/decode.ts';
export type { DecodeOptions } from './pybytes/DecodeOptions.ts';
export { DECODE_DEFAULTS } from './pybytes/DecodeOptions.ts';

// Errors
export { DecodeError } from './pybytes/DecodeError.ts';
export type { DecodeErrorCode } from './pybytes/DecodeError.ts';

// Value classes (lossless mode, and types with no JS counterpart)
export { Tuple, Deque, FrozenSet } from './pybytes/values/sequences.ts';
export { ByteArray, MemoryView } from './pybytes/values/binary.ts';
export { OrderedDict, Counter, ChainMap } from './pybytes/values/mappings.ts';
export { Float, Complex, Decimal } from './pybytes/values/numbers.ts';
export { UUID, Range, NamedTuple, Path, PurePath, Ellipsis } from './pybytes/values/misc.ts';
export { DateTime, CalendarDate, Time, TimeDelta } from './pybytes/values/temporal.ts';

// Typed JSON (the value scheme of the golden vectors, also used by the CLI)
export { toTypedJson, fromTypedJson } from './pybytes/typedJson.ts';
export type { TypedJson } from './pybytes/typedJson.ts';
