// The fast paths added for speed (bench/codec.mjs) must give exactly the bytes and values of the
// general paths: plain objects vs Maps, string lengths around every threshold, binary copies from
// the caller's input, inline list items, and the dict-key cache.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ByteArray, CalendarDate, DateTime, DecodeError, Float, FrozenSet, MemoryView, Tuple, decode, encode } from '../src/pybytes.ts';
import { toHex } from './helpers/vectors.ts';

const utf8 = new TextEncoder();

/** The header of a str item of `n` UTF-8 bytes, written by hand (docs/pybytes.md §1). */
function strHeader(n: number): number[] {
  if (n === 0) return [0];
  if (n < 0x100) return [1, n];
  if (n < 0x10000) return [2, n & 0xff, n >>> 8];
  const bytes: number[] = [];
  for (let l = n; l > 0; l = Math.floor(l / 256)) bytes.push(l % 256);
  return [3, bytes.length, ...bytes];
}

test('plain objects encode exactly like Maps with the same entries, at every header size', () => {
  for (const n of [0, 1, 2, 255, 256, 257, 65535, 65536, 70000]) {
    const obj: Record<string, number> = {};
    const map = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      obj[`k${i}`] = i;
      map.set(`k${i}`, i);
    }
    assert.is(toHex(encode(obj)), toHex(encode(map)), `${n} keys`);
    assert.is(toHex(encode([obj, 7])), toHex(encode([map, 7])), `${n} keys, then an item`);
    const back = decode(encode(obj)) as Record<string, number>;
    assert.is(Object.keys(back).length, n);
  }
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: [2] });
  assert.is(toHex(encode(nullProto)), toHex(encode(new Map<string, unknown>([['b', 1], ['a', [2]]]))));
  // integer-like keys come first, as in Object.keys
  assert.is(toHex(encode({ b: 1, 2: 2, a: 3, 1: 4 })), toHex(encode(new Map<string, number>([['1', 4], ['2', 2], ['b', 1], ['a', 3]]))));
});

test('plain objects: inherited enumerable properties and symbols are not written (Object.keys semantics)', () => {
  const proto = Object.prototype as Record<string, unknown>;
  proto.polluted = 1;
  try {
    assert.is(toHex(encode({ a: 1 })), toHex(encode(new Map([['a', 1]]))));
  } finally {
    delete proto.polluted;
  }
  const withSymbol = { a: 1, [Symbol('s')]: 2 };
  assert.is(toHex(encode(withSymbol)), toHex(encode(new Map([['a', 1]]))));
  const withHidden = Object.defineProperty({ a: 1 }, 'hidden', { value: 2, enumerable: false });
  assert.is(toHex(encode(withHidden)), toHex(encode(new Map([['a', 1]]))));
  // a getter that re-enters encode() does not disturb the outer message
  const reentrant = { x: 1, get y() { return toHex(encode({ inner: 'z'.repeat(300) })).length; }, z: 'end' };
  const expected = new Map<string, unknown>([['x', 1], ['y', toHex(encode({ inner: 'z'.repeat(300) })).length], ['z', 'end']]);
  assert.is(toHex(encode(reentrant)), toHex(encode(expected)));
});

test('strings of every length class and content are written with the smallest header and exact UTF-8', () => {
  const units = ['a', '\u00e9', '\u20ac', '\u{1f600}'];
  for (const len of [1, 7, 8, 23, 24, 31, 32, 33, 63, 64, 65, 85, 86, 100, 255, 256, 257, 1000, 21846, 65536, 70000]) {
    for (const [i, unit] of units.entries()) {
      // mostly ASCII with the unit sprinkled in, and all of the unit
      const mixed = Array.from({ length: len }, (_, j) => (j % 5 === i ? unit : 'x')).join('').slice(0, len);
      const pure = unit.repeat(Math.ceil(len / unit.length)).slice(0, len);
      for (const s of [mixed, pure]) {
        if (/[\uD800-\uDBFF]$/.test(s)) continue; // cut through a surrogate pair
        const body = utf8.encode(s);
        const got = encode(s);
        const want = new Uint8Array([0xfd, ...strHeader(body.length), ...body]);
        assert.is(toHex(got), toHex(want), `length ${len}, unit ${JSON.stringify(unit)}`);
        assert.is(decode(got), s);
        if (len <= 1000) assert.equal(decode(encode({ [s]: s })), { [s]: s });
      }
    }
  }
  for (const len of [5, 40, 100, 300]) {
    assert.throws(() => encode('a'.repeat(len) + '\ud800'), TypeError, `lone high surrogate after ${len}`);
    assert.throws(() => encode('\udc00' + 'a'.repeat(len)), TypeError, `lone low surrogate before ${len}`);
  }
});

