// encode()/decode() behaviour beyond the golden vectors: JS mapping, options and limits, prototype
// safety, and the core (shared-memory) host used by the shared-memory layers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeFromCore, encodeIntoCore } from '../src/platform/coreCodec.ts';
import { runtime } from '../src/platform/runtime.ts';
import {
  ByteArray, CalendarDate, Complex, DateTime, DecodeError, Decimal, Ellipsis, Float, FrozenSet, NamedTuple, Range, Time,
  TimeDelta, Tuple, UUID, decode, encode,
} from '../src/pybytes.ts';
import * as main from '../src/index.ts';
import { fromHex, toHex } from './helpers/vectors.ts';

test('decode() accepts Uint8Array, Buffer, ArrayBuffer and other views, and ignores trailing bytes', () => {
  const m = encode('hi');
  assert.is(decode(m), 'hi');
  assert.is(decode(m.slice().buffer), 'hi');
  assert.is(decode(Buffer.from(m)), 'hi');
  assert.is(decode(new DataView(m.slice().buffer)), 'hi');
  assert.is(decode(fromHex('fd10dead')), null);
  assert.throws(() => decode('fd10' as unknown as Uint8Array), TypeError);
});

test('encode() maps JS values to Python types (ints vs floats, bigint, Date, typed arrays)', () => {
  assert.is(toHex(encode(1)), 'fd0501');
  assert.is(toHex(encode(-128)), 'fd0680ff');
  assert.is(toHex(encode(2 ** 31)), 'fd090000008000');
  assert.is(toHex(encode(1.5)), 'fd0c000000000000f83f');
  assert.is(toHex(encode(-0)), 'fd0c0000000000000080');
  assert.is(toHex(encode(new Float(1))), 'fd0c000000000000f03f');
  assert.is(toHex(encode(2n ** 63n)), 'fd0a09000000000000008000');
  assert.is(toHex(encode(-(2n ** 63n))), 'fd0a0900000000000000' + '80ff');
  assert.is(toHex(encode(undefined)), 'fd10');
  assert.is(decode(encode(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))) instanceof Date, true);
  assert.is(new TextDecoder().decode(encode(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))).subarray(3)), '2024-01-02T03:04:05.006000+00:00');
  assert.is(toHex(encode(new Float64Array([1]))), 'fd3b08000000000000f03f');
  for (const n of [0, 127, -127, 255, 65535, -65536, 2 ** 40, -(2 ** 40) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
    assert.is(decode(encode(n)), n, String(n));
    assert.is(toHex(encode(n)), toHex(encode(BigInt(n))), String(n));
  }
  for (const n of [2n ** 53n, -(2n ** 53n) - 1n, 2n ** 2039n, -(2n ** 2040n), 10n ** 1000n]) assert.is(decode(encode(n)), n);
});

test('decode() idiomatic mode: str-keyed dicts are plain objects, other dicts Maps; lossless mode keeps Python types', () => {
  const msg = encode(new Map<unknown, unknown>([['a', 1], ['b', Tuple.of(1, 2)]]));
  assert.equal(decode(msg), { a: 1, b: [1, 2] });
  const m = decode(encode(new Map([[1, 'x']]))) as Map<number, string>;
  assert.instance(m, Map);
  assert.is(m.get(1), 'x');
  const lossless = decode(msg, { lossless: true }) as Map<string, unknown>;
  assert.instance(lossless, Map);
  assert.instance(lossless.get('b'), Tuple);
  assert.is(decode(encode(new Float(3)), { lossless: true }) instanceof Float, true);
  assert.is(decode(encode(new Float(3))), 3);
  assert.is(typeof decode(encode(new UUID('12345678-1234-5678-1234-567812345678'))), 'string');
  assert.instance(decode(encode(new UUID('12345678-1234-5678-1234-567812345678')), { lossless: true }), UUID);
});

test('dict keys that are JS arrays or sets encode as tuple / frozenset; mutable keys are rejected', () => {
  const m = decode(encode(new Map<unknown, string>([[[1, 2], 'pair'], [new Set([3]), 'set']])), { lossless: true }) as Map<unknown, unknown>;
  const keys = [...m.keys()];
  assert.instance(keys[0], Tuple);
  assert.instance(keys[1], FrozenSet);
  assert.throws(() => encode(new Map([[{ a: 1 }, 1]])), TypeError);
  assert.throws(() => encode(new Set([new Map()])), TypeError);
});

