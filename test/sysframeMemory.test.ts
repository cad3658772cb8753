// The sysframe layout against the byte images that CPython 3.12's sysframe.membridge writes (docs/layout.md, "Sysframe basic memory").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createMemory } from '../src/values/createMemory.ts';
import { IpcError } from '../src/errors/IpcError.ts';
import { readMemory } from '../src/values/readMemory.ts';
import { removeMemory } from '../src/values/removeMemory.ts';
import { writeMemory } from '../src/values/writeMemory.ts';
import process from 'node:process';
import { testName } from './helpers/names.ts';

const sysframe = { layout: 'sysframe' } as const;
const hex = (s: string): Uint8Array => new Uint8Array(s.trim().split(/\s+/).map((h) => parseInt(h, 16)));
const HELLO = hex('fd 01 05 68 65 6c 6c 6f'); // pybytes 'hello'
const SEVEN = hex('fd 05 07'); // pybytes 7

function image(capacity: number, nusers: number, data: Uint8Array, fileSize: number): Uint8Array {
  const b = new Uint8Array(fileSize);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt(capacity), true);
  v.setUint32(20, nusers, true);
  b[24] = 0x80;
  b.set(data, 48);
  return b;
}

test('createMemory({layout: "sysframe"}) writes the 48-byte image Python creates', () => {
  const name = testName('sf');
  try {
    assert.is(createMemory(name, sysframe), true);
    assert.is(createMemory(name, sysframe), false);
    const expected = new Uint8Array(48);
    expected[24] = 0x80;
    assert.equal(new Uint8Array(readFileSync(`/dev/shm/${name}`)), expected);
    const umask = process.umask();
    assert.is(statSync(`/dev/shm/${name}`).mode & 0o777, 0o666 & ~umask);
    assert.is(readMemory(name, sysframe), null);
  } finally {
    removeMemory(name, sysframe);
  }
});

test('writeMemory({layout: "sysframe"}) grows the file to 48 + P + 32 and leaves stale bytes like Python', () => {
  const name = `/${testName('sfw')}`;
  try {
    writeMemory(name, 'hello', sysframe);
    const file = new Uint8Array(readFileSync(`/dev/shm${name}`));
    assert.is(file.length, 88);
    assert.equal(file, image(40, 0, HELLO, 88));
    assert.is(readMemory(name, sysframe), 'hello');
    writeMemory(name, 7, sysframe);
    const after = new Uint8Array(readFileSync(`/dev/shm${name}`));
    assert.is(after.length, 88);
    assert.equal(after.subarray(48, 56), hex('fd 05 07 68 65 6c 6c 6f'));
    // The stale tail after the shorter message is ignored, as by Python's reader.
    assert.is(readMemory(name, sysframe), 7);
    // A longer message grows the file again, exactly like Python: 'a' * 100 is fd 01 64 + 100 bytes.
    writeMemory(name, 'a'.repeat(100), sysframe);
    assert.is(statSync(`/dev/shm${name}`).size, 48 + 103 + 32);
    assert.is(readMemory(name, sysframe), 'a'.repeat(100));
    // Any value round-trips.
    const value = { id: 123, tags: ['a', 'b'], ok: true, none: null, raw: new Uint8Array([1, 2]) };
    writeMemory(name, value, sysframe);
    assert.equal(readMemory(name, sysframe), value);
  } finally {
    assert.is(removeMemory(name, sysframe), true);
    assert.is(removeMemory(name, sysframe), false);
  }
});

test('readMemory({layout: "sysframe"}) reads an image written by Python, mutex bytes and all', () => {
  const name = testName('sfpy');
  try {
    writeFileSync(`/dev/shm/${name}`, image(40, 0xfffffffe, HELLO, 88));
    assert.is(readMemory(name, sysframe), 'hello');
    // Writing through membridge leaves the mutex bytes (8-47) alone: Python owns them.
    writeMemory(name, 7, sysframe);
    assert.equal(new Uint8Array(readFileSync(`/dev/shm/${name}`)).subarray(48, 51), SEVEN);
    const file = new Uint8Array(readFileSync(`/dev/shm/${name}`));
    assert.equal(file.subarray(8, 48), image(40, 0xfffffffe, HELLO, 88).subarray(8, 48));
  } finally {
    removeMemory(name, sysframe);
  }
});

test('sysframe layout: a header that lies about the capacity gives a short read, never a crash', () => {
  const name = testName('sflie');
  try {
    writeFileSync(`/dev/shm/${name}`, image(100_000, 0, HELLO, 88));
    assert.is(readMemory(name, sysframe), 'hello');
    // A message cut short by the file's end: a decode error, not a crash.
    writeFileSync(`/dev/shm/${name}`, image(100_000, 0, hex('fd 01 20 68 65'), 53));
    assert.throws(() => readMemory(name, sysframe), RangeError);
    writeFileSync(`/dev/shm/${name}`, new Uint8Array(5));
    assert.throws(() => readMemory(name, sysframe), (e: unknown) => e instanceof IpcError && e.code === 'CORRUPT');
    const huge = image(0, 0, new Uint8Array(), 48);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
    writeFileSync(`/dev/shm/${name}`, huge);
    assert.throws(() => readMemory(name, sysframe), (e: unknown) => e instanceof IpcError && e.code === 'CORRUPT');
  } finally {
    removeMemory(name, sysframe);
  }
});

test('sysframe layout: missing segments and bad names give typed errors', () => {
  assert.throws(() => readMemory(testName('sfnone'), sysframe), (e: unknown) => e instanceof IpcError && e.code === 'NOT_FOUND');
  assert.throws(() => readMemory('a/b', sysframe), (e: unknown) => e instanceof IpcError && e.code === 'INVALID_NAME');
  assert.throws(() => createMemory('x', { layout: 'json' as 'sysframe' }), TypeError);
});

test.run();
