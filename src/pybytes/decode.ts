// Decoding: the WebAssembly parser (assembly/codec/parse.ts) validates the whole message and writes
// a token stream; this file turns tokens into JS values. Nothing here reads the message without a
// token pointing at a range the parser has already bounds-checked.
import { DecodeError, type DecodeErrorCode } from './DecodeError.ts';
import type { CodecHost } from './CodecHost.ts';
import { DECODE_DEFAULTS, type DecodeOptions } from './DecodeOptions.ts';
import { parseDate, parseDateTime, parseTime } from './isoformat.ts';
import { standaloneHost } from './standaloneHost.ts';
import * as T from './tokenKinds.ts';
import { ByteArray, MemoryView } from './values/binary.ts';
import { ChainMap, Counter, OrderedDict } from './values/mappings.ts';
import { Ellipsis, NamedTuple, Path, PurePath, Range, UUID } from './values/misc.ts';
import { Complex, DECIMAL_SYNTAX, Decimal, Float } from './values/numbers.ts';
import { Deque, FrozenSet, Tuple } from './values/sequences.ts';
import { TimeDelta } from './values/temporal.ts';

const utf8 = new TextDecoder('utf-8');

// Materialiser state. decode() is synchronous and calls no user code, so one set suffices.
let u8: Uint8Array = new Uint8Array(0);
let dv: DataView = new DataView(new ArrayBuffer(8));
let tok: Int32Array = new Int32Array(0);
let ti = 0; // index into tok (words)
let base = 0; // offset of the protocol byte in the memory
let lossless = false;
let views = false; // DecodeOptions.views, honoured only when `source` is set
let sharedMemory = false;
let source: Uint8Array | undefined; // see parseAndRead
// Scratch for shapedObject: keys at even, values at odd indexes; a dict takes 2n entries from
// `vsp` while the dicts nested in it use those above.
const pairs: unknown[] = [];
let vsp = 0;
// Containers open in the recursive reader (read -> container -> read ...). Past `recursionDepth`
// levels readDeep takes over with an explicit stack: measured on Node 20 (default stack) the
// recursive reader overflows from depth ~1,540 and Deno's from ~1,580, well inside maxDepth's
// documented range. 200 levels leave ample room for a caller that is itself deep in its stack.
let level = 0;
let recursionDepth = 200;

/** Internal, for tests: the depth at which decoding switches to the explicit stack. Returns the old one. */
export function setDecodeRecursionDepth(depth: number): number {
  const old = recursionDepth;
  recursionDepth = depth;
  return old;
}

/** Bytes `decode` accepts. */
export type DecodeInput = Uint8Array | ArrayBuffer | ArrayBufferView;

function limit(name: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new RangeError(`Cannot use ${name} ${value}: expected an integer from 1 to ${max}`);
  return value;
}

function fail(code: DecodeErrorCode, offset: number, tag: number, detail: string): never {
  throw new DecodeError(code, offset, tag, detail);
}

function truncated(offset: number, tag: number, length: number): never {
  const err = new RangeError(`Cannot decode pybytes at offset ${offset}${tag >= 0 ? ` (tag 0x${tag.toString(16).padStart(2, '0')})` : ''}: the message is truncated (it ends after ${length} bytes)`);
  Object.assign(err, { offset, tag });
  throw err;
}

/**
 * Decodes the message of `length` bytes at `ptr` in `host`'s memory. Internal: later layers call it
 * on windows of the core instance; `decode` calls it on a copy in the standalone instance.
 * Trailing bytes after the root item are ignored (docs/pybytes.md, "The format in brief").
 */
export function decodeRange(host: CodecHost, ptr: number, length: number, options?: DecodeOptions): unknown {
  return parseAndRead(host, ptr, length, 0, options, undefined);
}

/**
 * Parses the message at `ptr` with the parser's stack and tokens placed `skip` bytes into the host's
 * scratch area, then builds the value. `src`, when given, holds the same bytes as the message
 * (offset 0 = protocol byte) in ordinary JS memory: binary payloads are copied out of it, which is
 * faster than slicing WebAssembly memory on Node 20 and leaves the core memory untouched.
 */