test('binary payloads are copies of the input, never views of it, for every input kind', () => {
  const payload = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff);
  const message = encode([payload, new ByteArray([1, 2]), new MemoryView([3])]);
  for (const input of [message.slice(), Buffer.from(message), message.slice().buffer, new DataView(message.slice().buffer)]) {
    const out = decode(input) as Uint8Array[];
    assert.is(out[0]!.constructor, Uint8Array);
    assert.is(toHex(out[0]!), toHex(payload));
    assert.is(toHex(out[1]!), '0102');
    assert.is(toHex(out[2]!), '03');
    // mutate the input afterwards: the decoded values must not change
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    bytes.fill(0);
    assert.is(toHex(out[0]!), toHex(payload));
    assert.is(toHex(out[1]!), '0102');
    assert.is(out[0]!.buffer.byteLength, payload.byteLength);
    const lossless = decode(message, { lossless: true }) as unknown[];
    assert.ok(lossless[1] instanceof ByteArray);
    assert.ok(lossless[2] instanceof MemoryView);
    assert.is(toHex(lossless[0] as Uint8Array), toHex(payload));
  }
});

test('{ views: true } returns payloads aliasing the input, only with the option, after full validation', () => {
  const payload = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff);
  const message = encode([payload, new ByteArray([1, 2]), new MemoryView([3]), new Uint8Array(0)]);
  for (const make of [(m: Uint8Array) => m.slice(), (m: Uint8Array) => Buffer.from(m), (m: Uint8Array) => m.slice().buffer,
    (m: Uint8Array) => new DataView(m.slice().buffer), (m: Uint8Array) => { const big = new Uint8Array(m.length + 10); big.set(m, 7); return big.subarray(7); }]) {
    const input = make(message);
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    const copies = decode(input) as Uint8Array[];
    const views = decode(input, { views: true }) as Uint8Array[];
    const lossless = decode(input, { views: true, lossless: true }) as Uint8Array[];
    for (const out of [views, lossless]) {
      assert.is(toHex(out[0]!), toHex(payload));
      assert.is(out[0]!.buffer, bytes.buffer);
      assert.is(out[0]!.byteOffset, bytes.byteOffset + message.indexOf(payload[0]!, 3));
      assert.is(out[3]!.byteLength, 0);
    }
    assert.is(views[0]!.constructor, Uint8Array);
    assert.is(views[1]!.constructor, Uint8Array);
    assert.ok(lossless[1] instanceof ByteArray);
    assert.ok(lossless[2] instanceof MemoryView);
    for (const c of copies) assert.is.not(c.buffer, bytes.buffer);
    // writes to the input show through the views, never through the copies
    bytes.fill(0x55);
    assert.is(views[0]![0], 0x55);
    assert.is(lossless[1]![1], 0x55);
    assert.is(views[2]![0], 0x55);
    assert.is(toHex(copies[0]!), toHex(payload));
    assert.is(toHex(copies[1]!), '0102');
  }
  // malformed input is still rejected before any view is made
  const truncated = message.slice(0, message.length - 1);
  assert.throws(() => decode(truncated, { views: true }), (err: unknown) => err instanceof RangeError);
  const badUtf8 = new Uint8Array([0xfd, 29, 2, 19, 1, 9, 1, 1, 0xff]);
  assert.throws(() => decode(badUtf8, { views: true }), (err: unknown) => err instanceof DecodeError && err.code === 'BAD_UTF8');
  assert.is(decode(new Uint8Array([0xfd, 18]), { views: true }) instanceof Uint8Array, true);
});

