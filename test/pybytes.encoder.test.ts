// encodeInto() and the reusable Encoder (issue #17): the same bytes as encode(), written into the
// caller's array or the encoder's own buffer, with clear errors when the target is too small.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Encoder, Tuple, decode, encode, encodeInto } from '../src/pybytes.ts';
import * as main from '../src/index.ts';
import { toHex } from './helpers/vectors.ts';

const samples: unknown[] = [
  null, 1, -0, 2 ** 70, 'hé', new Uint8Array([1, 2, 3]), [1.5, 2.5, 'x'], { id: 1, tags: ['a'] },
  new Map<unknown, unknown>([[Tuple.of(1, 2), new Set([1])]]), new Date(Date.UTC(2024, 0, 2)),
  'x'.repeat(70_000), Array.from({ length: 300 }, (_, i) => ({ i })),
];

test('encodeInto() writes the bytes of encode() from the first byte and returns the length', () => {
  const target = new Uint8Array(1 << 20);
  for (const v of samples) {
    target.fill(0xaa);
    const n = encodeInto(v, target);
    assert.is(toHex(target.subarray(0, n)), toHex(encode(v)));
    assert.is(target[n], 0xaa, 'nothing written past the message');
  }
  // into a subarray and into shared memory
  const shared = new Uint8Array(new SharedArrayBuffer(256), 16, 200);
  const n = encodeInto({ a: 1.25 }, shared);
  assert.equal(decode(shared.slice(0, n)), { a: 1.25 });
  assert.is(main.encodeInto, encodeInto);
});

test('encodeInto() into a too small array: RangeError with the length needed; errors of the value pass through', () => {
  const bytes = encode({ id: 1, name: 'alice' });
  for (const size of [0, 1, 5, bytes.length - 1]) {
    try {
      encodeInto({ id: 1, name: 'alice' }, new Uint8Array(size));
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, RangeError);
      assert.is((err as RangeError & { needed: number }).needed, bytes.length);
    }
  }
  const exact = new Uint8Array(bytes.length);
  assert.is(encodeInto({ id: 1, name: 'alice' }, exact), bytes.length, 'a message fits an array of exactly its length');
  assert.is(toHex(exact), toHex(bytes));
  assert.throws(() => encodeInto(Symbol('s'), new Uint8Array(64)), TypeError);
  assert.throws(() => encodeInto(1, [] as unknown as Uint8Array), TypeError);
  let deep: unknown = 1;
  for (let i = 0; i < 10; i++) deep = [deep];
  assert.throws(() => encodeInto(deep, new Uint8Array(64), { maxDepth: 5 }), (e: unknown) => e instanceof RangeError && /nest deeper than 5/.test(e.message));
});

test('Encoder reuses one buffer, grows it when needed, and gives the bytes of encode()', () => {
  const encoder = new Encoder({ initialSize: 16 });
  let first: ArrayBufferLike | undefined;
  for (const v of samples) {
    const out = encoder.encode(v);
    assert.is(toHex(out), toHex(encode(v)));
    first ??= out.buffer;
  }
  const a = encoder.encode('a');
  const b = encoder.encode('b');
  assert.is(a.buffer, b.buffer, 'one buffer for every message');
  assert.is(toHex(a), toHex(b), 'a view is valid until the next call only');
  // an encode() called while the encoder runs (from a getter) does not disturb it
  const tricky = { get x() { return encode([1, 2]).length; }, y: 'after' };
  assert.equal(decode(encoder.encode(tricky)), { x: 7, y: 'after' });
  // options
  const shallow = new Encoder({ maxDepth: 2 });
  assert.throws(() => shallow.encode([[[1]]]), RangeError);
  assert.is(toHex(shallow.encode([[1]])), toHex(encode([[1]])));
  const target = new Uint8Array(8);
  assert.is(shallow.encodeInto([1], target), 5);
  assert.throws(() => shallow.encodeInto([[[1]]], new Uint8Array(64)), RangeError);
  assert.throws(() => new Encoder({ maxDepth: 0 }), RangeError);
  assert.throws(() => new Encoder({ initialSize: 1.5 }), RangeError);
  assert.is(main.Encoder, Encoder);
});

test.run();
