// The pybytes writer (entry points in encode.ts): its state (target array, position, limits) and
// the functions that write each kind of value at the position. Format: docs/pybytes.md.
import { ENCODE_DEFAULTS, type EncodeOptions } from './EncodeOptions.ts';
import {
  BYTEARRAY, BYTES, CHAINMAP, COMPLEX, COUNTER, DATE, DATETIME, DECIMAL, DEQUE, DICT, ELLIPSIS, FALSE, FLOAT, FROZENSET, LIST,
  MEMVIEW, NAMEDTUPLE, NONE, ORDEREDDICT, PATH, PUREPATH, RANGE, SET, STR, TIME, TIMEDELTA, TRUE, TUPLE, UUID_TAG,
} from './encodeTags.ts';
import { hasWellFormed, LONE_SURROGATE, utf8, utf8Write } from './utf8Write.ts';
import { checkNamedTupleNames, posixPathText, pythonDecimalText } from './pythonNormalForms.ts';
import { ByteArray, MemoryView } from './values/binary.ts';
import { ChainMap, Counter, OrderedDict } from './values/mappings.ts';
import { Ellipsis, NamedTuple, Path, PurePath, Range, UUID } from './values/misc.ts';
import { Complex, Decimal, Float } from './values/numbers.ts';
import { Deque, FrozenSet, Tuple } from './values/sequences.ts';
import { CalendarDate, DateTime, Time, TimeDelta } from './values/temporal.ts';
import { writeDeep } from './writeDeep.ts';

/** Thrown internally when a fixed-capacity target is full. */
export const FULL = Symbol('full');

// Writer state. Saved and restored around nested calls (a getter could call encode()).
export let buf: Uint8Array = new Uint8Array(65536);
export let dv = new DataView(buf.buffer);
export let pos = 0;
export let end = buf.byteLength;
export let growable = true;
export let maxDepth: number = ENCODE_DEFAULTS.maxDepth;
let busy = false;
let own: Uint8Array = buf; // the reusable buffer of `encode`

export function grow(n: number): void {
  if (!growable) throw FULL;
  let size = buf.byteLength * 2;
  while (size < pos + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, pos));
  buf = next;
  dv = new DataView(next.buffer);
  end = size;
}

export function tooDeep(): never {
  throw new RangeError(`Cannot encode pybytes: containers nest deeper than ${maxDepth} levels (Python's limit is 100), or the value is cyclic`);
}

export function header(base: number, length: number): void {
  if (pos + 9 > end) grow(9);
  if (length === 0) buf[pos++] = base;
  else if (length < 0x100) {
    buf[pos] = base + 1;
    buf[pos + 1] = length;
    pos += 2;
  } else if (length < 0x10000) {
    buf[pos] = base + 2;
    buf[pos + 1] = length & 0xff;
    buf[pos + 2] = length >>> 8;
    pos += 3;
  } else {
    buf[pos] = base + 3;
    let m = 0;
    for (let l = length; l > 0; l = Math.floor(l / 256)) buf[pos + 2 + m++] = l % 256;
    buf[pos + 1] = m;
    pos += 2 + m;
  }
}

function headerSize(length: number): number {
  return length === 0 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : length < 0x1000000 ? 5 : length < 0x100000000 ? 6 : 9;
}

function loneSurrogate(): never {
  throw new TypeError('Cannot encode a string with a lone surrogate: it has no UTF-8 form');
}

/** Writes UTF-8 of `s` at `p` (room checked by the caller); returns the end. Rejects lone surrogates. */
function utf8Short(s: string, p: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) buf[p++] = c;
    else if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6);
      buf[p++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c < 0xe000) {
      const c2 = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c >= 0xdc00 || c2 < 0xdc00 || c2 >= 0xe000) loneSurrogate();
      i++;
      c = 0x10000 + ((c - 0xd800) << 10) + (c2 - 0xdc00);
      buf[p++] = 0xf0 | (c >> 18);
      buf[p++] = 0x80 | ((c >> 12) & 0x3f);
      buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    } else {
      buf[p++] = 0xe0 | (c >> 12);
      buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p;
}