test('a message that is one large binary payload decodes like the general path (every header form, kind, mode)', () => {
  const general = { maxDepth: 1000 }; // a limit option: always the general (WebAssembly) path
  for (const n of [0, 5, 255, 256, 4090, 4096, 65535, 65536, 70000, 1 << 20]) {
    const payload = Uint8Array.from({ length: n }, (_, i) => (i * 13) & 0xff);
    for (const value of [payload, ByteArray.from(payload), MemoryView.from(payload)]) {
      const message = encode(value);
      for (const input of [message, Buffer.from(message), (() => { const m = new Uint8Array(message.length + 3); m.set(message); return m; })()]) {
        for (const mode of [{}, { lossless: true }, { views: true }, { views: true, lossless: true }]) {
          const fast = decode(input, mode) as Uint8Array;
          const slow = decode(input, { ...mode, ...general }) as Uint8Array;
          assert.is(fast.constructor, slow.constructor, `${n} bytes ${value.constructor.name} ${JSON.stringify(mode)}`);
          assert.is(fast.byteLength, n);
          assert.ok(Buffer.from(fast).equals(Buffer.from(payload)));
          assert.is(fast.buffer === input.buffer, (mode as { views?: boolean }).views === true);
        }
      }
      if (n > 0) {
        // truncated: a RangeError from the general path
        assert.throws(() => decode(message.subarray(0, message.length - 1)), (err: unknown) => err instanceof RangeError);
        assert.throws(() => decode(message, { maxBinaryLength: n - 1 }), (err: unknown) => err instanceof DecodeError && err.code === 'LIMIT');
      }
    }
  }
  // a zero-length D1 header is BAD_LENGTH, not an empty payload
  const badLength = new Uint8Array(5000);
  badLength.set([0xfd, 21, 0]);
  assert.throws(() => decode(badLength), (err: unknown) => err instanceof DecodeError && err.code === 'BAD_LENGTH');
});

test('lists of mixed items decode like the general path (ints, floats, strings, nested, lossless floats)', () => {
  const items = [1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, 1.5, -0, NaN, Infinity, 'a', 'long string here', 'é', null, true, [1.25, 'x'], { k: 2.5 }, new Tuple(1, 2)];
  const back = decode(encode(items)) as unknown[];
  assert.is(back.length, items.length);
  for (let i = 0; i < items.length; i++) {
    if (typeof items[i] === 'object' && items[i] !== null) assert.equal(back[i], items[i] instanceof Tuple ? [1, 2] : items[i]);
    else assert.ok(Object.is(back[i], items[i]), `item ${i}`);
  }
  const lossless = decode(encode([1.0 as unknown, new Float(2), 2.5]), { lossless: true }) as unknown[];
  assert.is(lossless[0], 1);
  assert.ok(lossless[1] instanceof Float);
  assert.is(lossless[2], 2.5);
  const floats = Array.from({ length: 5000 }, (_, i) => i / 7);
  assert.equal(decode(encode(floats)), floats);
});

test('dict keys: repeated, colliding and evicted keys always decode to the right strings', () => {
  // many distinct short keys (more than any cache holds), then the first ones again
  const keys = Array.from({ length: 20000 }, (_, i) => `k${i.toString(36)}`);
  const big = Object.fromEntries(keys.map((k, i) => [k, i]));
  for (let round = 0; round < 3; round++) {
    const back = decode(encode(big)) as Record<string, number>;
    assert.equal(Object.keys(back), keys);
    for (const k of keys) assert.is(back[k], big[k]);
  }
  const records = Array.from({ length: 500 }, (_, i) => ({ id: i, [`x${i % 37}`]: i, name: `n${i}`, 'é': i, '': i, ['long key number ' + i]: i }));
  assert.equal(decode(encode(records)), records);
  // a failed decode in the middle must not leave stale keys behind
  const good = encode({ alpha: 1, beta: 2 });
  const bad = encode({ gamma: 1, alpha: new Date(0) });
  bad[bad.length - 3] = 0x78; // corrupt the datetime text: a DecodeError after the keys were seen
  assert.throws(() => decode(bad));
  assert.equal(decode(good), { alpha: 1, beta: 2 });
  assert.equal(decode(encode({ gamma: 3, alpha: 4 })), { gamma: 3, alpha: 4 });
});