function parseAndRead(host: CodecHost, ptr: number, length: number, skip: number, options: DecodeOptions | undefined, src: Uint8Array | undefined): unknown {
  let maxDepth: number = DECODE_DEFAULTS.maxDepth;
  let maxStr: number = DECODE_DEFAULTS.maxStringLength;
  let maxBin: number = DECODE_DEFAULTS.maxBinaryLength;
  let maxItems: number = DECODE_DEFAULTS.maxContainerLength;
  let wantLossless = false;
  let wantViews = false;
  if (options !== undefined) {
    maxDepth = limit('maxDepth', options.maxDepth, maxDepth, 10_000);
    maxStr = limit('maxStringLength', options.maxStringLength, maxStr, 0xffffffff);
    maxBin = limit('maxBinaryLength', options.maxBinaryLength, maxBin, 0xffffffff);
    maxItems = limit('maxContainerLength', options.maxContainerLength, maxItems, 0xffffffff);
    wantLossless = options.lossless === true;
    wantViews = options.views === true;
  }
  const stackBytes = (maxDepth * T.FRAME_SIZE + 15) & ~15;
  // Every item takes at least one byte, so `length` tokens always suffice; start smaller so that a
  // large binary payload does not reserve 12 bytes of tokens per payload byte.
  let tokCap = Math.min(length, 1024 + (length >>> 2));
  for (;;) {
    const scratch = host.scratch(skip + stackBytes + tokCap * 12) + skip;
    const status = host.exports.pbParse(ptr, length, scratch + stackBytes, tokCap, scratch, maxDepth, maxStr, maxBin, maxItems);
    if (status === T.S_TOKENS_FULL && tokCap < length) {
      tokCap = length;
      continue;
    }
    if (status !== T.S_OK) report(host, status, length, options);
    // One set of views over the whole memory, renewed only when it grew (views are per buffer).
    const view = host.view !== undefined ? host.view() : memoryView(host);
    if (view !== u8) {
      u8 = view;
      dv = new DataView(view.buffer);
      tok = new Int32Array(view.buffer, 0, view.byteLength >>> 2);
    }
    ti = (scratch + stackBytes) >>> 2;
    base = ptr;
    lossless = wantLossless;
    views = wantViews && src !== undefined;
    sharedMemory = host.shared;
    source = src;
    vsp = 0;
    level = 0;
    let ok = false;
    try {
      const value = read();
      ok = true;
      return value;
    } finally {
      source = undefined; // do not keep the caller's buffer alive
      if (!ok) pairs.fill(undefined); // nor values of a failed decode
    }
  }
}

function memoryView(host: CodecHost): Uint8Array {
  const buffer = host.memory.buffer;
  return u8.buffer === buffer && u8.byteLength === buffer.byteLength ? u8 : new Uint8Array(buffer);
}

function report(host: CodecHost, status: number, length: number, options?: DecodeOptions): never {
  const ex = host.exports;
  const offset = ex.pbErrorOffset();
  const rawTag = ex.pbErrorTag();
  const tag = rawTag >= 0x100 ? -1 : rawTag;
  switch (status) {
    case T.S_TRUNCATED: truncated(offset, tag, length);
    case T.S_BAD_PROTOCOL:
      fail('BAD_PROTOCOL', 0, -1, length === 0 ? 'the message is empty' : `byte 0 is 0x${(rawTag & 0xff).toString(16).padStart(2, '0')}, not a protocol marker (0xfd or 0xfe)`);
    case T.S_UNKNOWN_TAG: fail('UNKNOWN_TAG', offset, tag, 'no type has this tag');
    case T.S_BAD_LENGTH: fail('BAD_LENGTH', offset, tag, 'the length header declares a zero-byte length field');
    case T.S_BAD_UTF8: fail('BAD_UTF8', offset, tag, 'the text is not valid UTF-8');
    case T.S_TOO_DEEP: fail('TOO_DEEP', offset, tag, `containers nest deeper than maxDepth (${options?.maxDepth ?? DECODE_DEFAULTS.maxDepth})`);
    case T.S_UNHASHABLE: fail('UNHASHABLE', offset, tag, 'a dict key or set item has an unhashable type (list, dict, set, bytearray, deque, or a tuple holding one)');
    case T.S_LIMIT: fail('LIMIT', offset, tag, 'a length or count is above the size limits of the decode options');
    case T.S_BAD_ITEM: fail('BAD_ITEM', offset, tag, 'an item has the wrong type here (range bounds must be ints, namedtuple names must be str)');
    case T.S_BAD_UUID: fail('BAD_VALUE', offset, 0x39, 'a UUID must be 32 hex digits');
    default: throw new Error(`membridge codec returned unknown status ${status}`);
  }
}