/** A str-like item (str, Path, PurePath): header family at `base`, then UTF-8. */
export function writeText(base: number, s: string): void {
  const n = s.length;
  if (n === 0) {
    if (pos + 1 > end) grow(1);
    buf[pos++] = base;
    return;
  }
  if (n < (utf8Write !== undefined ? 32 : 64)) {
    // At most 3 bytes per UTF-16 unit: the length fits the 1-byte header.
    if (pos + 2 + n * 3 > end) grow(2 + n * 3);
    const e = utf8Short(s, pos + 2);
    buf[pos] = base + 1;
    buf[pos + 1] = e - pos - 2;
    pos = e;
    return;
  }
  if (hasWellFormed ? !(s as string & { isWellFormed(): boolean }).isWellFormed() : LONE_SURROGATE.test(s)) loneSurrogate();
  // UTF-8 takes n to 3n bytes. Guess the header for n (right for mostly-ASCII text) and move the
  // text only when it came out longer than that header can describe.
  const most = n * 3;
  const room = headerSize(n);
  if (pos + headerSize(most) + most > end) grow(headerSize(most) + most);
  const written = utf8Write !== undefined
    ? utf8Write.call(buf, s, pos + room, most)
    : utf8.encodeInto(s, buf.subarray(pos + room, pos + room + most)).written;
  const need = headerSize(written);
  if (need !== room) buf.copyWithin(pos + need, pos + room, pos + room + written);
  header(base, written);
  pos += written;
}

function writeAscii(s: string): void {
  for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
}

function writeBytes(base: number, bytes: Uint8Array): void {
  const n = bytes.byteLength;
  header(base, n);
  if (pos + n > end) grow(n);
  buf.set(bytes, pos);
  pos += n;
}

function writeInt(v: number): void {
  if (pos + 10 > end) grow(10);
  if (v >= -127 && v <= 127) {
    buf[pos] = 5;
    buf[pos + 1] = v & 0xff;
    pos += 2;
    return;
  }
  // k = (bit_length(|v|) + 8) // 8: the CPython 3.12 rule, the same for both signs (§6.2).
  const abs = Math.abs(v);
  const bits = abs < 4294967296 ? 32 - Math.clz32(abs) : 64 - Math.clz32(Math.floor(abs / 4294967296));
  const k = (bits + 8) >> 3;
  if (k <= 5) buf[pos++] = 4 + k;
  else {
    buf[pos++] = 10;
    buf[pos++] = k;
  }
  const lo = v >>> 0;
  const hi = Math.floor(v / 4294967296); // two's complement high word; |hi| < 2^21
  for (let i = 0; i < k; i++) buf[pos++] = i < 4 ? (lo >>> (i * 8)) & 0xff : (hi >> ((i - 4) * 8)) & 0xff;
}

function writeBigInt(v: bigint): void {
  if (v >= -9007199254740991n && v <= 9007199254740991n) return writeInt(Number(v));
  const neg = v < 0n;
  const absHex = (neg ? -v : v).toString(16);
  const bits = (absHex.length - 1) * 4 + (32 - Math.clz32(parseInt(absHex[0]!, 16)));
  const k = (bits + 8) >> 3;
  const hex = (neg ? (1n << BigInt(k * 8)) + v : v).toString(16).padStart(k * 2, '0');
  if (pos + k + 12 > end) grow(k + 12);
  if (k < 256) {
    buf[pos++] = 10;
    buf[pos++] = k;
  } else {
    buf[pos++] = 11;
    const p = k < 0x10000 ? 2 : k < 0x1000000 ? 3 : 4;
    buf[pos++] = p;
    for (let i = 0; i < p; i++) buf[pos++] = Math.floor(k / 256 ** i) % 256;
  }
  for (let i = 0; i < k; i++) buf[pos++] = parseInt(hex.substr(hex.length - 2 - 2 * i, 2), 16);
}

function writeFloat(v: number): void {
  if (pos + 9 > end) grow(9);
  buf[pos] = FLOAT;
  dv.setFloat64(pos + 1, v, true);
  pos += 9;
}