test('object shape cache: repeated key sets, key order, __proto__, duplicates, nesting, failures', () => {
  // the same key set many times (compiled after the second sighting), also nested in itself
  for (let i = 0; i < 5; i++) {
    const rec = { id: i, name: `u${i}`, on: i % 2 === 0, score: i + 0.5, tags: ['a', { id: i, name: 'in', on: true, score: 1, tags: [] }] };
    const back = decode(encode(rec));
    assert.equal(back, rec);
    assert.equal(Object.keys(back as object), ['id', 'name', 'on', 'score', 'tags']);
    assert.is(Object.getPrototypeOf(back), Object.prototype);
  }
  // same keys in another order, a subset and a superset: each keeps its own order
  for (let i = 0; i < 3; i++) {
    assert.equal(Object.keys(decode(encode({ name: 1, id: 2 })) as object), ['name', 'id']);
    assert.equal(Object.keys(decode(encode({ id: 2, name: 1 })) as object), ['id', 'name']);
    assert.equal(decode(encode({ id: 2 })), { id: 2 });
    assert.equal(decode(encode({ id: 2, name: 1, x: null })), { id: 2, name: 1, x: null });
    assert.equal(Object.keys(decode(encode({ x: 0, name: 1, id: 2 })) as object), ['x', 'name', 'id']);
  }
  // integer-like keys and keys needing escapes in source text
  for (let i = 0; i < 3; i++) {
    const odd = new Map<string, number>([['b', 1], ['2', 2], ['"', 3], ['\\', 4], ['\n', 5], ['a b', 6], ['constructor', 7]]);
    const back = decode(encode(odd)) as Record<string, number>;
    assert.equal(Object.keys(back), ['2', 'b', '"', '\\', '\n', 'a b', 'constructor']);
    assert.is(back['"'], 3);
    assert.is(back['\n'], 5);
    assert.is(Object.getPrototypeOf(back), Object.prototype);
  }
  // __proto__ stays an own data property, never the prototype, however often it is seen
  for (let i = 0; i < 4; i++) {
    const back = decode(encode(new Map<string, unknown>([['a', 1], ['__proto__', { polluted: true }]]))) as Record<string, unknown>;
    assert.is(Object.getPrototypeOf(back), Object.prototype);
    assert.ok(Object.prototype.hasOwnProperty.call(back, '__proto__'));
    assert.is((back as { polluted?: unknown }).polluted, undefined);
    assert.is(({} as { polluted?: unknown }).polluted, undefined);
  }
  // duplicate keys on the wire: the last value wins, in the first key's position (as assignment does)
  const dup = new Uint8Array([0xfd, 44, 3, 1, 1, 0x61, 5, 1, 1, 1, 0x62, 5, 2, 1, 1, 0x61, 5, 3]);
  for (let i = 0; i < 3; i++) {
    const back = decode(dup) as Record<string, number>;
    assert.equal(Object.keys(back), ['a', 'b']);
    assert.is(back.a, 3);
  }
  // a failure inside a cached shape, then the same shape again: right values, nothing stale
  const good = encode({ when: 1, what: 'x', who: 2 });
  decode(good);
  decode(good);
  const bad = encode({ when: new Date(0), what: 'x', who: 2 });
  const at = bad.indexOf(0x54); // the 'T' of the datetime text
  bad[at] = 0x78;
  assert.throws(() => decode(bad), (err: unknown) => err instanceof DecodeError);
  assert.equal(decode(good), { when: 1, what: 'x', who: 2 });
  // many distinct key sets (more than the cache holds) stay correct
  for (let i = 0; i < 3000; i++) {
    const o = { [`a${i}`]: i, [`b${i % 7}`]: -i, c: i };
    assert.equal(decode(encode(o)), o);
  }
});

