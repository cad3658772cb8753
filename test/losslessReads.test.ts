// `{ lossless: true }` on every read of shared values: re-publishing a value read from a Python peer
// must store the same bytes (a tuple stays a tuple, 1.0 a float). And a Date decoded from an aware
// datetime near year 1 must be writable again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { DateTime, Float, Tuple, decode, encode } from '../src/pybytes.ts';
import { HostVariable, SharedMemory, readMemory, removeMemory, writeMemory } from '../src/index.ts';
import { testName } from './helpers/names.ts';
import { fromHex, toHex } from './helpers/vectors.ts';

// (1, 1.0, b'', bytearray(b'x'), -0.0 in a set): idiomatic reads change several of these types
const PYTHON = 'fd2705' + '0501' + '0c000000000000f03f' + '12' + '180178' + '22010c0000000000000080';

test('readMemory / SharedMemory.read: lossless reads re-publish the same bytes', () => {
  const name = testName('ll');
  try {
    const value = decode(fromHex(PYTHON), { lossless: true });
    writeMemory(name, value);
    const m = SharedMemory.open(name);
    try {
      assert.is(toHex(m.readBytes()!.bytes), PYTHON);
      const idiomatic = readMemory(name);
      assert.ok(Array.isArray(idiomatic) && !(idiomatic instanceof Tuple));
      const lossless = readMemory(name, { lossless: true });
      assert.instance(lossless, Tuple);
      assert.instance((lossless as unknown[])[1], Float);
      writeMemory(name, lossless);
      assert.is(toHex(m.readBytes()!.bytes), PYTHON);
      const read = m.read({ lossless: true })!;
      assert.instance(read.value, Tuple);
      m.write(read.value);
      assert.is(toHex(m.readBytes()!.bytes), PYTHON);
      // the default read is unchanged
      assert.not.instance(m.read()!.value, Tuple);
    } finally {
      m.close();
    }
  } finally {
    removeMemory(name);
  }
});

test('readMemory({ layout: "sysframe", lossless: true }) re-publishes Python bytes unchanged', () => {
  const name = testName('llsf');
  const opts = { layout: 'sysframe' } as const;
  try {
    writeMemory(name, decode(fromHex(PYTHON), { lossless: true }), opts);
    const back = readMemory(name, { ...opts, lossless: true });
    assert.instance(back, Tuple);
    writeMemory(name, back, opts);
    assert.is(toHex(readFileSync(`/dev/shm/${name}`).subarray(48, 48 + PYTHON.length / 2)), PYTHON);
  } finally {
    removeMemory(name, opts);
  }
});

test('HostVariable: the lossless option applies to data and read(), and read() can override it', () => {
  const name = testName('llhv');
  const v = new HostVariable(name, { lossless: true });
  try {
    v.data = decode(fromHex(PYTHON), { lossless: true });
    assert.instance(v.data, Tuple);
    assert.instance(v.read()!.value, Tuple);
    assert.not.instance(v.read({ lossless: false })!.value, Tuple);
    const other = new HostVariable(name);
    try {
      assert.not.instance(other.data, Tuple);
      assert.instance(other.read({ lossless: true })!.value, Tuple);
    } finally {
      other.close();
    }
  } finally {
    v.close();
    HostVariable.remove(name);
  }
});

test('an aware datetime near year 1 or 9999 decodes to a Date that encodes as the same instant', () => {
  for (const text of ['0001-01-01T00:00:00+01:00', '0001-01-01T05:30:00+23:59', '9999-12-31T23:59:59.999000-05:00', '0001-01-01T00:00:00+00:00']) {
    const msg = new Uint8Array([0xfd, 0x35, text.length, ...new TextEncoder().encode(text)]);
    const date = decode(msg) as Date;
    assert.instance(date, Date);
    const again = decode(encode(date)) as Date;
    assert.is(again.getTime(), date.getTime(), text);
    // Python sees the same instant: an aware datetime with a minute offset inside years 1..9999
    const dt = decode(encode(date), { lossless: true }) as DateTime;
    assert.ok(dt.year >= 1 && dt.year <= 9999 && dt.utcOffset !== null && Math.abs(dt.utcOffset) < 86_400_000_000, text);
  }
  assert.throws(() => encode(new Date(-62135596800000 - 86_400_000)), (e: unknown) => e instanceof RangeError);
});

test.run();