// Node and Bun: Buffer's latin1Slice / utf8Slice build a string straight from memory, 2–3× faster
// than TextDecoder (measured on Node 20 for 5–100 byte strings). The parser has already checked the
// UTF-8 strictly, so their lenient handling of bad sequences never comes into play.
type Slicer = (this: Uint8Array, start: number, end: number) => string;
const bufferProto = (globalThis as { Buffer?: { prototype?: Record<string, unknown> } }).Buffer?.prototype;
const latin1Slice = typeof bufferProto?.latin1Slice === 'function' ? bufferProto.latin1Slice as Slicer : undefined;
const utf8Slice = typeof bufferProto?.utf8Slice === 'function' ? bufferProto.utf8Slice as Slicer : undefined;

function text(p: number, n: number, ascii: boolean): string {
  if (ascii) {
    if (n < 8) return shortAscii(p, n);
    if (latin1Slice !== undefined) return latin1Slice.call(u8, p, p + n);
    if (n < 24) {
      let s = '';
      for (let i = 0; i < n; i++) s += String.fromCharCode(u8[p + i]!);
      return s;
    }
  } else if (utf8Slice !== undefined) return utf8Slice.call(u8, p, p + n);
  // TextDecoder refuses views of a SharedArrayBuffer: copy those out first.
  return utf8.decode(sharedMemory ? u8.slice(p, p + n) : u8.subarray(p, p + n));
}

// One string allocation for short ASCII text, instead of one per character with `s += …`.
function shortAscii(p: number, n: number): string {
  const b = u8;
  switch (n) {
    case 0: return '';
    case 1: return String.fromCharCode(b[p]!);
    case 2: return String.fromCharCode(b[p]!, b[p + 1]!);
    case 3: return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!);
    case 4: return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);
    case 5: return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!);
    case 6: return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!);
    default: return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!);
  }
}

// Dict keys repeat from message to message: cache short ASCII keys by their bytes, so that a key is
// one interned string (faster property stores) instead of a fresh string per decode.
const KEY_SLOTS = 4096;
const keyStrings: Array<string | undefined> = new Array(KEY_SLOTS).fill(undefined);
const keyBytes = new Uint8Array(KEY_SLOTS * 16);

// Slot of the key keyText returned last, or -1 when it did not go through the cache.
let keySlot = -1;

function keyText(p: number, n: number, ascii: boolean): string {
  if (!ascii || n > 16 || n === 0) {
    keySlot = -1;
    return text(p, n, ascii);
  }
  // Every byte goes into the slot: hashing only a few (tried: length, first and last two bytes)
  // makes key sets like k0…k999 collide and miss (Map/Set/Date decode 0.80 -> 0.48 of msgpackr).
  let h = n;
  for (let i = 0; i < n; i++) h = (Math.imul(h, 31) + u8[p + i]!) | 0;
  const slot = (h ^ (h >>> 12)) & (KEY_SLOTS - 1);
  keySlot = slot;
  const cached = keyStrings[slot];
  const at = slot * 16;
  if (cached !== undefined && cached.length === n) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (keyBytes[at + i] !== u8[p + i]) {
        same = false;
        break;
      }
    }
    if (same) return cached;
  }
  const s = text(p, n, true);
  keyStrings[slot] = s;
  for (let i = 0; i < n; i++) keyBytes[at + i] = u8[p + i]!;
  return s;
}

// Shape cache for plain objects. Objects built by assigning keys one by one go through a keyed
// store that sees every key of every object, so V8 handles it megamorphically (slow). For dicts
// whose key set repeats (records, nested configs, RPC arguments) we instead compile, once per key
// set, a function holding an object literal with those keys: V8 then allocates the object with its
// final hidden class straight from the literal's boilerplate. Keys are the key cache's interned
// strings (ASCII, at most 16 bytes), written into the source with JSON.stringify, and `__proto__`
// never takes this path (in a literal it would set the prototype). Where code generation is
// refused (a Content-Security-Policy without 'unsafe-eval'), the cache switches itself off.
type Build = (v: unknown[], o: number) => Record<string, unknown>;
interface Shape { readonly keys: string[]; readonly build: Build }
const SHAPE_SLOTS = 1024;
const SHAPE_MAX_KEYS = 32;
// One or two keys: the keyed stores stay cheap (few hidden classes per store site), and the pairs
// scratch costs more than it saves (depth-100 nesting of 2-key dicts measured ~10% slower).
const SHAPE_MIN_KEYS = 3;
const shapes: Array<Shape | undefined> = new Array(SHAPE_SLOTS).fill(undefined);
const shapeSeen = new Int32Array(SHAPE_SLOTS); // hash last seen per slot: compile on the second sighting
let shapesOn = true;
let shapeBudget = 4096; // compiled shapes per process, against a stream of ever-new key sets

