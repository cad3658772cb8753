// Conformance over every golden vector (test/vectors/README.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ByteArray, DecodeError, Ellipsis, MemoryView, Path, decode, encode, fromTypedJson, toTypedJson,
} from '../src/pybytes.ts';
import { fromHex, loadVectors, normalize, toHex } from './helpers/vectors.ts';

const vectors = loadVectors();
const byName = new Map(vectors.map((v) => [v.name, v]));

test('the golden file has the 260 vectors of the spec', () => {
  assert.is(vectors.length, 260);
  const counts: Record<string, number> = {};
  for (const v of vectors) counts[v.kind] = (counts[v.kind] ?? 0) + 1;
  assert.equal(counts, { roundtrip: 160, encode_error: 5, quirk: 2, decode: 63, protocol1: 30 });
});

test('encode() gives the exact bytes of every roundtrip vector', () => {
  for (const v of vectors.filter((x) => x.kind === 'roundtrip')) {
    assert.is(toHex(encode(fromTypedJson(v.value))), v.hex, v.name);
  }
});

test('decode() gives the value of every roundtrip vector (lossless), B1 and B3 fixed', () => {
  for (const v of vectors.filter((x) => x.kind === 'roundtrip')) {
    const decoded = decode(fromHex(v.hex!), { lossless: true });
    assert.equal(normalize(toTypedJson(decoded)), normalize(v.value), v.name);
  }
});

test('lossless decode then encode gives back the same bytes for every roundtrip vector', () => {
  for (const v of vectors.filter((x) => x.kind === 'roundtrip')) {
    assert.is(toHex(encode(decode(fromHex(v.hex!), { lossless: true }))), v.hex, v.name);
  }
});

test('idiomatic decode() accepts every roundtrip vector and re-encodes to a message with the same idiomatic value', () => {
  for (const v of vectors.filter((x) => x.kind === 'roundtrip')) {
    const value = decode(fromHex(v.hex!));
    assert.equal(normalize(toTypedJson(decode(encode(value)))), normalize(toTypedJson(value)), v.name);
  }
});

test('protocol 1 vectors decode to their value (B1 fixed for prot1_14_bytes)', () => {
  for (const v of vectors.filter((x) => x.kind === 'protocol1')) {
    const decoded = decode(fromHex(v.hex!), { lossless: true });
    assert.equal(normalize(toTypedJson(decoded)), normalize(v.value), v.name);
    // protocol 1 re-encodes as protocol 2 with the same value
    assert.equal(normalize(toTypedJson(decode(encode(decoded), { lossless: true }))), normalize(v.value), v.name);
  }
  assert.instance(decode(fromHex('fe11'), { lossless: true }), Uint8Array);
  assert.not.instance(decode(fromHex('fe11'), { lossless: true }), ByteArray);
});

test('B1: empty bytes and empty bytearray are not swapped', () => {
  const b = decode(fromHex('fd12'), { lossless: true });
  assert.ok(b instanceof Uint8Array && !(b instanceof ByteArray) && b.length === 0);
  assert.instance(decode(fromHex('fd17'), { lossless: true }), ByteArray);
});

test('B2: an empty memoryview inside a list advances past its tag', () => {
  const v = decode(fromHex('fd1d023a0507'), { lossless: true }) as unknown[];
  assert.is(v.length, 2);
  assert.instance(v[0], MemoryView);
  assert.is((v[0] as Uint8Array).length, 0);
  assert.is(v[1], 7);
});

test('B3: a Path with a 2-byte length is read with a 2-byte length', () => {
  const hex = byName.get('decode_path2_hand_made_len300')!.hex!;
  const p = decode(fromHex(hex)) as Path;
  assert.instance(p, Path);
  assert.is(p.path.length, 300);
  assert.is(p.path, '/' + 'p'.repeat(299));
});

