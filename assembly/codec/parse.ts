// Validating parser for untrusted pybytes messages (wire format: docs/pybytes.md,
// "The format in brief"). It never allocates and never recurses: containers are
// tracked on a caller-provided stack, so depth is bounded by `maxDepth`, not by the WebAssembly
// call stack. Every read is bounds-checked against the input; the output is the token stream
// described in tokens.ts, which the TypeScript side turns into values.
import {
  TOKEN_SIZE, K_NONE, K_TRUE, K_FALSE, K_ELLIPSIS, K_INT32, K_INT64, K_INTBIG, K_FLOAT, K_COMPLEX,
  K_STR, K_BYTES, K_BYTEARRAY, K_MEMVIEW, K_DATETIME, K_DATE, K_TIME, K_TIMEDELTA, K_UUID, K_DECIMAL,
  K_PATH, K_PUREPATH, K_LIST, K_TUPLE, K_SET, K_FROZENSET, K_DEQUE, K_DICT, K_ORDEREDDICT, K_COUNTER,
  K_CHAINMAP, K_NAMEDTUPLE, K_RANGE, F_ASCII, F_STR_KEYS,
  S_OK, S_TRUNCATED, S_BAD_PROTOCOL, S_UNKNOWN_TAG, S_BAD_LENGTH, S_BAD_UTF8, S_TOO_DEEP,
  S_UNHASHABLE, S_TOKENS_FULL, S_LIMIT, S_BAD_ITEM, S_BAD_UUID,
} from "./tokens";
import { validateUtf8 } from "./utf8";

// Stack frame, one per open container:
//
//   0        4        8           12         16       20
//   +--------+--------+-----------+----------+--------+
//   | kind   | total  | remaining | token ix | flags  |
//   +--------+--------+-----------+----------+--------+
const FRAME_SIZE: u32 = 20;
const FR_UNHASHABLE: u32 = 1;
const FR_NON_STR_KEY: u32 = 2;

/** Bytes of stack pbParse needs per level of nesting. */
export function pbFrameSize(): u32 { return FRAME_SIZE; }
/** Bytes per token. */
export function pbTokenSize(): u32 { return TOKEN_SIZE; }

// Protocol 1 tag -> protocol 2 tag (docs/pybytes.md, "The format in brief"). 0xFF = unknown,
// 0xF0 = protocol 1 int "D2" (2-byte body length, no protocol 2 equivalent).
const P1_INT_D2: u32 = 0xF0;
const P1_TAGS: usize = memory.data<u8>([
  0, 1, 2, 3,            // str E 1 2 D
  5, 6, 7, 8, 9, 10, 0xF0, // int 1..5, D1, D2(2-byte)
  12, 13, 14, 15, 16, 17, // float True False complex None Ellipsis
  18, 19, 20, 21,        // bytes
  23, 24, 25, 26,        // bytearray
  28, 29, 30, 31,        // list
  33, 34, 35, 36,        // set
  38, 39, 40, 41,        // tuple
  43, 44, 45, 46,        // dict
  48, 49, 50, 51,        // frozenset
  53, 54, 55, 56, 57,    // datetime timedelta date time UUID
  58, 59, 60, 61,        // memoryview
  63, 64, 65,            // Decimal 1 2 D
]);
const P1_TAG_COUNT: u32 = 57;

let pos: usize = 0;
let end: usize = 0;
let base: usize = 0;
let errPos: usize = 0;
let errTag: u32 = 0;
let nTokens: u32 = 0;
let status: i32 = S_OK;

/** Offset (from the protocol byte) where the last error was detected. */
export function pbErrorOffset(): u32 { return <u32>(errPos - base); }
/** Protocol-2 tag of the item being read when the last error was detected (0x100 + byte for protocol errors). */
export function pbErrorTag(): u32 { return errTag; }
/** Tokens written by the last successful pbParse. */
export function pbTokenCount(): u32 { return nTokens; }
/** Bytes the root item occupied, protocol byte included (trailing bytes are ignored). */
export function pbConsumed(): u32 { return <u32>(pos - base); }

// @ts-ignore: decorator
@inline function fail(code: i32, at: usize): void {
  if (status == S_OK) { status = code; errPos = at; }
}