function compileShape(keys: string[]): Build | undefined {
  if (shapeBudget <= 0) return undefined;
  shapeBudget--;
  let src = 'return {';
  for (let i = 0; i < keys.length; i++) src += `${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:v[o+${2 * i + 1}]`;
  try {
    return new Function('v', 'o', src + '}') as Build;
  } catch {
    shapesOn = false;
    return undefined;
  }
}

function bigIntAt(p: number, n: number): bigint {
  let hex = '';
  for (let i = n - 1; i >= 0; i--) hex += (u8[p + i]! < 16 ? '0' : '') + u8[p + i]!.toString(16);
  let v = BigInt('0x' + hex);
  if (u8[p + n - 1]! & 0x80) v -= 1n << BigInt(n * 8);
  return v;
}

function intValue(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

function badValue(offset: number, tag: number, detail: string): never {
  fail('BAD_VALUE', offset, tag, detail);
}

function read(): unknown {
  const head = tok[ti]!;
  const kind = head & 0xff;
  if (kind >= T.K_LIST) {
    // Containers: recursion (one JS call chain per level) up to recursionDepth, then the explicit
    // stack of readDeep, so that every depth up to maxDepth (10,000) decodes on every engine.
    if (level >= recursionDepth) return readDeep();
    level++;
    const v = container(head, kind);
    level--;
    return v;
  }
  const a = tok[ti + 1]!;
  const b = tok[ti + 2]!;
  ti += 3;
  switch (kind) {
    case T.K_INT32: return a;
    case T.K_STR: return text(base + a, b >>> 0, (head & T.F_ASCII) !== 0);
    case T.K_FLOAT: {
      const v = dv.getFloat64(base + a, true);
      if (lossless) {
        if (Number.isSafeInteger(v) && !Object.is(v, -0)) return new Float(v);
        if (v !== v) {
          const bits = dv.getBigUint64(base + a, true);
          if (bits !== 0x7ff8000000000000n) return new Float(v, bits);
        }
      }
      return v;
    }
    case T.K_NONE: return null;
    case T.K_TRUE: return true;
    case T.K_FALSE: return false;
    case T.K_ELLIPSIS: return Ellipsis;
    case T.K_INT64: {
      const hi = b;
      const lo = a >>> 0;
      if (hi >= -0x200000 && hi < 0x200000) return hi * 4294967296 + lo; // |v| < 2^53
      return (BigInt(hi) << 32n) | BigInt(lo);
    }
    case T.K_INTBIG: return intValue(bigIntAt(base + a, b >>> 0));
    case T.K_COMPLEX: return new Complex(dv.getFloat64(base + a, true), dv.getFloat64(base + a + 8, true));
    case T.K_BYTES: case T.K_BYTEARRAY: case T.K_MEMVIEW: {
      const n = b >>> 0;
      if (views) {
        // { views: true }: alias the caller's input (its bytes at offset a are the payload)
        const src = source!;
        const at = src.byteOffset + a;
        const buffer = src.buffer as ArrayBuffer; // or a SharedArrayBuffer: aliased all the same
        if (lossless && kind !== T.K_BYTES) return kind === T.K_BYTEARRAY ? new ByteArray(buffer, at, n) : new MemoryView(buffer, at, n);
        return new Uint8Array(buffer, at, n);
      }
      // Copy from the caller's input when we have it: slicing WebAssembly memory is slow on Node 20.
      const from = source !== undefined ? plainSource(source) : u8;
      const p = source !== undefined ? a : base + a;
      if (lossless && kind !== T.K_BYTES) {
        const out = kind === T.K_BYTEARRAY ? new ByteArray(n) : new MemoryView(n);
        out.set(from.subarray(p, p + n));
        return out;
      }
      return from.slice(p, p + n);
    }
    case T.K_DATETIME: case T.K_DATE: case T.K_TIME: {
      if (!lossless && kind !== T.K_TIME) {
        const t = isoInstant(base + a, b, kind === T.K_DATE);
        if (t === t) return new Date(t);
      }
      const s = text(base + a, b, false);
      try {
        if (kind === T.K_DATETIME) {
          const v = parseDateTime(s);
          return lossless ? v : v.toDate();
        }
        if (kind === T.K_DATE) {
          const v = parseDate(s);
          return lossless ? v : v.toDate();
        }
        return parseTime(s);
      } catch (err) {
        badValue(a, head >>> 16, `${kind === T.K_DATETIME ? 'datetime' : kind === T.K_DATE ? 'date' : 'time'} text ${JSON.stringify(s)}: ${(err as Error).message}`);
      }
    }
    case T.K_TIMEDELTA: {
      const p = base + a;
      try {
        return new TimeDelta(dv.getInt32(p, true), dv.getInt32(p + 4, true), dv.getInt32(p + 8, true));
      } catch (err) {
        badValue(a, 0x36, (err as Error).message);
      }
    }
    case T.K_UUID: {
      const hex = text(base + a, 32, true).toLowerCase();
      const v = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      return lossless ? new UUID(v) : v;
    }
    case T.K_DECIMAL: {
      const s = text(base + a, b >>> 0, (head & T.F_ASCII) !== 0);
      if (!DECIMAL_SYNTAX.test(s)) badValue(a, head >>> 16, `${JSON.stringify(s)} is not a Decimal`);
      return new Decimal(s);
    }
    case T.K_PATH: return new Path(text(base + a, b >>> 0, (head & T.F_ASCII) !== 0));
    case T.K_PUREPATH: return new PurePath(text(base + a, b >>> 0, (head & T.F_ASCII) !== 0));
    default: throw new Error(`membridge codec produced unknown token kind ${kind}`);
  }
}

/** The container whose token is at `ti`, its items read recursively (read() keeps count of levels). */
function container(head: number, kind: number): unknown {
  const a = tok[ti + 1]!;
  const b = tok[ti + 2]!;
  ti += 3;
  switch (kind) {
    case T.K_DICT: case T.K_ORDEREDDICT: case T.K_COUNTER: return mapping(kind, head, b >>> 0);
    case T.K_LIST: return list(b >>> 0);
    case T.K_TUPLE: case T.K_DEQUE: {
      const n = b >>> 0;
      const out: unknown[] = lossless ? (kind === T.K_TUPLE ? new Tuple(n) : new Deque(n)) : new Array(n);
      for (let i = 0; i < n; i++) out[i] = read();
      return out;
    }
    case T.K_SET: case T.K_FROZENSET: {
      const n = b >>> 0;
      const out = lossless && kind === T.K_FROZENSET ? new FrozenSet() : new Set();
      for (let i = 0; i < n; i++) out.add(read());
      return out;
    }
    case T.K_CHAINMAP: {
      const n = b >>> 0;
      const maps: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) maps[i] = read();
      return new ChainMap(maps);
    }
    case T.K_NAMEDTUPLE: {
      const n = b >>> 0;
      const name = read() as string;
      const fields: Array<[string, unknown]> = new Array(n);
      for (let i = 0; i < n; i++) {
        const key = read() as string;
        fields[i] = [key, read()];
      }
      return new NamedTuple(name, fields);
    }
    case T.K_RANGE: {
      const start = read() as number | bigint;
      const stop = read() as number | bigint;
      const step = read() as number | bigint;
      if (step === 0) badValue(a, head >>> 16, 'range() step must not be zero');
      return new Range(start, stop, step);
    }
    default: throw new Error(`membridge codec produced unknown token kind ${kind}`);
  }
}

