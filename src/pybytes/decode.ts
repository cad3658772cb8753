// Decoding: the WebAssembly parser (assembly/codec/parse.ts) validates the whole message and writes
// a token stream; this file turns tokens into JS values. Nothing here reads the message without a
// token pointing at a range the parser has already bounds-checked.
import { compileShape, SHAPE_MAX_KEYS, SHAPE_MIN_KEYS, SHAPE_SLOTS, shapeSeen, shapes, shapesOn } from './compileShape.ts';
import { DecodeError } from './DecodeError.ts';
import type { CodecHost } from './CodecHost.ts';
import { DECODE_DEFAULTS, type DecodeOptions } from './DecodeOptions.ts';
import { parseDate, parseDateTime, parseTime } from './isoformat.ts';
import { isoInstant } from './isoInstant.ts';
import { addDeep, closeDeep, type DeepFrame, isKeySlot, openDeep } from './readDeepFrame.ts';
import { reportStatus } from './reportStatus.ts';
import { ROOT_BINARY_MIN, rootBinary } from './rootBinary.ts';
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
    if (status !== T.S_OK) reportStatus(host, status, length, options);
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
  throw new DecodeError('BAD_VALUE', offset, tag, detail);
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
    case T.K_COMPLEX: return complexAt(base + a);
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
        const t = isoInstant(u8, base + a, b, kind === T.K_DATE);
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
      for (let i = 0; i < n; i++) out.add(lossless ? readKey() : read());
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
    if (kind < T.K_LIST) {
      // a scalar: no recursion
      const top = stack[stack.length - 1];
      value = lossless && top !== undefined && isKeySlot(top) ? readKey() : read();
    }
    else {
      const a = tok[ti + 1]!;
      const n = tok[ti + 2]! >>> 0;
      ti += 3;
      const f = openDeep(kind, head, a, n, lossless);
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
    const key = lossless ? readKey() : read();
    out.set(key, read());
  }
  return out;
}

// A dict key or set item in lossless mode. A JS Map / Set compares keys with SameValueZero, which
// folds -0.0 into 0 (then re-encoded as int 0) and every NaN into one; Python keeps each float
// object. A Float wrapper is its own key and keeps the sign and the NaN bits.
function readKey(): unknown {
  if ((tok[ti]! & 0xff) === T.K_FLOAT) {
    const p = base + tok[ti + 1]!;
    const v = dv.getFloat64(p, true);
    if (v !== v || (v === 0 && 1 / v < 0)) {
      ti += 3;
      return new Float(v, v !== v ? dv.getBigUint64(p, true) : undefined);
    }
  }
  return read();
}

// NaN parts keep their bit patterns: Bun canonicalises NaNs read as numbers, and optimised Deno
// code quiets signalling ones, so a non-default NaN part is kept as its bits.
const DEFAULT_NAN = 0x7ff8000000000000n;
function complexAt(p: number): Complex {
  const re = dv.getFloat64(p, true);
  const im = dv.getFloat64(p + 8, true);
  if (re === re && im === im) return new Complex(re, im);
  const reBits = re !== re ? dv.getBigUint64(p, true) : undefined;
  const imBits = im !== im ? dv.getBigUint64(p + 8, true) : undefined;
  return new Complex(re, im, reBits === DEFAULT_NAN ? undefined : reBits, imBits === DEFAULT_NAN ? undefined : imBits);
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
