import { test } from 'uvu';
import * as assert from 'uvu/assert';
import process from 'node:process';
import { native } from '../src/platform/addon.ts';
import { listSegments, SegmentMapping, unlinkSegment } from '../src/segments/SegmentMapping.ts';
import { runtime } from '../src/platform/runtime.ts';
import { currentHost, HOSTS, Peer } from './helpers/hosts.ts';
import { expectCode, expectThrow } from './helpers/expect.ts';
import { testName } from './helpers/names.ts';

test('SegmentMapping.create() maps a zero-filled segment that open() in this process sees', () => {
  const name = testName('seg');
  const a = SegmentMapping.create(name, 10_000);
  try {
    assert.is(a.size, 10_000);
    assert.is(a.mappedLength, 12_288);
    assert.ok(a.bytes().every((b) => b === 0));
    const b = SegmentMapping.open(name);
    assert.is(b.size, 10_000);
    assert.is.not(b.ptr, a.ptr);
    // two windows onto one segment: a write through one is visible through the other
    runtime().core.atomicStore32(a.at(4096, 4), 0x12345678);
    assert.is(runtime().core.atomicLoad32(b.at(4096, 4)), 0x12345678);
    b.unmap();
  } finally {
    a.unmap();
    unlinkSegment(name);
  }
});

test('SegmentMapping windows stay mapped after the memory grows', async () => {
  const name = testName('grow');
  const seg = SegmentMapping.create(name, 4096);
  try {
    const before = runtime().memory.buffer.byteLength;
    // a 64 MiB scratch region forces the memory to grow past the window
    const scratch = runtime().regions.allocate(64 << 20);
    assert.ok(runtime().memory.buffer.byteLength > before, 'the memory grew');
    assert.ok(scratch > seg.ptr, 'the new region lies above the window');
    runtime().core.atomicStore32(seg.at(0, 4), 777);
    const again = SegmentMapping.open(name);
    assert.is(runtime().core.atomicLoad32(again.at(0, 4)), 777);
    assert.is(native().baseAddress(runtime().u8), runtime().base);
    // and another process sees the write made after the grow: the window is not a private copy
    const reader = new Peer(currentHost(), ['read32', name, '0']);
    assert.equal(await reader.next(), { value: 777 });
    await reader.done();
    again.unmap();
    runtime().regions.release(scratch);
  } finally {
    seg.unmap();
    unlinkSegment(name);
  }
});

test('SegmentMapping.create() refuses an existing name with ALREADY_EXISTS and leaves it intact', () => {
  const name = testName('dup');
  const seg = SegmentMapping.create(name, 4096);
  try {
    runtime().core.atomicStore32(seg.at(0, 4), 42);
    expectCode(() => SegmentMapping.create(name, 8192), 'ALREADY_EXISTS');
    assert.is(runtime().core.atomicLoad32(seg.at(0, 4)), 42);
  } finally {
    seg.unmap();
    unlinkSegment(name);
  }
});

test('SegmentMapping rejects invalid names with INVALID_NAME or TypeError', () => {
  for (const bad of ['', '.hidden', '-x', 'a/b', '../etc', 'x'.repeat(201), 'sp ace', 'nul\0', 'ünïcode']) {
    expectCode(() => SegmentMapping.create(bad, 4096), 'INVALID_NAME');
    expectCode(() => SegmentMapping.open(bad), 'INVALID_NAME');
    expectCode(() => unlinkSegment(bad), 'INVALID_NAME');
  }
  expectThrow(() => SegmentMapping.open(42 as unknown as string), TypeError);
  expectThrow(() => SegmentMapping.create(testName('size'), 0), RangeError);
  expectThrow(() => SegmentMapping.create(testName('size'), 1.5), RangeError);
});

test('SegmentMapping.open() of a missing segment throws NOT_FOUND', () => {
  const err = expectCode(() => SegmentMapping.open(testName('missing')), 'NOT_FOUND');
  assert.match(err.message, /Cannot open segment "mbt-.*": it does not exist \(ENOENT\)/);
  expectCode(() => unlinkSegment(testName('missing')), 'NOT_FOUND');
});