// One open container of readDeep. `out` collects the items; `key` holds a mapping's pending key.
interface DeepFrame {
  kind: number;
  head: number;
  a: number;
  total: number; // items to read (2 per pair, 1 + 2 per field for a namedtuple, 3 for a range)
  i: number;
  out: any;
  key: unknown;
  plain: boolean; // a str-keyed dict built as a plain object
}

/**
 * The container at `ti` with everything inside it, built with an explicit stack instead of
 * recursion (read() calls it past recursionDepth). Builds exactly what container() builds, except
 * that str keys of plain objects do not go through the key and shape caches (deep data is rare).
 */
function readDeep(): unknown {
  const stack: DeepFrame[] = [];
  let value: unknown;
  for (;;) {
    const head = tok[ti]!;
    const kind = head & 0xff;
    if (kind < T.K_LIST) value = read(); // a scalar: no recursion
    else {
      const a = tok[ti + 1]!;
      const n = tok[ti + 2]! >>> 0;
      ti += 3;
      const f = openDeep(kind, head, a, n);
      if (f.total > 0) {
        stack.push(f);
        continue;
      }
      value = closeDeep(f);
    }
    // hand the value to the innermost open container, closing those it completes
    for (;;) {
      const f = stack[stack.length - 1];
      if (f === undefined) return value;
      addDeep(f, value);
      if (++f.i < f.total) break;
      stack.pop();
      value = closeDeep(f);
    }
  }
}