function writeNumber(v: number): void {
  if ((v | 0) === v && v !== 0) return writeInt(v); // int32 fast path (0 needs the -0 check below)
  // Safe integers are Python ints; everything else (fractions, -0, NaN, ±Infinity, |v| ≥ 2^53) is a float.
  if (Number.isSafeInteger(v) && !(v === 0 && 1 / v < 0)) writeInt(v);
  else writeFloat(v);
}

function digits(p: number, v: number, width: number): void {
  for (let i = width - 1; i >= 0; i--) {
    buf[p + i] = 48 + (v % 10);
    v = (v - (v % 10)) / 10;
  }
}

// A JS Date as Python's isoformat() of the aware UTC datetime, written digit by digit:
// `YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00` (what DateTime.fromDate(v).isoformat() gives, without the
// objects and strings). Years outside 1-9999 and invalid dates take the general path and its errors.
function writeDate(v: Date): void {
  const year = v.getUTCFullYear();
  if (!(year >= 1 && year <= 9999)) return writeIso(DATETIME, DateTime.fromDate(v).isoformat());
  const ms = v.getUTCMilliseconds();
  const n = ms === 0 ? 25 : 32;
  if (pos + 2 + n > end) grow(2 + n);
  buf[pos] = DATETIME;
  buf[pos + 1] = n;
  const p = pos + 2;
  digits(p, year, 4);
  buf[p + 4] = 45;
  digits(p + 5, v.getUTCMonth() + 1, 2);
  buf[p + 7] = 45;
  digits(p + 8, v.getUTCDate(), 2);
  buf[p + 10] = 84;
  digits(p + 11, v.getUTCHours(), 2);
  buf[p + 13] = 58;
  digits(p + 14, v.getUTCMinutes(), 2);
  buf[p + 16] = 58;
  digits(p + 17, v.getUTCSeconds(), 2);
  let q = p + 19;
  if (ms !== 0) {
    buf[q] = 46;
    digits(q + 1, ms * 1000, 6);
    q += 7;
  }
  buf[q] = 43; // +00:00
  buf[q + 1] = 48;
  buf[q + 2] = 48;
  buf[q + 3] = 58;
  buf[q + 4] = 48;
  buf[q + 5] = 48;
  pos += 2 + n;
}

function writeIso(tag: number, s: string): void {
  if (pos + 2 + s.length > end) grow(2 + s.length);
  buf[pos++] = tag;
  buf[pos++] = s.length;
  writeAscii(s);
}

export function writeValue(v: unknown, depth: number): void {
  switch (typeof v) {
    case 'string': return writeText(STR, v);
    case 'number': return writeNumber(v);
    case 'boolean':
      if (pos + 1 > end) grow(1);
      buf[pos++] = v ? TRUE : FALSE;
      return;
    case 'object':
      if (v === null) break;
      if (depth >= recursionDepth) return writeDeep(v, depth, false);
      return writeObject(v, depth);
    case 'bigint': return writeBigInt(v);
    case 'undefined': break;
    default: throw new TypeError(`Cannot encode a ${typeof v}: pybytes has no form for it`);
  }
  if (pos + 1 > end) grow(1);
  buf[pos++] = NONE;
}

export function unhashable(v: object): never {
  throw new TypeError(`Cannot encode ${describe(v)} as a dict key or set item: Python cannot hash it`);
}

// Dict keys and set items must be hashable in Python: a JS Array there becomes a tuple and a Set a
// frozenset (the only meaning Python allows), and mutable mappings are rejected.
function writeKey(v: unknown, depth: number): void {
  if (typeof v !== 'object' || v === null) return writeValue(v, depth);
  if (depth >= recursionDepth) return writeDeep(v, depth, true);
  if (Array.isArray(v)) {
    if (v instanceof Deque) unhashable(v);
    if (depth >= maxDepth) tooDeep();
    header(TUPLE, v.length);
    for (let i = 0; i < v.length; i++) writeKey(v[i], depth + 1);
    return;
  }
  if (v instanceof Set) {
    if (depth >= maxDepth) tooDeep();
    header(FROZENSET, v.size);
    for (const item of v) writeKey(item, depth + 1);
    return;
  }
  if (v instanceof NamedTuple) return writeNamedTuple(v, depth, true);
  if (v instanceof Map || v instanceof ChainMap || v instanceof ByteArray) unhashable(v);
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) unhashable(v);
  writeValue(v, depth);
}

