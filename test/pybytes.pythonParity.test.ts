// Codec cases where membridge and the Python reference disagreed (issue 16, F1–F3 and W1–W3):
// lossless decoding must give back Python's bytes, and encoding must write what Python writes or
// refuse what Python cannot build. The hex strings are the examples of the issue.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChainMap, Complex, Counter, Decimal, Float, NamedTuple, Path, PurePath, Range, decode, encode } from '../src/pybytes.ts';
import { expectThrow } from './helpers/expect.ts';
import { fromHex, toHex } from './helpers/vectors.ts';

const roundTrip = (hex: string): string => toHex(encode(decode(fromHex(hex), { lossless: true })));

test('F1: -0.0 as a set / frozenset item or dict / OrderedDict / Counter / ChainMap key stays -0.0', () => {
  for (const hex of [
    'fd22010c0000000000000080', // {-0.0}
    'fd31010c0000000000000080', // frozenset({-0.0})
    'fd2c010c00000000000000800501', // {-0.0: 1}
    'fd54010c00000000000000800501', // OrderedDict({-0.0: 1})
    'fd4f010c00000000000000800501', // Counter({-0.0: 1})
    'fd59012c010c00000000000000800501', // ChainMap({-0.0: 1})
    'fd22020c00000000000000800500', // {-0.0, 0}: Python cannot write this (0 == -0.0) but we keep both
  ]) assert.is(roundTrip(hex), hex, hex);
  assert.is(roundTrip('fd22010c0000000000000080') === 'fd22010500', false);
  // the idiomatic form is unchanged: plain numbers
  assert.equal([...(decode(fromHex('fd22010c0000000000000080')) as Set<number>)], [-0]);
});

test('F2: distinct NaN keys and items do not collapse', () => {
  for (const hex of [
    'fd22020c000000000000f87f0c000000000000f87f',
    'fd31020c000000000000f87f0c000000000000f8ff',
    'fd2c020c000000000000f87f05010c000000000000f87f0502',
    'fd4f020c000000000000f87f05010c010000000000f07f0502',
  ]) assert.is(roundTrip(hex), hex, hex);
  const m = decode(fromHex('fd2c020c000000000000f87f05010c000000000000f87f0502'), { lossless: true }) as Map<unknown, unknown>;
  assert.is(m.size, 2);
  assert.equal([...m.values()], [1, 2]);
});

test('F3: complex NaN parts keep their bits, also once the code is optimised', () => {
  const hexes = ['fd0f000000000000f8ff000000000000f03f', 'fd0f000000000000f07f21a6331a214af1ff', 'fd0f000000000000f87f010000000000f0ff'];
  for (let i = 0; i < 3000; i++) {
    const hex = hexes[i % hexes.length]!;
    const got = toHex(encode(decode(fromHex(hex))));
    if (got !== hex) assert.unreachable(`round ${i}: ${hex} came back as ${got}`);
  }
  const c = decode(fromHex('fd0f000000000000f8ff000000000000f03f')) as Complex;
  assert.ok(Number.isNaN(c.re));
  assert.is(c.reBits, 0xfff8000000000000n);
  assert.is(c.imBits, undefined);
  assert.is(toHex(encode(new Complex(NaN, 1))), 'fd0f000000000000f87f000000000000f03f');
});

test('W1: arrays and sets inside a namedtuple key or set item are written as tuple / frozenset', () => {
  const nt = (v: unknown) => new NamedTuple('P', [['a', v]]);
  assert.is(toHex(encode(new Set([nt([1])]))), 'fd22014501010150010161270105' + '01');
  assert.is(toHex(encode(new Map([[nt(new Set([1])), 2]]))), 'fd2c014501010150010161310105' + '010502');
  // as a plain value it stays a list
  assert.is(toHex(encode(nt([1]))), 'fd4501010150010161' + '1d010501');
  // and membridge's own decoder accepts what it wrote
  const back = decode(encode(new Set([nt([1, [2]])])), { lossless: true }) as Set<NamedTuple>;
  assert.is(back.size, 1);
  expectThrow(() => encode(new Set([nt(new Map())])), TypeError, /hash/);
});

test('W2: namedtuple names Python refuses are refused at encode', () => {
  for (const [name, fields] of [
    ['1x', [['a', 1]]], ['class', [['a', 1]]], ['', [['a', 1]]], ['a b', [['a', 1]]],
    ['P', [['1x', 1]]], ['P', [['class', 1]]], ['P', [['', 1]]], ['P', [['_a', 1]]], ['P', [['a', 1], ['a', 2]]], ['P', [['a b', 1]]],
  ] as Array<[string, Array<[string, unknown]>]>) {
    expectThrow(() => encode(new NamedTuple(name, fields)), TypeError, /namedtuple/);
    expectThrow(() => encode([1, new Set([new NamedTuple(name, fields)])]), TypeError, /namedtuple/);
  }
  // what Python accepts still encodes: a leading underscore in the type name, non-ASCII, soft keywords
  for (const name of ['_P', 'Punkt', 'Ünïcode', 'match', 'type']) encode(new NamedTuple(name, [['x', 1], ['case', 2]]));
});

test('W3: Counter counts must be ints; range step 0 is refused; Decimal and Path are written as Python prints them', () => {
  expectThrow(() => encode(new Counter([['a', 1.5]])), TypeError, /Counter/);
  expectThrow(() => encode(new Counter([['a', 'x']])), TypeError, /Counter/);
  expectThrow(() => encode(new Counter([['a', new Float(1)]])), TypeError, /Counter/);
  assert.is(toHex(encode(new Counter<string, unknown>([['a', 2n ** 70n], ['b', true]]))), toHex(encode(new Counter<string, unknown>([['a', 2n ** 70n], ['b', 1]]))));
  expectThrow(() => encode(new Range(0, 10, 0)), TypeError, /step 0/);
  expectThrow(() => encode(new Range(0, 10, 0n)), TypeError, /step 0/);
  assert.is(toHex(encode(new Decimal('1e5'))), 'fd3f04' + toHex(new TextEncoder().encode('1E+5')));
  for (const [text, python] of [['.5', '0.5'], ['-0', '-0'], ['1_000.50', '1000.50'], ['inf', 'Infinity'], ['-nan012', '-NaN12'], ['1e-7', '1E-7'], ['0.0000001', '1E-7'], ['123.456e2', '12345.6']] as Array<[string, string]>) {
    assert.is((decode(encode(new Decimal(text))) as Decimal).text, python, text);
  }
  assert.is(toHex(encode(new Path('a//b'))), 'fd5e03612f62');
  for (const [text, python] of [['a/./b/', 'a/b'], ['', '.'], ['//x', '//x'], ['///x', '/x'], ['a/../b', 'a/../b']] as Array<[string, string]>) {
    assert.is((decode(encode(new Path(text))) as Path).path, python, text);
    assert.is((decode(encode(new PurePath(text))) as PurePath).path, python, text);
  }
});

test('ChainMap of Counter keys and the Float/Complex value classes still round-trip losslessly', () => {
  const v = new ChainMap([new Counter([[new Float(-0), 1]]), new Map([[new Complex(1, NaN, undefined, 0x7ff0000000000001n), 2]])]);
  const hex = toHex(encode(v));
  assert.is(roundTrip(hex), hex);
});

test('an empty ChainMap is written as Python writes ChainMap(): one empty dict', () => {
  assert.is(toHex(encode(new ChainMap([]))), 'fd59012b');
});

test.run();