function openDeep(kind: number, head: number, a: number, n: number): DeepFrame {
  let out: unknown;
  let total = n;
  let plain = false;
  switch (kind) {
    case T.K_LIST: out = new Array(n); break;
    case T.K_TUPLE: case T.K_DEQUE: out = lossless ? (kind === T.K_TUPLE ? new Tuple(n) : new Deque(n)) : new Array(n); break;
    case T.K_SET: case T.K_FROZENSET: out = lossless && kind === T.K_FROZENSET ? new FrozenSet() : new Set(); break;
    case T.K_CHAINMAP: out = new Array(n); break;
    case T.K_NAMEDTUPLE: out = new Array(n); total = 1 + 2 * n; break;
    case T.K_RANGE: out = new Array(3); total = 3; break;
    case T.K_DICT: case T.K_ORDEREDDICT: case T.K_COUNTER:
      total = 2 * n;
      plain = !lossless && (head & T.F_STR_KEYS) !== 0;
      out = plain ? {} : !lossless || kind === T.K_DICT ? new Map() : kind === T.K_COUNTER ? new Counter() : new OrderedDict();
      break;
    default: throw new Error(`membridge codec produced unknown token kind ${kind}`);
  }
  return { kind, head, a, total, i: 0, out, key: undefined, plain };
}

function addDeep(f: DeepFrame, v: unknown): void {
  const i = f.i;
  switch (f.kind) {
    case T.K_SET: case T.K_FROZENSET: f.out.add(v); return;
    case T.K_DICT: case T.K_ORDEREDDICT: case T.K_COUNTER:
      if ((i & 1) === 0) f.key = v;
      else if (!f.plain) (f.out as Map<unknown, unknown>).set(f.key, v);
      else if (f.key === '__proto__') Object.defineProperty(f.out, '__proto__', { value: v, enumerable: true, writable: true, configurable: true });
      else f.out[f.key as string] = v;
      return;
    case T.K_NAMEDTUPLE:
      if (i === 0) f.key = v; // the type name, until closeDeep
      else if ((i & 1) === 1) f.out[(i - 1) >>> 1] = [v, undefined];
      else f.out[(i - 2) >>> 1][1] = v;
      return;
    default: f.out[i] = v;
  }
}

function closeDeep(f: DeepFrame): unknown {
  switch (f.kind) {
    case T.K_CHAINMAP: return new ChainMap(f.out);
    case T.K_NAMEDTUPLE: return new NamedTuple(f.key as string, f.out);
    case T.K_RANGE: {
      const [start, stop, step] = f.out as Array<number | bigint>;
      if (step === 0) badValue(f.a, f.head >>> 16, 'range() step must not be zero');
      return new Range(start!, stop!, step!);
    }
    default: return f.out;
  }
}

