// The fast paths added for speed (bench/codec.mjs) must give exactly the bytes and values of the
// general paths: plain objects vs Maps, string lengths around every threshold, binary copies from
// the caller's input, inline list items, and the dict-key cache.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ByteArray, Float, MemoryView, Tuple, decode, encode } from '../src/pybytes.ts';
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
  for (const len of [1, 7, 8, 23, 24, 31, 32, 33, 63, 64, 65, 85, 86, 100, 255, 256, 257, 1000, 21845, 21846, 65535, 65536, 70000]) {
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
        assert.equal(decode(encode({ [s]: s })), { [s]: s });
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

test.run();