/** A list message built from the encodings of its items, i.e. what the general path writes. */
function listOf(items: unknown[]): string {
  return toHex(new Uint8Array([0xfd, ...listHeader(items.length), ...items.flatMap((x) => [...encode(x).subarray(1)])]));
}
function listHeader(n: number): number[] {
  return strHeader(n).map((b, i) => (i === 0 ? b + 28 : b));
}

test('arrays: runs of floats mixed with other items give the item-by-item bytes; each element is read once', () => {
  const specials = [1.5, -0, 0, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 2 ** 53 - 1, 0.1, 3, 'x', null, [0.5], { a: 0.25 }, new Float(2), 5n];
  for (let round = 0; round < 200; round++) {
    const len = [0, 1, 2, 5, 4095, 4096, 4097, 9000][round % 8]!;
    const items = Array.from({ length: len }, (_, i) => ((i * 2654435761 + round) % 7 === 0 ? specials[(i + round) % specials.length] : i / 3 + round));
    assert.is(toHex(encode(items)), listOf(items), `round ${round}, length ${len}`);
  }
  let reads = 0;
  const watched: unknown[] = [1.5, 2.5, 3.5, 4.5, 'a', 5.5];
  for (const index of [1, 3, 4, 5]) {
    const value = watched[index];
    Object.defineProperty(watched, index, { get() { reads++; return value; }, enumerable: true });
  }
  assert.is(toHex(encode(watched)), listOf([1.5, 2.5, 3.5, 4.5, 'a', 5.5]));
  assert.is(reads, 4);
  // a getter that re-enters encode() in the middle of a float run
  const reentrant: unknown[] = [0.5, 0.25];
  Object.defineProperty(reentrant, 2, { get() { encode(Array.from({ length: 5000 }, (_, i) => i + 0.5)); return 0.125; }, enumerable: true });
  reentrant.push(0.0625);
  assert.is(toHex(encode(reentrant)), listOf([0.5, 0.25, 0.125, 0.0625]));
});

test('parser fast path for float / small-int runs: values, truncation, limits, token buffer growth', () => {
  const ints = [0, 1, -1, 127, -128, 128, -129, 32767, -32768, 32768, -32769, 8388607, -8388608, 8388608, -8388609, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 40];
  const mixed = ints.flatMap((n, i) => [n, i + 0.5]);
  assert.equal(decode(encode(mixed)), mixed);
  assert.equal(decode(encode(new Tuple(...mixed)), { lossless: true }), new Tuple(...mixed));
  assert.equal(decode(encode(new Set(mixed))), new Set(mixed));
  assert.ok(decode(encode(new FrozenSet(mixed)), { lossless: true }) instanceof FrozenSet);
  // 2-byte ints: more tokens than the first token buffer holds, so the parse is retried
  const many = Array.from({ length: 20000 }, (_, i) => i % 100);
  assert.equal(decode(encode(many)), many);
  // every truncation point of a float / int run is a RangeError, never a wrong value
  const m = encode([1.5, 300, 2.5, -70000, 7]);
  for (let cut = 1; cut < m.length; cut++) assert.throws(() => decode(m.subarray(0, cut)), RangeError, `cut at ${cut}`);
  // limits still apply inside runs
  assert.throws(() => decode(encode([1, 2, 300, 4]), { maxBinaryLength: 1 }), (err: unknown) => err instanceof DecodeError && err.code === 'LIMIT');
  assert.equal(decode(encode([1, 2, 3, 4]), { maxBinaryLength: 1 }), [1, 2, 3, 4]);
  // ints as dict keys still clear the all-str-keys flag; floats in a range are still rejected
  assert.ok(decode(encode(new Map<unknown, unknown>([[1, 1.5], [2, 2.5]]))) instanceof Map);
  assert.throws(() => decode(new Uint8Array([0xfd, 0x43, 0x05, 0x01, 0x0c, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x05, 0x01])), (err: unknown) => err instanceof DecodeError && err.code === 'BAD_ITEM');
});