/** Reads `n` little-endian bytes as an unsigned length; saturates instead of overflowing. */
function readLE(n: u64): u64 {
  if (n > <u64>(end - pos)) { fail(S_TRUNCATED, end); return 0; }
  let v: u64 = 0;
  const count = <usize>n;
  for (let i: usize = 0; i < count; i++) {
    const b = <u64>load<u8>(pos + i);
    if (i >= 8) { if (b != 0) v = u64.MAX_VALUE; }
    else if (v != u64.MAX_VALUE) v |= b << (<u64>i * 8);
  }
  pos += count;
  return v;
}

/** The length of the E / 1 / 2 / D1 / D2 header family (§4); `sub` = tag - base. */
function familyLength(sub: u32): u64 {
  if (sub == 0) return 0;
  if (sub == 1) return readLE(1);
  if (sub == 2) return readLE(2);
  const at = pos;
  if (pos >= end) { fail(S_TRUNCATED, end); return 0; }
  const first = <u64>load<u8>(pos++);
  if (first == 0) { fail(S_BAD_LENGTH, at); return 0; }
  if (sub == 3) return readLE(first);
  const m = readLE(first);
  if (status != S_OK) return 0;
  if (m == 0) { fail(S_BAD_LENGTH, at); return 0; }
  return readLE(m);
}

// @ts-ignore: decorator
@inline function isInt(kind: u32): bool { return kind == K_INT32 || kind == K_INT64 || kind == K_INTBIG; }

// Containers that put no condition on a float or small-int item (the parser's fast path).
// @ts-ignore: decorator
@inline function plainSequence(kind: u32): bool {
  return kind == K_LIST || kind == K_TUPLE || kind == K_SET || kind == K_FROZENSET || kind == K_DEQUE || kind == K_CHAINMAP;
}

// Python types whose instances cannot be dict keys or set items. Tuples and namedtuples are
// hashable only when all their items are, which the frame flag tracks.
function unhashableKind(kind: u32): bool {
  return kind == K_LIST || kind == K_SET || kind == K_DICT || kind == K_BYTEARRAY || kind == K_DEQUE ||
    kind == K_ORDEREDDICT || kind == K_COUNTER || kind == K_CHAINMAP;
}

/**
 * Validates one pybytes message at `input` (`len` bytes, protocol byte first) and writes its tokens.
 * Returns a status code (tokens.ts); on error see pbErrorOffset / pbErrorTag.
 */