/** True for the numbers written as Python floats (see writeNumber). */
function isFloat(x: number): boolean {
  return !Number.isSafeInteger(x) || (x === 0 && 1 / x < 0);
}

function writeArray(tag: number, v: unknown[], depth: number): void {
  if (depth >= maxDepth) tooDeep();
  const n = v.length;
  header(tag, n);
  if (n === 0) return;
  // Runs of floats are written by a tight loop over locals (capacity reserved per chunk), the
  // rest item by item. Every element is read exactly once, in order, as before.
  let i = 0;
  let x = v[0];
  while (true) {
    if (typeof x === 'number' && isFloat(x)) {
      const stop = i + Math.min(n - i, 4096);
      if (pos + 9 * (stop - i) > end) grow(9 * (stop - i));
      const b = buf, d = dv;
      let p = pos;
      let more = false; // x holds the unread-as-float next element
      for (;;) {
        b[p] = FLOAT;
        d.setFloat64(p + 1, x as number, true);
        p += 9;
        if (++i >= stop) break;
        x = v[i];
        if (typeof x !== 'number' || !isFloat(x)) {
          more = true;
          break;
        }
      }
      pos = p;
      if (i >= n) return;
      if (!more) x = v[i];
      continue;
    }
    writeValue(x, depth + 1);
    if (++i >= n) return;
    x = v[i];
  }
}

function writeMap(tag: number, v: Map<unknown, unknown>, depth: number): void {
  if (depth >= maxDepth) tooDeep();
  header(tag, v.size);
  for (const [key, value] of v) {
    writeKey(key, depth + 1);
    // Python writes a Counter's counts as ints only (and cannot write anything else there)
    if (tag === COUNTER && typeof value !== 'bigint' && !Number.isSafeInteger(value)) {
      if (typeof value !== 'boolean') throw new TypeError(`Cannot encode a Counter with the count ${describeCount(value)}: Python writes Counter counts as ints only`);
      writeInt(value ? 1 : 0); // Python writes a bool count as the int it is
      continue;
    }
    writeValue(value, depth + 1);
  }
}

function describeCount(v: unknown): string {
  return typeof v === 'object' && v !== null ? describe(v) : typeof v === 'string' ? JSON.stringify(v) : String(v);
}

// A namedtuple: Python's collections.namedtuple refuses other names, so the reference could not
// build the type when decoding. In key / set-item position its fields must be hashable: arrays
// become tuples and sets frozensets, as for any key.
function writeNamedTuple(v: NamedTuple, depth: number, asKey: boolean): void {
  checkNamedTupleNames(v);
  // a level like any container (the parser counts it too), so a namedtuple cycle ends in tooDeep
  if (depth >= maxDepth) tooDeep();
  header(NAMEDTUPLE, v.fields.length);
  writeText(STR, v.name);
  for (const [name, value] of v.fields) {
    writeText(STR, name);
    if (asKey) writeKey(value, depth + 1);
    else writeValue(value, depth + 1);
  }
}

function writeSet(tag: number, v: Set<unknown>, depth: number): void {
  if (depth >= maxDepth) tooDeep();
  header(tag, v.size);
  for (const item of v) writeKey(item, depth + 1);
}

const hasOwn = Object.prototype.hasOwnProperty;

// A plain object: its own enumerable string keys, in Object.keys order. for-in with the own-key
// check is what V8 optimises best (enum cache, field loads by index; measured 3-8x faster than
// Object.keys + o[k], which is a dictionary lookup per key), but it does not give the count up
// front: reserve the 2-byte header of 1-255 pairs and fix it up afterwards.
function writePlain(o: Record<string, unknown>, depth: number): void {
  if (depth >= maxDepth) tooDeep();
  if (pos + 2 > end) grow(2);
  const at = pos;
  pos += 2;
  let n = 0;
  for (const k in o) {
    if (!hasOwn.call(o, k)) continue;
    writeText(STR, k);
    writeValue(o[k], depth + 1);
    n++;
  }
  if (n > 0 && n < 0x100) {
    buf[at] = DICT + 1;
    buf[at + 1] = n;
  } else if (n === 0) {
    buf[at] = DICT;
    pos = at + 1;
  } else {
    // 256 or more pairs: a longer header; move the items right to make room for it.
    const shift = headerSize(n) - 2;
    if (pos + shift > end) grow(shift);
    buf.copyWithin(at + 2 + shift, at + 2, pos);
    const last = pos + shift;
    pos = at;
    header(DICT, n);
    pos = last;
  }
}