// Expected values of the `decode` vectors the reference decodes successfully.
const OK: Record<string, (v: unknown) => boolean> = {
  decode_protocol_253_none_trailing_garbage: (v) => v === null,
  decode_strD2_valid_hand_made: (v) => v === 'abc',
  decode_intD1_zero_length: (v) => v === 0,
  decode_intD1_noncanonical_len2_for_5: (v) => v === 5,
  decode_int2_noncanonical_for_5: (v) => v === 5,
  decode_bool_true_trailing: (v) => v === true,
  decode_timedelta_unnormalized_seconds: (v) => JSON.stringify(toTypedJson(v)) === JSON.stringify({ t: 'timedelta', days: 1, seconds: 3600, microseconds: 0 }),
  decode_datetime_given_date_iso: (v) => (toTypedJson(v) as unknown as { iso: string }).iso === '2008-06-08T00:00:00',
  decode_datetime_Z_suffix: (v) => (toTypedJson(v) as unknown as { iso: string }).iso === '2008-06-08T23:53:00+00:00',
  decode_uuid_uppercase_hex: (v) => (toTypedJson(v) as unknown as { v: string }).v === 'abcdef00-0000-0000-0000-000000000000',
  decode_decimal_tag62_is_memview_D2: (v) => v instanceof MemoryView && toHex(v) === '616263',
  decode_memoryview_empty_in_list: (v) => Array.isArray(v) && v.length === 2 && v[1] === 7,
  decode_bytes_empty_decodes_as: (v) => v instanceof Uint8Array && !(v instanceof ByteArray),
  decode_bytearray_empty_decodes_as: (v) => v instanceof ByteArray,
  decode_path2_hand_made_len300: (v) => v instanceof Path && v.path.length === 300,
  decode_counter_non_int_value: (v) => JSON.stringify(toTypedJson(v)) === JSON.stringify({ t: 'counter', items: [[{ t: 'str', v: 'a' }, { t: 'str', v: 'b' }]] }),
  decode_prot1_int: (v) => v === 5,
  decode_prot1_str: (v) => v === 'hi',
  decode_prot1_list: (v) => JSON.stringify(v) === '[1,null]',
  decode_prot1_intD2: (v) => v === 1,
  decode_prot1_strD: (v) => v === 'abc',
  decode_prot1_float: (v) => v === 1.5,
  decode_prot1_timedelta: (v) => JSON.stringify(toTypedJson(v)) === JSON.stringify({ t: 'timedelta', days: 1, seconds: 2, microseconds: 3 }),
  decode_prot1_uuid: (v) => (toTypedJson(v) as unknown as { v: string }).v === '12345678-1234-5678-1234-567812345678',
  decode_deep_nesting_decode_1000: (v) => {
    let x = v;
    for (let i = 0; i < 1000; i++) {
      if (!Array.isArray(x) || x.length !== 1) return false;
      x = x[0];
    }
    return true;
  },
};

function input(v: { hex: string | null; input_description?: string }): Uint8Array {
  if (v.hex !== null) return fromHex(v.hex);
  // b'\xfd' + b'\x1d\x01' * 200000 + b'\x10'
  assert.is(v.input_description, "b'\\xfd' + b'\\x1d\\x01' * 200000 + b'\\x10'");
  const out = new Uint8Array(1 + 2 * 200000 + 1);
  out[0] = 0xfd;
  for (let i = 0; i < 200000; i++) {
    out[1 + 2 * i] = 0x1d;
    out[2 + 2 * i] = 0x01;
  }
  out[out.length - 1] = 0x10;
  return out;
}

test('decode vectors: every OK result matches, every failure is a typed error with offset and tag', () => {
  for (const v of vectors.filter((x) => x.kind === 'decode')) {
    const bytes = input(v);
    if (v.result_py312!.startsWith('OK')) {
      const check = OK[v.name];
      assert.ok(check, `no expectation for ${v.name}`);
      assert.ok(check!(decode(bytes, { lossless: true })), v.name);
      continue;
    }
    try {
      decode(bytes, { lossless: true });
      assert.unreachable(`${v.name} decoded`);
    } catch (err) {
      assert.ok(err instanceof DecodeError || err instanceof RangeError, `${v.name}: ${String(err)}`);
      assert.match((err as Error).message, /^Cannot decode pybytes at offset \d+/, v.name);
      if (err instanceof DecodeError && err.code !== 'BAD_PROTOCOL') assert.match(err.message, /\(tag 0x[0-9a-f]{2}\)/, v.name);
    }
  }
});

