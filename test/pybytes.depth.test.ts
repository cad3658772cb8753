// Deep nesting (issue #13 D5): decode and encode handle every depth up to maxDepth (10,000) on every
// host, without the engine's recursion limit ("Maximum call stack size exceeded"); past maxDepth the
// errors are the codec's own. Below 200 levels the codec recurses; deeper it uses an explicit stack
// (decode.ts readDeep, writeDeep.ts writeDeep), so both paths are also compared on the golden vectors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setDecodeRecursionDepth } from '../src/pybytes/decode.ts';
import { setEncodeRecursionDepth } from '../src/pybytes/encode.ts';
import {
  ChainMap, Counter, DecodeError, Deque, FrozenSet, NamedTuple, OrderedDict, Range, Tuple, decode, encode,
  fromTypedJson, toTypedJson,
} from '../src/pybytes.ts';
import { fromHex, loadVectors, normalize, toHex } from './helpers/vectors.ts';

const MAX = 10_000;

// A chain of `depth` containers cycling through every container kind, innermost a small leaf.
function chain(depth: number, lossless: boolean): unknown {
  let x: unknown = { leaf: [1, 'two', 3.5, null] };
  let levels = 2;
  for (let i = 1; levels < depth; i++, levels++) {
    switch (i % 9) {
      case 0: x = [i, x]; break;
      case 1: x = { level: i, child: x }; break;
      case 2: x = new Map<unknown, unknown>([[i, x]]); break;
      case 3: x = lossless ? Tuple.of(x, i) : [x, i]; break;
      case 4: x = [new Set<unknown>([i, i + 0.5, Tuple.of<unknown>(i, 'a')]), new FrozenSet([i]), x]; break;
      case 5: x = lossless ? new NamedTuple('P', [['x', x], ['y', i]]) : { x, y: i }; break;
      case 6: x = lossless && levels + 2 <= depth && levels++ ? new ChainMap([{ a: i }, new Map([['m', x]])]) : { m: x }; break;
      case 7: x = lossless ? Deque.from([x]) : [x]; break;
      default: x = lossless ? new OrderedDict([['o', x], ['r', new Range(0, i, 1)]]) : { o: x, k: [1, 2] }; break;
    }
  }
  return x;
}

// Nesting depth of a decoded value, walked without recursion (assert.equal itself would overflow).
function depthOf(v: unknown): number {
  let max = 0;
  const todo: Array<[unknown, number]> = [[v, 0]];
  while (todo.length > 0) {
    const [x, d] = todo.pop()!;
    if (typeof x !== 'object' || x === null || x instanceof Uint8Array || x instanceof Range) continue;
    max = Math.max(max, d + 1);
    const items: unknown[] = x instanceof Map ? [...x].flat() : x instanceof Set ? [...x] : x instanceof NamedTuple ? x.fields.flat()
      : x instanceof ChainMap ? x.maps : Array.isArray(x) ? x : Object.values(x);
    for (const item of items) todo.push([item, d + 1]);
  }
  return max;
}

test('encode and decode a 10,000-level chain of every container kind (lossless and idiomatic)', () => {
  for (const lossless of [true, false]) {
    const value = chain(MAX, lossless);
    const bytes = encode(value, { maxDepth: MAX });
    const back = decode(bytes, { maxDepth: MAX, lossless });
    assert.is(depthOf(value), MAX);
    assert.is(depthOf(back), MAX);
    if (lossless) assert.is(toHex(encode(back, { maxDepth: MAX })), toHex(bytes));
  }
});

