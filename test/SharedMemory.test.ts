import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { createMemory } from '../src/values/createMemory.ts';
import { HostVariable } from '../src/values/HostVariable.ts';
import { IpcError } from '../src/errors/IpcError.ts';
import { readMemory } from '../src/values/readMemory.ts';
import { removeMemory } from '../src/values/removeMemory.ts';
import { SharedMemory } from '../src/values/SharedMemory.ts';
import { writeMemory } from '../src/values/writeMemory.ts';
import { codeOf } from './helpers/expect.ts';
import { testName } from './helpers/names.ts';
import { takeValueLeftovers } from './helpers/valueSegments.ts';

const pattern = (n: number, seed: number): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
};

test('createMemory() creates once; readMemory() gives null until the first write', () => {
  const name = testName('mem');
  try {
    assert.is(createMemory(name), true);
    assert.is(createMemory(name), false);
    assert.ok(existsSync(`/dev/shm/mb.${name}`));
    assert.ok(existsSync(`/dev/shm/mbd.1.${name}`));
    assert.is(readMemory(name), null);
    assert.is(writeMemory(name, pattern(10, 1)), true);
    assert.equal(readMemory(name), pattern(10, 1));
  } finally {
    assert.is(removeMemory(name), true);
    assert.is(removeMemory(name), false);
  }
});

test('writeMemory() creates a missing memory; readMemory() of a missing one throws NOT_FOUND', () => {
  const name = testName('memauto');
  try {
    assert.is(codeOf(() => readMemory(name)), 'NOT_FOUND');
    writeMemory(name, pattern(3, 9));
    assert.equal(readMemory(name), pattern(3, 9));
  } finally {
    removeMemory(name);
  }
});

test('SharedMemory.write() grows through generations; every handle follows and versions keep rising', () => {
  const name = testName('grow');
  const w = SharedMemory.openOrCreate(name);
  const r = SharedMemory.open(name);
  try {
    assert.is(w.generation, 1);
    const small = pattern(100, 1);
    assert.is(w.write(small), 1);
    assert.equal(r.read(), { value: small, version: 1 });
    const big = pattern(5000, 2);
    assert.is(w.write(big), 2);
    assert.ok(w.generation >= 2);
    assert.ok(w.capacity >= 5000);
    assert.equal(r.read(), { value: big, version: 2 });
    assert.is(r.generation, w.generation);
    // The old generation is gone from /dev/shm; only the current one remains.
    assert.not.ok(existsSync(`/dev/shm/mbd.1.${name}`));
    assert.ok(existsSync(`/dev/shm/mbd.${w.generation}.${name}`));
    // Growth by the reader's handle, then a small write: nothing shrinks, the value is the newest.
    const huge = pattern(300_000, 3);
    r.write(huge);
    assert.equal(w.read()?.value, huge);
    w.write(small);
    assert.equal(r.read(), { value: small, version: 4 });
    assert.ok(r.capacity >= 300_000);
  } finally {
    w.close();
    r.close();
    SharedMemory.remove(name);
  }
});

test('SharedMemory keeps the value and version across a growth that only moves it', () => {
  const name = testName('seed');
  const m = SharedMemory.openOrCreate(name);
  try {
    m.write(pattern(50, 5));
    m.write(pattern(60, 6));
    const before = m.read();
    // Another writer grows the memory; a reader that still has generation 1 mapped must still
    // read the newest value (the frozen old generation ends with it) and then follow.
    const other = SharedMemory.open(name);
    other.write(pattern(4000, 7));
    assert.equal(m.read(), { value: pattern(4000, 7), version: (before?.version ?? 0) + 1 });
    other.close();
  } finally {
    m.close();
    SharedMemory.remove(name);
  }
});

test('SharedMemory handles see a removal; writeMemory() then creates the memory anew', () => {
  const name = testName('rm');
  const m = SharedMemory.openOrCreate(name);
  try {
    m.write(pattern(5, 1));
    writeMemory(name, pattern(6, 2));
    assert.is(removeMemory(name), true);
    assert.ok(m.removed);
    assert.is(codeOf(() => m.read()), 'NOT_FOUND');
    assert.is(codeOf(() => readMemory(name)), 'NOT_FOUND');
    writeMemory(name, pattern(7, 3));
    assert.equal(readMemory(name), pattern(7, 3));
    assert.is(codeOf(() => SharedMemory.create(name)), 'ALREADY_EXISTS');
  } finally {
    m.close();
    removeMemory(name);
  }
});

test('SharedMemory.waitForChange() hears writes from other handles, across a growth', async () => {
  const name = testName('memwait');
  const a = SharedMemory.openOrCreate(name);
  const b = SharedMemory.open(name);
  try {
    const since = b.version;
    setTimeout(() => a.write(pattern(10_000, 1)), 20);
    assert.is(await b.waitForChange(since, { timeoutMs: 5000 }), since + 1);
    assert.equal(b.read()?.value, pattern(10_000, 1));
    assert.is(await b.waitForChange(b.version, { timeoutMs: 20 }).catch((e: IpcError) => e.code), 'TIMED_OUT');
  } finally {
    a.close();
    b.close();
    SharedMemory.remove(name);
  }
});

test('writeMemory() and readMemory() carry any pybytes value; an unencodable one throws and changes nothing', () => {
  const name = testName('values');
  try {
    const value = { id: 123, name: 'é😀', list: [1, 2.5, null, true], nested: { deep: [new Uint8Array([1, 2])] }, big: 2n ** 70n };
    writeMemory(name, value);
    assert.equal(readMemory(name), value);
    writeMemory(name, 'x'.repeat(100_000));
    assert.is(readMemory(name), 'x'.repeat(100_000));
    const before = SharedMemory.open(name);
    const version = before.version;
    assert.throws(() => writeMemory(name, { f: () => 1 }), TypeError);
    assert.is(before.version, version);
    assert.is(readMemory(name), 'x'.repeat(100_000));
    before.close();
  } finally {
    removeMemory(name);
  }
});

test('SharedMemory and HostVariable refuse to open or remove each other', () => {
  const mem = testName('kindm');
  const hv = testName('kindv');
  const v = new HostVariable(hv, { maxSize: 16 });
  try {
    writeMemory(mem, 1);
    assert.is(codeOf(() => HostVariable.remove(mem)), 'WRONG_KIND');
    assert.is(codeOf(() => new HostVariable(mem)), 'WRONG_KIND');
    assert.is(codeOf(() => removeMemory(hv)), 'WRONG_KIND');
    assert.is(codeOf(() => writeMemory(hv, 1)), 'WRONG_KIND');
    assert.is(readMemory(mem), 1);
  } finally {
    v.close();
    HostVariable.remove(hv);
    removeMemory(mem);
  }
});

test('SharedMemory rejects bad names and non-memory segments with typed errors', () => {
  assert.is(codeOf(() => SharedMemory.openOrCreate('a/b')), 'INVALID_NAME');
  assert.is(codeOf(() => createMemory('.hidden')), 'INVALID_NAME');
  assert.is(codeOf(() => SharedMemory.open(testName('nope'))), 'NOT_FOUND');
});

test('SharedMemory tests leave no segment behind', () => {
  assert.equal(takeValueLeftovers(), []);
});

test.run();