export function writeObject(v: object, depth: number): void {
  // The common types are recognised by their exact prototype: one load and compare instead of a
  // chain of instanceof checks (each walks the prototype chain). Subclasses take the slow path.
  const proto = Object.getPrototypeOf(v);
  if (proto === Array.prototype) return writeArray(LIST, v as unknown[], depth);
  if (Array.isArray(v)) return writeArray(v instanceof Tuple ? TUPLE : v instanceof Deque ? DEQUE : LIST, v, depth);
  if (proto === Object.prototype || proto === null) return writePlain(v as Record<string, unknown>, depth);
  if (proto === Map.prototype) return writeMap(DICT, v as Map<unknown, unknown>, depth);
  if (proto === Set.prototype) return writeSet(SET, v as Set<unknown>, depth);
  if (proto === Uint8Array.prototype) return writeBytes(BYTES, v as Uint8Array);
  if (v instanceof Uint8Array) return writeBytes(v instanceof ByteArray ? BYTEARRAY : v instanceof MemoryView ? MEMVIEW : BYTES, v);
  if (v instanceof Map) return writeMap(v instanceof Counter ? COUNTER : v instanceof OrderedDict ? ORDEREDDICT : DICT, v, depth);
  if (v instanceof Set) return writeSet(v instanceof FrozenSet ? FROZENSET : SET, v, depth);
  if (proto === Date.prototype) return writeDate(v as Date);
  if (v instanceof Date) return writeIso(DATETIME, DateTime.fromDate(v).isoformat());
  if (v instanceof Float) {
    if (v.bits === undefined) return writeFloat(v.value);
    if (pos + 9 > end) grow(9);
    buf[pos] = FLOAT;
    dv.setBigUint64(pos + 1, BigInt.asUintN(64, v.bits), true);
    pos += 9;
    return;
  }
  if (v === Ellipsis) {
    if (pos + 1 > end) grow(1);
    buf[pos++] = ELLIPSIS;
    return;
  }
  if (v instanceof Complex) {
    if (pos + 17 > end) grow(17);
    buf[pos] = COMPLEX;
    if (v.reBits === undefined) dv.setFloat64(pos + 1, v.re, true);
    else dv.setBigUint64(pos + 1, BigInt.asUintN(64, v.reBits), true);
    if (v.imBits === undefined) dv.setFloat64(pos + 9, v.im, true);
    else dv.setBigUint64(pos + 9, BigInt.asUintN(64, v.imBits), true);
    pos += 17;
    return;
  }
  if (v instanceof DateTime) return writeIso(DATETIME, v.isoformat());
  if (v instanceof CalendarDate) return writeIso(DATE, v.isoformat());
  if (v instanceof Time) return writeIso(TIME, v.isoformat());
  if (v instanceof TimeDelta) {
    if (pos + 13 > end) grow(13);
    buf[pos] = TIMEDELTA;
    dv.setInt32(pos + 1, v.days, true);
    dv.setInt32(pos + 5, v.seconds, true);
    dv.setInt32(pos + 9, v.microseconds, true);
    pos += 13;
    return;
  }
  if (v instanceof UUID) {
    if (pos + 33 > end) grow(33);
    buf[pos++] = UUID_TAG;
    writeAscii(v.hex);
    return;
  }
  if (v instanceof Decimal) {
    const text = pythonDecimalText(v.text); // str(Decimal(text)), as Python writes it
    header(DECIMAL, text.length); // never empty, so never the missing E tag
    if (pos + text.length > end) grow(text.length);
    writeAscii(text);
    return;
  }
  if (v instanceof Range) {
    if (v.step === 0 || v.step === 0n) throw new TypeError('Cannot encode range with step 0: Python\'s range() refuses it');
    if (pos + 1 > end) grow(1);
    buf[pos++] = RANGE;
    for (const bound of [v.start, v.stop, v.step]) {
      if (typeof bound === 'bigint') writeBigInt(bound);
      else if (Number.isSafeInteger(bound)) writeInt(bound);
      else throw new TypeError(`Cannot encode range bound ${bound}: expected an integer`);
    }
    return;
  }
  if (v instanceof NamedTuple) return writeNamedTuple(v, depth, false);
  if (v instanceof ChainMap) {
    if (depth >= maxDepth) tooDeep();
    // ChainMap() holds one empty dict in Python, and Python writes it so
    if (v.maps.length === 0) {
      header(CHAINMAP, 1);
      header(DICT, 0);
      return;
    }
    header(CHAINMAP, v.maps.length);
    for (const m of v.maps) writeValue(m, depth + 1);
    return;
  }
  if (v instanceof Path) return writeText(PATH, posixPathText(v.path));
  if (v instanceof PurePath) return writeText(PUREPATH, posixPathText(v.path));
  if (ArrayBuffer.isView(v)) return writeBytes(MEMVIEW, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  if (v instanceof ArrayBuffer) return writeBytes(BYTES, new Uint8Array(v));
  throw new TypeError(`Cannot encode ${describe(v)}: pybytes has no form for it`);
}

// Levels the recursive writer handles (writeValue -> writeObject -> writeArray -> writeValue ...);
// deeper containers are written by writeDeep with an explicit stack. Node 20 with its default
// stack overflowed from depth ~1,540 and Deno from ~1,580, inside maxDepth's range (up to 10,000).
let recursionDepth = 200;

/** Internal, for tests: the depth at which encoding switches to the explicit stack. Returns the old one. */
export function setEncodeRecursionDepth(depth: number): number {
  const old = recursionDepth;
  recursionDepth = depth;
  return old;
}

function describe(v: object): string {
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  return name ? `a ${name}` : 'this object';
}

function depthOption(options?: EncodeOptions): number {
  const d = options?.maxDepth ?? ENCODE_DEFAULTS.maxDepth;
  if (!Number.isInteger(d) || d < 1 || d > 10_000) throw new RangeError(`Cannot use maxDepth ${d}: expected an integer from 1 to 10000`);
  return d;
}

let ownView = dv;
let ownTarget = true; // the writer's buffer is `own` (else a caller's array)

// Points the writer at `target` (undefined: the module's own buffer; else a caller's array, which
// grows into a new array only when `canGrow`); returns the previous state when this is a nested call.
export function begin(target: Uint8Array | undefined, view: DataView | undefined, start: number, limit: number, options: EncodeOptions | undefined, canGrow = false): unknown[] | undefined {
  const saved = busy ? [buf, dv, pos, end, growable, maxDepth, own, ownView, ownTarget] : undefined;
  if (saved) {
    own = new Uint8Array(256);
    ownView = new DataView(own.buffer);
  }
  busy = true;
  if (target === undefined) {
    buf = own;
    dv = ownView;
    end = own.byteLength;
    growable = true;
    ownTarget = true;
  } else {
    buf = target;
    dv = view ?? new DataView(target.buffer, target.byteOffset, target.byteLength);
    end = limit;
    growable = canGrow;
    ownTarget = false;
  }
  pos = start;
  maxDepth = options?.maxDepth === undefined ? ENCODE_DEFAULTS.maxDepth : depthOption(options);
  return saved;
}

export function finish(saved: unknown[] | undefined): void {
  if (ownTarget) {
    own = buf;
    ownView = dv;
  }
  if (saved) {
    [buf, dv, pos, end, growable, maxDepth, own, ownView, ownTarget] = saved as [Uint8Array, DataView, number, number, boolean, number, Uint8Array, DataView, boolean];
  }
  busy = saved !== undefined;
}

/** Writes the protocol byte and the root item (room for the protocol byte is checked by begin's caller). */
export function writeMessage(value: unknown): void {
  buf[pos++] = 0xfd;
  writeValue(value, 0);
}