// Fast path for the datetime / date texts writers produce (`YYYY-MM-DD`, then optionally
// `THH:MM:SS`, `.ffffff`, `±HH:MM`), read straight from the bytes: returns the instant in ms, or
// NaN for anything else (other shapes, out-of-range fields, years before 100 where Date.UTC
// differs), which then takes the general path with its exact checks and error messages.
function digits2(p: number): number {
  const d1 = u8[p]! - 48, d0 = u8[p + 1]! - 48;
  return d1 >= 0 && d1 <= 9 && d0 >= 0 && d0 <= 9 ? d1 * 10 + d0 : NaN;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isoInstant(p: number, n: number, dateOnly: boolean): number {
  if (dateOnly ? n !== 10 : n !== 10 && n !== 19 && n !== 25 && n !== 26 && n !== 32) return NaN;
  if (u8[p + 4] !== 45 || u8[p + 7] !== 45) return NaN; // '-'
  const year = digits2(p) * 100 + digits2(p + 2);
  const month = digits2(p + 5);
  const day = digits2(p + 8);
  if (!(year >= 100 && month >= 1 && month <= 12 && day >= 1)) return NaN;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > MONTH_DAYS[month - 1]! + (leap ? 1 : 0)) return NaN;
  if (n === 10) return Date.UTC(year, month - 1, day);
  const sep = u8[p + 10];
  if ((sep !== 84 && sep !== 32) || u8[p + 13] !== 58 || u8[p + 16] !== 58) return NaN; // 'T' or ' ', ':'
  const hour = digits2(p + 11), minute = digits2(p + 14), second = digits2(p + 17);
  if (!(hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  let ms = 0;
  let q = p + 19;
  if (n === 26 || n === 32) {
    if (u8[q] !== 46) return NaN; // '.'
    const hi = digits2(q + 1) * 10000 + digits2(q + 3) * 100 + digits2(q + 5);
    if (!(hi >= 0)) return NaN;
    ms = Math.floor(hi / 1000);
    q += 7;
  }
  let offset = 0;
  if (n === 25 || n === 32) {
    const sign = u8[q];
    if ((sign !== 43 && sign !== 45) || u8[q + 3] !== 58) return NaN; // '+' or '-', ':'
    const oh = digits2(q + 1), om = digits2(q + 4);
    if (!(oh <= 23 && om <= 59)) return NaN;
    offset = (oh * 60 + om) * 60000 * (sign === 45 ? -1 : 1);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
}

// A Buffer's slice() aliases and its species is Buffer: copy through a plain Uint8Array view.
function plainSource(src: Uint8Array): Uint8Array {
  if (src.constructor !== Uint8Array) source = src = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  return src;
}

// Lists are mostly numbers or strings: read those tokens inline instead of one read() call each.
function list(n: number): unknown[] {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const head = tok[ti]!;
    const kind = head & 0xff;
    if (kind === T.K_FLOAT && !lossless) {
      out[i] = dv.getFloat64(base + tok[ti + 1]!, true);
      ti += 3;
    } else if (kind === T.K_INT32) {
      out[i] = tok[ti + 1]!;
      ti += 3;
    } else if (kind === T.K_STR) {
      out[i] = text(base + tok[ti + 1]!, tok[ti + 2]! >>> 0, (head & T.F_ASCII) !== 0);
      ti += 3;
    } else out[i] = read();
  }
  return out;
}

function mapping(kind: number, head: number, n: number): unknown {
  if (!lossless && (head & T.F_STR_KEYS) !== 0) {
    if (shapesOn && n <= SHAPE_MAX_KEYS && n >= SHAPE_MIN_KEYS) return shapedObject(n);
    // All keys are strings: a plain object. `__proto__` is defined as an own property so that no
    // key can replace the prototype; `constructor` / `prototype` only shadow, as own properties do.
    const obj: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      // every key is a STR token (F_STR_KEYS): read it here, through the key cache
      const kh = tok[ti]!;
      const key = keyText(base + tok[ti + 1]!, tok[ti + 2]! >>> 0, (kh & T.F_ASCII) !== 0);
      ti += 3;
      const value = read();
      if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
      else obj[key] = value;
    }
    return obj;
  }
  const out = !lossless || kind === T.K_DICT ? new Map() : kind === T.K_COUNTER ? new Counter() : new OrderedDict();
  for (let i = 0; i < n; i++) {
    const key = read();
    out.set(key, read());
  }
  return out;
}

// A plain object of n (1..SHAPE_MAX_KEYS) str-keyed pairs, through the shape cache when it can.
function shapedObject(n: number): Record<string, unknown> {
  const o = vsp;
  const top = o + 2 * n;
  while (pairs.length < top) pairs.push(undefined);
  vsp = top; // parseAndRead resets vsp when a read throws
  let h = n;
  let cacheable = true;
  for (let i = 0; i < n; i++) {
    const kh = tok[ti]!;
    const key = keyText(base + tok[ti + 1]!, tok[ti + 2]! >>> 0, (kh & T.F_ASCII) !== 0);
    ti += 3;
    if (keySlot < 0 || key === '__proto__') cacheable = false;
    h = (Math.imul(h, 31) + keySlot) | 0;
    pairs[o + 2 * i] = key;
    pairs[o + 2 * i + 1] = read();
  }
  vsp = o;
  let obj: Record<string, unknown> | undefined;
  if (cacheable) {
    const slot = (h ^ (h >>> 10) ^ (h >>> 20)) & (SHAPE_SLOTS - 1);
    const shape = shapes[slot];
    if (shape !== undefined && shape.keys.length === n) {
      const keys = shape.keys;
      let i = 0;
      while (i < n && keys[i] === pairs[o + 2 * i]) i++;
      if (i === n) obj = shape.build(pairs, o);
    }
    if (obj === undefined) {
      if (shapeSeen[slot] === h) {
        const keys: string[] = new Array(n);
        for (let i = 0; i < n; i++) keys[i] = pairs[o + 2 * i] as string;
        const build = compileShape(keys);
        if (build !== undefined) {
          shapes[slot] = { keys, build };
          obj = build(pairs, o);
        }
      } else shapeSeen[slot] = h;
    }
  }
  if (obj === undefined) {
    obj = {};
    for (let i = 0; i < n; i++) {
      const key = pairs[o + 2 * i] as string;
      const value = pairs[o + 2 * i + 1];
      if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
      else obj[key] = value;
    }
  }
  // Do not keep decoded values alive through the scratch array.
  for (let i = 1; i < 2 * n; i += 2) pairs[o + i] = undefined;
  return obj;
}

// A protocol-2 message whose root item is one large bytes / bytearray / memoryview (a blob sent on
// its own) is checked and sliced here, without copying it into WebAssembly memory first: the parser
// would only read its length header. Anything unusual (other header forms, a payload longer than the
// message, size-limit options) returns undefined and takes the general path, which reports errors.
const ROOT_BINARY_MIN = 4096;

function rootBinary(input: Uint8Array, tag: number, options: DecodeOptions | undefined): unknown {
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

/**
 * Decodes one pybytes message (protocol 2 or 1). Bytes after the root item are ignored.
 *
 * Idiomatic mode (default): None → null, int → number (bigint beyond ±2^53−1), float → number,
 * str → string, bytes/bytearray/memoryview → Uint8Array, list/tuple/deque → Array, set/frozenset →
 * Set, dict/OrderedDict/Counter → plain object when every key is a str, else Map, datetime/date →
 * Date, UUID → string; the other types decode to the value classes. `{ lossless: true }` returns
 * value classes for everything a JS value cannot tell apart, so `encode(decode(m, {lossless:true}))`
 * gives back the same bytes.
 *
 * @throws {DecodeError} the message is malformed (see `DecodeError.code`)
 * @throws {RangeError} the message is truncated, or an option is out of range
 * @example
 * ```ts
 * import { decode } from 'membridge/pybytes';
 * decode(new Uint8Array([0xfd, 0x01, 0x02, 0x68, 0x69])); // 'hi'
 * decode(new Uint8Array([0xfd, 0x27, 0x01, 0x05, 0x01]), { lossless: true }); // Tuple [1]
 * ```
 */
export function decode(bytes: DecodeInput, options?: DecodeOptions): unknown {
  let input: Uint8Array;
  if (bytes instanceof Uint8Array) input = bytes;
  else if (bytes instanceof ArrayBuffer) input = new Uint8Array(bytes);
  else if (ArrayBuffer.isView(bytes)) input = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  else throw new TypeError(`Cannot decode ${bytes === null ? 'null' : typeof bytes}: expected a Uint8Array, Buffer or ArrayBuffer`);
  const length = input.byteLength;
  if (length >= ROOT_BINARY_MIN && input[0] === 0xfd) {
    const tag = input[1]!;
    if ((tag >= 18 && tag <= 27) || (tag >= 58 && tag <= 62)) {
      const v = rootBinary(input, tag, options);
      if (v !== undefined) return v;
    }
  }
  const host = standaloneHost();
  // The input copy first, then the parser's stack and tokens (parseAndRead places them `inputBytes`
  // further on; the standalone scratch area always starts at the same offset, also after growing).
  const inputBytes = (length + 15) & ~15;
  const start = host.scratch(inputBytes);
  const memory = host.view!();
  if (length <= 16) {
    for (let i = 0; i < length; i++) memory[start + i] = input[i]!;
  } else memory.set(input, start);
  return parseAndRead(host, start, length, inputBytes, options, input);
}