test('encode() output is always a plain Uint8Array over its own exactly-sized buffer (small and large)', () => {
  for (const size of [0, 10, 1000, 300_000, 1 << 20]) {
    const payload = Uint8Array.from({ length: size }, (_, i) => (i * 13 + 1) & 0xff);
    const a = encode(payload);
    const b = encode([payload, 'tail']);
    for (const out of [a, b]) {
      assert.is(out.constructor, Uint8Array);
      assert.is(out.byteOffset, 0);
      assert.is(out.buffer.byteLength, out.byteLength);
    }
    assert.is(toHex(decode(a) as Uint8Array), toHex(payload));
    assert.equal(decode(b), [payload, 'tail']);
    const again = encode(payload);
    assert.is(toHex(again), toHex(a));
    assert.ok(again.buffer !== a.buffer);
  }
});

function isoMessage(tag: number, text: string): Uint8Array {
  return new Uint8Array([0xfd, tag, text.length, ...utf8.encode(text)]);
}

test('datetime / date decode fast path agrees with the general parser on valid and invalid texts', () => {
  const texts = [
    '2024-01-02T03:04:05+00:00', '2024-01-02T03:04:05.006000+00:00', '2024-01-02 03:04:05', '2024-01-02T03:04:05.123456',
    '2024-02-29T23:59:59.999999-23:59', '2023-02-29T00:00:00+00:00', '2024-13-01T00:00:00', '2024-00-10T00:00:00',
    '2024-01-32T00:00:00', '2024-04-31T00:00:00', '2024-01-02T24:00:00', '2024-01-02T23:60:00', '2024-01-02T23:00:60',
    '2024-01-02T03:04:05+24:00', '2024-01-02T03:04:05+05:60', '2024-01-02T03:04:05Z', '2024-01-02T03:04:05.5+01:00',
    '2024-01-02x03:04:05', '0099-12-31T23:59:59+00:00', '0100-01-01T00:00:00+00:00', '0001-01-01T00:00:00',
    '9999-12-31T23:59:59.999999+00:00', '9999-12-31T23:59:59.999999-00:30', '2024-01-02T03:04:05,123456', '2024-1-02T03:04:05',
    '2024-01-02T03:04:05.12345a', '2024-01-02T03:04:05+01:30:15', '2024-01-02', '2000-02-29', '1900-02-29', '0050-06-15', '20x4-01-02',
  ];
  for (const text of texts) {
    for (const tag of [0x35, 0x37]) {
      const m = isoMessage(tag, text);
      let want: unknown;
      let wantErr: unknown;
      try {
        const v = decode(m, { lossless: true }) as DateTime | CalendarDate;
        want = v.toDate().getTime();
      } catch (err) {
        wantErr = err;
      }
      let got: unknown;
      let gotErr: unknown;
      try {
        got = (decode(m) as Date).getTime();
      } catch (err) {
        gotErr = err;
      }
      if (wantErr !== undefined) {
        assert.ok(gotErr !== undefined, `${text} (tag ${tag}) should fail`);
        assert.is((gotErr as Error).message, (wantErr as Error).message);
      } else assert.is(got, want, `${text} (tag ${tag})`);
    }
  }
});

test('Date encode fast path writes what DateTime.fromDate(d).isoformat() gives', () => {
  const dates = [0, 6, 999, 1000, -1, Date.UTC(2024, 0, 2, 3, 4, 5, 6), Date.UTC(2024, 1, 29, 23, 59, 59, 999), -62135596800000,
    253402300799999, Date.UTC(99, 0, 1) - Date.UTC(1999, 0, 1) + Date.UTC(1999, 0, 1), -61000000000000];
  for (let i = 0; i < 500; i++) dates.push(Math.floor((i * 7919.123457 % 1) * 253402300799999 * 1.0) - (i % 3) * 60000000000000);
  for (const t of dates) {
    const d = new Date(t);
    const year = d.getUTCFullYear();
    if (year < 1 || year > 9999) {
      assert.throws(() => encode(d), RangeError);
      continue;
    }
    const text = DateTime.fromDate(d).isoformat();
    assert.is(toHex(encode(d)), toHex(isoMessage(0x35, text)), text);
    assert.is((decode(encode(d)) as Date).getTime(), t);
  }
  assert.throws(() => encode(new Date(NaN)), RangeError);
  class MyDate extends Date {}
  assert.is(toHex(encode(new MyDate(5))), toHex(encode(new Date(5))));
});

test.run();