test('decode vectors: truncation is a RangeError, structural problems a DecodeError with the right code', () => {
  const expect: Record<string, string> = {
    decode_empty_input: 'BAD_PROTOCOL', decode_bad_protocol_00: 'BAD_PROTOCOL', decode_unknown_tag_255: 'UNKNOWN_TAG',
    decode_null_tag_103: 'UNKNOWN_TAG', decode_strD1_zero_lenlen: 'BAD_LENGTH', decode_intD2_zero_lenlen: 'BAD_LENGTH',
    decode_str_invalid_utf8: 'BAD_UTF8', decode_str_lone_surrogate_utf8: 'BAD_UTF8', decode_dict_unhashable_key_list: 'UNHASHABLE',
    decode_set_unhashable_item: 'UNHASHABLE', decode_timedelta_out_of_range_days: 'BAD_VALUE', decode_datetime_bad_iso: 'BAD_VALUE',
    decode_date_given_datetime_iso: 'BAD_VALUE', decode_uuid_bad_hex: 'BAD_VALUE', decode_decimal_bad: 'BAD_VALUE',
    decode_range_step_zero: 'BAD_VALUE', decode_range_with_float_args: 'BAD_ITEM', decode_prot1_range_tag_unknown: 'UNKNOWN_TAG',
    decode_deep_nesting_decode_200000: 'TOO_DEEP',
  };
  for (const [name, code] of Object.entries(expect)) {
    try {
      decode(input(byName.get(name)!));
      assert.unreachable(name);
    } catch (err) {
      assert.instance(err, DecodeError, name);
      assert.is((err as DecodeError).code, code, name);
    }
  }
  for (const name of ['decode_only_protocol_byte', 'decode_str1_truncated_payload', 'decode_list_count_exceeds_items', 'decode_dict_odd_items', 'decode_timedelta_truncated', 'decode_range_truncated', 'decode_uuid_truncated', 'decode_complex_truncated']) {
    try {
      decode(input(byName.get(name)!));
      assert.unreachable(name);
    } catch (err) {
      assert.ok(err instanceof RangeError && !(err instanceof DecodeError), name);
      assert.type((err as RangeError & { offset: number }).offset, 'number', name);
    }
  }
});

test('quirk vectors: fd10 is None, fd11 is Ellipsis', () => {
  assert.is(decode(fromHex(byName.get('quirk_NotImplemented')!.hex!)), null);
  assert.is(decode(fromHex(byName.get('quirk_enumerate')!.hex!)), Ellipsis);
});

test('encode_error vectors: 101 nested containers are a RangeError, unsupported values a TypeError', () => {
  const nest = (n: number, leaf: unknown, wrap: (x: unknown) => unknown): unknown => {
    let x = leaf;
    for (let i = 0; i < n; i++) x = wrap(x);
    return x;
  };
  assert.throws(() => encode(nest(101, 1, (x) => [x])), RangeError);
  assert.throws(() => encode(nest(101, 1, (x) => ({ a: x }))), RangeError);
  assert.ok(encode(nest(100, 1, (x) => [x])).length > 0);
  assert.ok(encode(nest(100, 1, (x) => new Map([['a', x]]))).length > 0);
  class Widget {}
  assert.throws(() => encode(new Widget()), TypeError);
  assert.throws(() => encode(() => 1), TypeError);
  assert.throws(() => encode(Symbol('s')), TypeError);
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  assert.throws(() => encode(cyclic), RangeError);
  assert.throws(() => encode('a\ud800b'), TypeError);
  assert.throws(() => encode('x'.repeat(100) + '\udc00'), TypeError);
});

test.run();