test('10,000 levels of plain lists and of str-keyed dicts (the shapes of the fast paths)', () => {
  let list: unknown = 1;
  let dict: unknown = 1;
  for (let i = 0; i < MAX; i++) {
    list = [list];
    dict = { k: dict, i };
  }
  for (const value of [list, dict]) {
    const bytes = encode(value, { maxDepth: MAX });
    const back = decode(bytes, { maxDepth: MAX });
    assert.is(depthOf(back), MAX);
    assert.is(toHex(encode(back, { maxDepth: MAX })), toHex(bytes));
  }
  // a deep key: tuples and frozensets as dict keys / set items
  let key: unknown = 'k';
  for (let i = 0; i < MAX - 2; i++) key = i % 2 ? Tuple.of(key) : new FrozenSet([key]);
  const keyed = new Map([[key, 1]]);
  const back = decode(encode(keyed, { maxDepth: MAX }), { maxDepth: MAX, lossless: true }) as Map<unknown, unknown>;
  assert.is(depthOf(back), MAX - 1);
  assert.is(toHex(encode(back, { maxDepth: MAX })), toHex(encode(keyed, { maxDepth: MAX })));
});

test('past maxDepth: TOO_DEEP on decode, the codec RangeError on encode, cycles included', () => {
  let x: unknown = 0;
  for (let i = 0; i < MAX + 1; i++) x = [x];
  assert.throws(() => encode(x, { maxDepth: MAX }), (e: unknown) => e instanceof RangeError && /nest deeper than 10000/.test(e.message));
  // a message 10,001 deep, written by hand: 0x1d = list of one item, then an int
  const deep = new Uint8Array(1 + (MAX + 1) * 2 + 2);
  deep[0] = 0xfd;
  for (let i = 0; i <= MAX; i++) deep.set([0x1d, 0x01], 1 + 2 * i);
  deep.set([0x05, 0x07], 1 + 2 * (MAX + 1));
  assert.throws(() => decode(deep, { maxDepth: MAX }), (e: unknown) => e instanceof DecodeError && e.code === 'TOO_DEEP');
  const ok = deep.slice(2); // the same, one level less
  ok[0] = 0xfd;
  assert.is(depthOf(decode(ok, { maxDepth: MAX })), MAX);
  const cyclic: unknown[] = [];
  cyclic.push({ again: cyclic });
  const cyclicTuple = new NamedTuple('T', [['self', null]]);
  (cyclicTuple.fields[0] as [string, unknown])[1] = cyclicTuple;
  for (const c of [cyclic, cyclicTuple]) {
    for (const maxDepth of [100, MAX]) {
      assert.throws(() => encode(c, { maxDepth }), (e: unknown) => e instanceof RangeError && /nest deeper/.test(e.message));
    }
  }
});

test('the explicit-stack paths build and write exactly what the recursive ones do (golden vectors)', () => {
  const vectors = loadVectors().filter((v) => v.kind === 'roundtrip');
  const oldDecode = setDecodeRecursionDepth(0);
  const oldEncode = setEncodeRecursionDepth(0);
  try {
    for (const v of vectors) {
      const lossless = decode(fromHex(v.hex!), { lossless: true });
      assert.equal(normalize(toTypedJson(lossless)), normalize(v.value), v.name);
      assert.is(toHex(encode(fromTypedJson(v.value))), v.hex, v.name);
      assert.is(toHex(encode(lossless)), v.hex, v.name);
      const idiomatic = decode(fromHex(v.hex!));
      setDecodeRecursionDepth(oldDecode);
      setEncodeRecursionDepth(oldEncode);
      const expected = decode(fromHex(v.hex!));
      assert.equal(idiomatic, expected, v.name);
      setDecodeRecursionDepth(0);
      setEncodeRecursionDepth(0);
    }
    // errors found while building stay the same: a zero range step, an unhashable key
    assert.throws(() => decode(fromHex('fd4305000501050001')), (e: unknown) => e instanceof DecodeError && e.code === 'BAD_VALUE');
    assert.throws(() => encode(new Map([[new Map(), 1]])), TypeError);
    assert.throws(() => encode(new Set([[Deque.of(1)]])), TypeError);
    assert.is(toHex(encode(new Counter([['a', 1]]))), toHex((() => {
      setEncodeRecursionDepth(oldEncode);
      const bytes = encode(new Counter([['a', 1]]));
      setEncodeRecursionDepth(0);
      return bytes;
    })()));
  } finally {
    setDecodeRecursionDepth(oldDecode);
    setEncodeRecursionDepth(oldEncode);
  }
});

test.run();