test('SegmentMapping.open() of a segment nobody sized yet throws NOT_READY', () => {
  const name = testName('empty');
  const fd = native().shmCreate(name, 0, 0o600);
  assert.ok(fd >= 0);
  native().closeFd(fd);
  try {
    expectCode(() => SegmentMapping.open(name), 'NOT_READY');
  } finally {
    unlinkSegment(name);
  }
});

test('SegmentMapping.unmap() twice throws CLOSED, and a closed segment cannot be read', () => {
  const name = testName('twice');
  const seg = SegmentMapping.create(name, 4096);
  seg.unmap();
  unlinkSegment(name);
  expectCode(() => seg.unmap(), 'CLOSED');
  expectCode(() => seg.bytes(), 'CLOSED');
  expectCode(() => seg.at(0), 'CLOSED');
});

test('SegmentMapping.at() bounds-checks offsets', () => {
  const name = testName('bounds');
  const seg = SegmentMapping.create(name, 100);
  try {
    assert.is(seg.at(96, 4), seg.ptr + 96);
    expectThrow(() => seg.at(97, 4), RangeError);
    expectThrow(() => seg.at(-1), RangeError);
  } finally {
    seg.unmap();
    unlinkSegment(name);
  }
});

test('SegmentMapping.open() without permission throws PERMISSION_DENIED', async () => {
  const name = testName('perm');
  if (process.getuid?.() !== 0) {
    SegmentMapping.create(name, 4096, { mode: 0o000 }).unmap();
    try {
      expectCode(() => SegmentMapping.open(name), 'PERMISSION_DENIED');
    } finally {
      unlinkSegment(name);
    }
    return;
  }
  // Root ignores file modes, so an unprivileged child (nobody) tries to open root's 0600 segment.
  SegmentMapping.create(name, 4096, { mode: 0o600 }).unmap();
  try {
    const peer = new Peer('node', ['open', name], { HOME: '/tmp' }, { uid: 65534, gid: 65534 });
    const r = await peer.next<{ ok: boolean; code: string }>();
    await peer.done();
    assert.equal([r.ok, r.code], [false, 'PERMISSION_DENIED'], peer.errors);
  } finally {
    unlinkSegment(name);
  }
});

test('listSegments() finds segments by prefix', () => {
  const name = testName('list');
  const seg = SegmentMapping.create(name, 4096);
  try {
    assert.ok(listSegments('mbt-').includes(name));
    assert.equal(listSegments(name), [name]);
    assert.equal(listSegments(name + 'x'), []);
  } finally {
    seg.unmap();
    unlinkSegment(name);
  }
});

test('a segment written here is read by a peer on every host, and the reverse', async () => {
  const name = testName('xhost');
  const seg = SegmentMapping.create(name, 4096);
  try {
    for (const host of HOSTS) {
      runtime().core.atomicStore32(seg.at(64, 4), 1000 + HOSTS.indexOf(host));
      const reader = new Peer(host, ['read32', name, '64']);
      assert.is((await reader.next<{ value: number }>()).value, 1000 + HOSTS.indexOf(host), `${host} read`);
      assert.is(await reader.done(), 0);
      const writer = new Peer(host, ['write32', name, '128', String(2000 + HOSTS.indexOf(host))]);
      await writer.next();
      assert.is(await writer.done(), 0);
      assert.is(runtime().core.atomicLoad32(seg.at(128, 4)), 2000 + HOSTS.indexOf(host), `${host} write`);
    }
  } finally {
    seg.unmap();
    unlinkSegment(name);
  }
});

test('without the addon, shared memory fails with NATIVE_UNAVAILABLE', async () => {
  const peer = new Peer(currentHost(), ['open', 'anything'], { MEMBRIDGE_NO_NATIVE: '1' });
  const r = await peer.next<{ ok: boolean; code: string; message: string }>();
  assert.is(r.ok, false);
  assert.is(r.code, 'NATIVE_UNAVAILABLE');
  assert.match(r.message, /MEMBRIDGE_NO_NATIVE/);
  await peer.done();
});

test.run();