export function pbParse(
  input: usize, len: u32, tokens: usize, tokCap: u32, stack: usize, maxDepth: u32,
  maxStr: u32, maxBin: u32, maxItems: u32,
): i32 {
  base = input;
  pos = input;
  end = input + <usize>len;
  // The position lives in a local (a register) rather than the module global the helpers use;
  // it is copied to `pos` around the rare helper calls (long length headers).
  const e = end;
  status = S_OK;
  errPos = input;
  errTag = 0;
  nTokens = 0;
  if (len == 0) { errTag = 0x100; fail(S_BAD_PROTOCOL, input); return status; }
  const proto = <u32>load<u8>(input);
  if (proto != 0xFD && proto != 0xFE) { errTag = 0x100 | proto; fail(S_BAD_PROTOCOL, input); return status; }
  const p1 = proto == 0xFE;
  let p = input + 1;
  let depth: u32 = 0;
  let seqTop = false; // the innermost open container is one the fast path below serves

  while (true) {
    // ---- fast path: a run of floats and small ints inside a list, tuple, set, frozenset, deque or
    // ChainMap (containers that put no condition on such items). It stops before the container's
    // last item and at anything unusual (other tags, truncation, limits, full token buffer), which
    // the general path below then handles, with its error reporting.
    if (seqTop && p < e && (load<u8>(p) == 12 || <u32>load<u8>(p) - 5 <= 3)) {
      const f = stack + <usize>(depth - 1) * FRAME_SIZE;
      {
        let remaining = load<u32>(f, 8);
        while (remaining > 1 && p < e && nTokens < tokCap) {
          const tg = <u32>load<u8>(p);
          const t = tokens + <usize>nTokens * TOKEN_SIZE;
          if (tg == 12) {
            if (e - p < 9) break;
            store<u32>(t, K_FLOAT | (12 << 16));
            store<u32>(t, <u32>(p + 1 - base), 4);
            store<u32>(t, 0, 8);
            p += 9;
          } else if (tg >= 5 && tg <= 8) {
            const k = <usize>(tg - 4);
            if (e - p < 1 + k || <u32>k > maxBin) break;
            let v: i32;
            if (k == 1) v = <i32>load<i8>(p + 1);
            else if (k == 2) v = <i32>load<i16>(p + 1);
            else if (k == 4) v = load<i32>(p + 1);
            else v = (<i32>load<u16>(p + 1) | (<i32>load<u8>(p + 3) << 16)) << 8 >> 8;
            store<u32>(t, K_INT32 | (tg << 16));
            store<u32>(t, <u32>v, 4);
            store<u32>(t, 0, 8);
            p += 1 + k;
          } else break;
          nTokens++;
          remaining--;
        }
        store<u32>(f, remaining, 8);
      }
    }

    // ---- one item ----
    const at = p;
    if (p >= e) { fail(S_TRUNCATED, e); break; }
    let tag = <u32>load<u8>(p++);
    errTag = tag;
    if (p1) {
      tag = tag < P1_TAG_COUNT ? <u32>load<u8>(P1_TAGS + tag) : 0xFF;
      if (tag != 0xFF) errTag = tag;
    }
    let kind: u32 = 0;
    let flags: u32 = 0;
    let a: u32 = 0;
    let b: u32 = 0;
    let count: u64 = 0; // items a container holds (0 for scalars)
    let container = false;

    if (tag <= 4 || (tag >= 18 && tag <= 27) || (tag >= 58 && tag <= 66) || tag >= 93 && tag <= 102) {
      // str, bytes, bytearray, memoryview, Decimal, Path, PurePath: header + payload
      let sub: u32;
      let limit = maxBin;
      if (tag <= 4) { kind = K_STR; sub = tag; limit = maxStr; }
      else if (tag <= 22) { kind = K_BYTES; sub = tag - 18; }
      else if (tag <= 27) { kind = K_BYTEARRAY; sub = tag - 23; }
      else if (tag <= 62) { kind = K_MEMVIEW; sub = tag - 58; }
      else if (tag <= 66) { kind = K_DECIMAL; sub = tag - 62; limit = maxStr; }
      else if (tag <= 97) { kind = K_PATH; sub = tag - 93; limit = maxStr; }
      else { kind = K_PUREPATH; sub = tag - 98; limit = maxStr; }
      let L: u64;
      if (sub == 0) L = 0;
      else if (sub == 1) {
        if (p >= e) { fail(S_TRUNCATED, e); break; }
        L = <u64>load<u8>(p++);
      } else if (sub == 2) {
        if (e - p < 2) { fail(S_TRUNCATED, e); break; }
        L = <u64>load<u16>(p);
        p += 2;
      } else {
        pos = p; L = familyLength(sub); p = pos;
        if (status != S_OK) break;
      }
      if (L > <u64>(e - p)) { fail(S_TRUNCATED, e); break; }
      if (L > <u64>limit) { fail(S_LIMIT, at); break; }
      a = <u32>(p - base);
      b = <u32>L;
      if (kind == K_STR || kind == K_DECIMAL || kind == K_PATH || kind == K_PUREPATH) {
        // ASCII prefix inline (most text is short and ASCII); the validator takes the rest.
        const te = p + <usize>L;
        let q = p;
        while (q + 8 <= te && (load<u64>(q) & 0x8080808080808080) == 0) q += 8;
        while (q < te && load<u8>(q) < 0x80) q++;
        if (q == te) flags = F_ASCII;
        else if (validateUtf8(q, te) == 0) { fail(S_BAD_UTF8, at); break; }
      }
      p += <usize>L;
    } else if ((tag >= 5 && tag <= 11) || tag == P1_INT_D2) {
      let k: u64;
      if (tag <= 9) k = <u64>(tag - 4);
      else if (tag == 10) { pos = p; k = readLE(1); p = pos; }
      else if (tag == P1_INT_D2) { pos = p; k = readLE(2); p = pos; }
      else {
        if (p >= e) { fail(S_TRUNCATED, e); break; }
        const w = <u64>load<u8>(p++);
        if (w == 0) { fail(S_BAD_LENGTH, at); break; }
        pos = p; k = readLE(w); p = pos;
      }
      if (status != S_OK) break;
      if (tag == P1_INT_D2) errTag = 10;
      if (k > <u64>(e - p)) { fail(S_TRUNCATED, e); break; }
      if (k > <u64>maxBin) { fail(S_LIMIT, at); break; }
      const n = <usize>k;
      if (n <= 8) {
        // sign-extend to 64 bits
        let v: i64 = 0;
        for (let i: usize = 0; i < n; i++) v |= (<i64>load<u8>(p + i)) << (<i64>i * 8);
        if (n > 0 && n < 8) { const shift = <i64>(64 - n * 8); v = (v << shift) >> shift; }
        if (v >= -2147483648 && v <= 2147483647) { kind = K_INT32; a = <u32>(<i32>v); }
        else { kind = K_INT64; a = <u32>v; b = <u32>(v >> 32); }
      } else { kind = K_INTBIG; a = <u32>(p - base); b = <u32>n; }
      p += n;
    } else if (tag == 12) {
      if (e - p < 8) { fail(S_TRUNCATED, e); break; }
      kind = K_FLOAT; a = <u32>(p - base); p += 8;
    } else if (tag == 15) {
      if (e - p < 16) { fail(S_TRUNCATED, e); break; }
      kind = K_COMPLEX; a = <u32>(p - base); p += 16;
    } else if (tag == 13) kind = K_TRUE;
    else if (tag == 14) kind = K_FALSE;
    else if (tag == 16) kind = K_NONE;
    else if (tag == 17) kind = K_ELLIPSIS;
    else if (tag == 54) {
      if (e - p < 12) { fail(S_TRUNCATED, e); break; }
      kind = K_TIMEDELTA; a = <u32>(p - base); p += 12;
    } else if (tag == 53 || tag == 55 || tag == 56) {
      kind = tag == 53 ? K_DATETIME : tag == 55 ? K_DATE : K_TIME;
      if (p >= e) { fail(S_TRUNCATED, e); break; }
      const L = <usize>load<u8>(p++);
      if (L > e - p) { fail(S_TRUNCATED, e); break; }
      if (validateUtf8(p, p + L) == 0) { fail(S_BAD_UTF8, at); break; }
      a = <u32>(p - base); b = <u32>L; p += L;
    } else if (tag == 57) {
      if (e - p < 32) { fail(S_TRUNCATED, e); break; }
      for (let i: usize = 0; i < 32; i++) {
        const c = <u32>load<u8>(p + i);
        if (!((c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102))) { fail(S_BAD_UUID, p + i); break; }
      }
      if (status != S_OK) break;
      kind = K_UUID; a = <u32>(p - base); b = 32; p += 32;
    } else if (tag == 67) {
      kind = K_RANGE; container = true; count = 3; a = <u32>(at - base);
    } else if (tag >= 28 && tag <= 92 && !(tag >= 53 && tag <= 67)) {
      let sub: u32;
      let perItem: u64 = 1;
      if (tag <= 32) { kind = K_LIST; sub = tag - 28; }
      else if (tag <= 37) { kind = K_SET; sub = tag - 33; }
      else if (tag <= 42) { kind = K_TUPLE; sub = tag - 38; }
      else if (tag <= 47) { kind = K_DICT; sub = tag - 43; perItem = 2; }
      else if (tag <= 52) { kind = K_FROZENSET; sub = tag - 48; }
      else if (tag <= 72) { kind = K_NAMEDTUPLE; sub = tag - 68; perItem = 2; }
      else if (tag <= 77) { kind = K_DEQUE; sub = tag - 73; }
      else if (tag <= 82) { kind = K_COUNTER; sub = tag - 78; perItem = 2; }
      else if (tag <= 87) { kind = K_ORDEREDDICT; sub = tag - 83; perItem = 2; }
      else { kind = K_CHAINMAP; sub = tag - 88; }
      let n: u64;
      if (sub == 0) n = 0;
      else if (sub == 1) {
        if (p >= e) { fail(S_TRUNCATED, e); break; }
        n = <u64>load<u8>(p++);
      } else {
        pos = p; n = familyLength(sub); p = pos;
        if (status != S_OK) break;
      }
      // Every item takes at least one byte: reject impossible counts before looking at items.
      const extra: u64 = kind == K_NAMEDTUPLE ? 1 : 0;
      if (n > <u64>(e - p) || n * perItem + extra > <u64>(e - p)) { fail(S_TRUNCATED, e); break; }
      if (n > <u64>maxItems) { fail(S_LIMIT, at); break; }
      a = <u32>(at - base);
      b = <u32>n;
      count = n * perItem + extra;
      container = count > 0;
      if (kind == K_DICT || kind == K_ORDEREDDICT || kind == K_COUNTER) flags = F_STR_KEYS;
    } else {
      fail(S_UNKNOWN_TAG, at);
      break;
    }

    if (nTokens >= tokCap) { fail(S_TOKENS_FULL, p); break; }
    const t = tokens + <usize>nTokens * TOKEN_SIZE;
    store<u32>(t, kind | flags | (errTag << 16));
    store<u32>(t, a, 4);
    store<u32>(t, b, 8);
    nTokens++;

    if (container) {
      if (depth >= maxDepth) { fail(S_TOO_DEEP, at); break; }
      const f = stack + <usize>depth * FRAME_SIZE;
      store<u32>(f, kind);
      store<u32>(f, <u32>count, 4);
      store<u32>(f, <u32>count, 8);
      store<u32>(f, nTokens - 1, 12);
      store<u32>(f, 0, 16);
      depth++;
      seqTop = !p1 && plainSequence(kind);
      continue;
    }

    // ---- the item is complete: check it against its container, close finished containers ----
    let hashable = !unhashableKind(kind);
    while (depth > 0) {
      const f = stack + <usize>(depth - 1) * FRAME_SIZE;
      const fk = load<u32>(f);
      const total = load<u32>(f, 4);
      const remaining = load<u32>(f, 8);
      const index = total - remaining;
      if (fk == K_SET || fk == K_FROZENSET) {
        if (!hashable) { fail(S_UNHASHABLE, at); break; }
      } else if (fk == K_DICT || fk == K_ORDEREDDICT || fk == K_COUNTER) {
        if ((index & 1) == 0) {
          if (!hashable) { fail(S_UNHASHABLE, at); break; }
          if (kind != K_STR) store<u32>(f, load<u32>(f, 16) | FR_NON_STR_KEY, 16);
        }
      } else if (fk == K_TUPLE) {
        if (!hashable) store<u32>(f, load<u32>(f, 16) | FR_UNHASHABLE, 16);
      } else if (fk == K_NAMEDTUPLE) {
        // item 0 is the type name, then (field name, value) pairs
        if ((index == 0 || (index & 1) == 1) && kind != K_STR) { fail(S_BAD_ITEM, at); break; }
        if (!hashable) store<u32>(f, load<u32>(f, 16) | FR_UNHASHABLE, 16);
      } else if (fk == K_RANGE) {
        if (!isInt(kind)) { fail(S_BAD_ITEM, at); break; }
      }
      if (remaining > 1) { store<u32>(f, remaining - 1, 8); break; }
      // this container is complete
      const flagsNow = load<u32>(f, 16);
      if ((flagsNow & FR_NON_STR_KEY) != 0) {
        const t = tokens + <usize>load<u32>(f, 12) * TOKEN_SIZE;
        store<u32>(t, load<u32>(t) & ~F_STR_KEYS);
      }
      kind = fk;
      hashable = (fk == K_TUPLE || fk == K_NAMEDTUPLE) ? (flagsNow & FR_UNHASHABLE) == 0 : !unhashableKind(fk);
      depth--;
      seqTop = depth > 0 && !p1 && plainSequence(load<u32>(stack + <usize>(depth - 1) * FRAME_SIZE));
    }
    if (status != S_OK) break;
    if (depth == 0) break;
  }
  pos = p;
  return status;
}