test('decode() never lets __proto__, constructor or prototype keys touch a prototype', () => {
  const msg = encode(new Map<string, unknown>([['__proto__', { polluted: true }], ['constructor', 1], ['prototype', 2]]));
  const obj = decode(msg) as Record<string, unknown>;
  assert.is(Object.getPrototypeOf(obj), Object.prototype);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.keys(obj), ['__proto__', 'constructor', 'prototype']);
  assert.equal(Object.getOwnPropertyDescriptor(obj, '__proto__')!.value, { polluted: true });
  assert.is((obj as { polluted?: unknown }).polluted, undefined);
});

test('decode() limits: depth, string, binary and container sizes are DecodeError LIMIT / TOO_DEEP', () => {
  const nested = (n: number): unknown => {
    let x: unknown = 1;
    for (let i = 0; i < n; i++) x = [x];
    return x;
  };
  assert.ok(decode(encode(nested(100)), { maxDepth: 100 }));
  assert.throws(() => decode(encode(nested(100)), { maxDepth: 99 }), (e: unknown) => e instanceof DecodeError && e.code === 'TOO_DEEP');
  assert.throws(() => decode(encode('x'.repeat(10)), { maxStringLength: 9 }), (e: unknown) => e instanceof DecodeError && e.code === 'LIMIT');
  assert.throws(() => decode(encode(new Uint8Array(10)), { maxBinaryLength: 9 }), (e: unknown) => e instanceof DecodeError && e.code === 'LIMIT');
  assert.throws(() => decode(encode([1, 2, 3]), { maxContainerLength: 2 }), (e: unknown) => e instanceof DecodeError && e.code === 'LIMIT');
  assert.throws(() => decode(encode(1), { maxDepth: 0 }), RangeError);
  // a huge declared count on a tiny message is a truncation, found before any item is read
  assert.throws(() => decode(fromHex('fd1f03ffffffff')), RangeError);
});

test('decode() errors name the offset and tag', () => {
  try {
    decode(fromHex('fd1d02050168'));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, DecodeError);
    assert.is((err as DecodeError).offset, 5);
    assert.is((err as DecodeError).tag, 0x68);
    assert.is((err as Error).message, 'Cannot decode pybytes at offset 5 (tag 0x68): no type has this tag');
  }
});

test('value classes round-trip through both modes where they have no JS counterpart', () => {
  const values = [new Complex(1, -2), new Decimal('1.23E+50'), new Range(0, 10n ** 20n, 3), new NamedTuple('P', [['x', 1]]),
    new TimeDelta(0, 0, -1), new Time(1, 2, 3, 4, -3_600_000_000), Ellipsis];
  for (const v of values) assert.equal(decode(encode(v)), v);
  assert.equal(decode(encode(new DateTime(2024, 2, 29, 1, 2, 3, 456789, 19_815_000_005)), { lossless: true }), new DateTime(2024, 2, 29, 1, 2, 3, 456789, 19_815_000_005));
  assert.equal(decode(encode(new CalendarDate(1, 1, 1)), { lossless: true }), new CalendarDate(1, 1, 1));
  assert.instance(decode(encode(ByteArray.of(1)), { lossless: true }), ByteArray);
  assert.throws(() => new Decimal('abc'), TypeError);
});

test('the main barrel re-exports the codec', () => {
  assert.is(main.encode, encode);
  assert.is(main.decode, decode);
  assert.is(main.DecodeError, DecodeError);
});

test('core host: encodeIntoCore() writes into shared memory, reports the size needed, decodeFromCore() reads it', () => {
  const rt = runtime();
  const region = rt.regions.allocate(65536);
  try {
    const value = { name: 'é'.repeat(100), n: [1, 2.5, 2n ** 70n], b: new Uint8Array([1, 2, 3]) };
    const expected = encode(value);
    assert.is(encodeIntoCore(value, region, 10), -expected.length);
    const n = encodeIntoCore(value, region, 65536);
    assert.is(n, expected.length);
    assert.is(toHex(rt.u8.slice(region, region + n)), toHex(expected));
    assert.equal(decodeFromCore(region, n), decode(expected));
    assert.throws(() => decodeFromCore(region, 3), RangeError);
  } finally {
    rt.regions.release(region);
  }
});

test.run();
