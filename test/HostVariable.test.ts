import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HostVariable } from '../src/values/HostVariable.ts';
import { IpcError } from '../src/errors/IpcError.ts';
import { selfIdentity } from '../src/platform/processIdentity.ts';
import { runtime } from '../src/platform/runtime.ts';
import { SegmentKind } from '../src/segments/SegmentKind.ts';
import { Segment } from '../src/segments/Segment.ts';
import { core } from '../src/values/ValueSlots.ts';
import { listSegments, SegmentMapping } from '../src/segments/SegmentMapping.ts';
import { entrySegmentName } from '../src/values/valueNames.ts';
import { codeOf } from './helpers/expect.ts';
import { testName } from './helpers/names.ts';
import { takeValueLeftovers } from './helpers/valueSegments.ts';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

test('HostVariable.data reads back what was written, with rising versions', () => {
  const name = testName('hv');
  const v = new HostVariable<Uint8Array>(name, { maxSize: 64 });
  try {
    assert.ok(v.created);
    assert.is(v.data, undefined);
    assert.is(v.version, 0);
    v.data = bytes(1, 2, 3);
    assert.equal(v.data, bytes(1, 2, 3));
    assert.is(v.version, 1);
    for (let i = 0; i < 20; i++) v.data = bytes(i, i + 1);
    assert.equal(v.read(), { value: bytes(19, 20), version: 21 });
    v.data = bytes();
    assert.equal(v.data, bytes());
  } finally {
    v.close();
    HostVariable.remove(name);
  }
});

test('values read earlier stay intact while later writes and reads reuse scratch memory', () => {
  const name = testName('hvkeep');
  const name2 = testName('hvkeep');
  const v = new HostVariable<unknown>(name, { maxSize: 4096 });
  const w = new HostVariable<unknown>(name2, { maxSize: 4096 });
  try {
    const big = (fill: number): Uint8Array => new Uint8Array(1000).fill(fill);
    v.data = { payload: big(1), tag: 'one' };
    const first = v.data as { payload: Uint8Array; tag: string };
    v.data = { payload: big(2), tag: 'two' };
    w.data = ['other', big(3)];
    const second = v.data as { payload: Uint8Array; tag: string };
    assert.is(w.data instanceof Array, true);
    assert.equal(first, { payload: big(1), tag: 'one' });
    assert.equal(second, { payload: big(2), tag: 'two' });
    assert.is(first.payload.buffer === second.payload.buffer, false, 'decoded bytes own their memory');
  } finally {
    v.close();
    w.close();
    HostVariable.remove(name);
    HostVariable.remove(name2);
  }
});

test('a variable whose creator died while initialising it is recreated, not waited for', () => {
  const name = testName('half');
  // What a creator that died between creating the segment and publishing it leaves behind.
  const half = SegmentMapping.create(entrySegmentName(name), 4096);
  runtime().core.segInit(half.ptr, SegmentKind.VARIABLE, 1, 4096n, 0x3ffffff0, 1, 1, 1000, BigInt(Date.now()));
  half.unmap();
  const v = new HostVariable<number>(name, { maxSize: 64 });
  try {
    assert.ok(v.created, 'the abandoned segment was removed and a new one created');
    v.data = 7;
    assert.is(v.data, 7);
  } finally {
    v.close();
    HostVariable.remove(name);
  }
  assert.equal(listSegments(entrySegmentName(name)), []);
});

test('HostVariable.data holds any pybytes value', () => {
  const name = testName('hvobj');
  const v = new HostVariable<unknown>(name, { maxSize: 1024 });
  const w = new HostVariable<unknown>(name);
  try {
    v.data = { x: 1.5, y: -2, tags: ['a'], when: null };
    assert.equal(w.data, { x: 1.5, y: -2, tags: ['a'], when: null });
    w.data = 'text';
    assert.is(v.data, 'text');
    assert.throws(() => (v.data = Symbol('no')), TypeError);
    assert.is(v.data, 'text');
  } finally {
    v.close();
    w.close();
    HostVariable.remove(name);
  }
});

test('HostVariable takes maxSize and slots from the segment, not from the arguments', () => {
  const name = testName('hvsize');
  const a = new HostVariable(name, { maxSize: 100, slots: 3 });
  const b = new HostVariable(name, { maxSize: 5000, slots: 9 });
  try {
    assert.is(b.created, false);
    assert.is(b.maxSize, 100);
    assert.is(b.slots, 3);
    a.data = bytes(7);
    assert.equal(b.data, bytes(7));
  } finally {
    a.close();
    b.close();
    HostVariable.remove(name);
  }
});

test('HostVariable.write() refuses a value over maxSize with TOO_LARGE and keeps the old value', () => {
  const name = testName('hvbig');
  const v = new HostVariable(name, { maxSize: 8 });
  try {
    v.data = bytes(1); // fd 13 01 01: 4 bytes encoded
    const err = (() => {
      try {
        v.data = new Uint8Array(9);
      } catch (e) {
        return e as IpcError;
      }
    })();
    assert.is(err?.code, 'TOO_LARGE');
    assert.match(err!.message, /takes 12 bytes encoded, more than its maxSize of 8 bytes/);
    assert.equal(v.data, bytes(1));
    assert.is(v.version, 1);
  } finally {
    v.close();
    HostVariable.remove(name);
  }
});

test('HostVariable.remove() is seen by open handles; a new variable of the name is independent', () => {
  const name = testName('hvrm');
  const a = new HostVariable<Uint8Array>(name, { maxSize: 16 });
  try {
    a.data = bytes(1);
    assert.is(HostVariable.remove(name), true);
    assert.is(HostVariable.remove(name), false);
    assert.ok(a.removed);
    assert.is(codeOf(() => a.data), 'NOT_FOUND');
    assert.is(codeOf(() => (a.data = bytes(2))), 'NOT_FOUND');
    const b = new HostVariable<Uint8Array>(name, { maxSize: 16 });
    assert.ok(b.created);
    assert.is(b.data, undefined);
    b.close();
  } finally {
    a.close();
    HostVariable.remove(name);
  }
});

test('HostVariable rejects bad options and names, and create: false on a missing name', () => {
  assert.throws(() => new HostVariable(testName('x'), { slots: 1 }), RangeError);
  assert.throws(() => new HostVariable(testName('x'), { maxSize: 0 }), RangeError);
  assert.is(codeOf(() => new HostVariable('bad/name')), 'INVALID_NAME');
  assert.is(codeOf(() => new HostVariable(testName('missing'), { create: false })), 'NOT_FOUND');
});

test('HostVariable.write() takes over a slot whose writer died, and readers never see its half-written bytes', () => {
  const name = testName('hvdead');
  const v = new HostVariable<Uint8Array>(name, { maxSize: 16, slots: 2 });
  try {
    v.data = bytes(1, 1, 1);
    // Fake a writer that died mid-write: claim the only free slot as a dead pid and leave it odd.
    const c = core();
    const area = (v as unknown as { cell: { area: number } }).cell.area;
    const deadPid = 0x3ffffff0; // above pid_max: never alive
    const slot = c.valClaim(area, 2, deadPid, 1);
    assert.ok(slot >= 0);
    runtime().u8.fill(0xee, c.valSlotData(area, 2, 16, slot), c.valSlotData(area, 2, 16, slot) + 16);
    assert.is(c.valSlotSeq(area, 2, slot) % 2, 1);
    assert.equal(v.data, bytes(1, 1, 1));
    v.data = bytes(2, 2);
    assert.equal(v.data, bytes(2, 2));
    v.data = bytes(3);
    assert.equal(v.data, bytes(3));
    const me = selfIdentity();
    for (let i = 0; i < 2; i++) assert.ok(c.valSlotOwner(area, 2, i) === 0n || Number(c.valSlotOwner(area, 2, i) & 0xffffffffn) === me.pid);
  } finally {
    v.close();
    HostVariable.remove(name);
  }
});

test('HostVariable.waitForChange() resolves with the new version, times out, and aborts', async () => {
  const name = testName('hvwait');
  const v = new HostVariable(name, { maxSize: 16 });
  try {
    const since = v.version;
    setTimeout(() => (v.data = bytes(5)), 20);
    assert.is(await v.waitForChange(since, { timeoutMs: 5000 }), since + 1);
    const timedOut = await v.waitForChange(v.version, { timeoutMs: 30 }).catch((e: IpcError) => e.code);
    assert.is(timedOut, 'TIMED_OUT');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const aborted = await v.waitForChange(v.version, { timeoutMs: 5000, signal: ac.signal }).catch((e: IpcError) => e.code);
    assert.is(aborted, 'ABORTED');
  } finally {
    v.close();
    HostVariable.remove(name);
  }
});

test('HostVariable.read() writes nothing to shared memory', () => {
  const name = testName('hvro');
  const v = new HostVariable<Uint8Array>(name, { maxSize: 64, slots: 3 });
  try {
    for (let i = 0; i < 5; i++) v.data = bytes(i, i, i);
    const seg = (v as unknown as { segment: { segment: { ptr: number; size: number } } }).segment.segment;
    const before = runtime().u8.slice(seg.ptr, seg.ptr + seg.size);
    for (let i = 0; i < 1000; i++) v.read();
    void v.version;
    assert.equal(runtime().u8.slice(seg.ptr, seg.ptr + seg.size), before);
  } finally {
    v.close();
    HostVariable.remove(name);
  }
});

test('HostVariable refuses a slot table that does not fit its segment with CORRUPT', () => {
  const name = testName('hvlie');
  const c = core();
  for (const [slots, slotSize] of [[200, 16], [4, 1 << 20], [1, 16]] as const) {
    const seg = Segment.create(`mb.${name}`, {
      kind: SegmentKind.VARIABLE,
      version: 1,
      payloadSize: 1024,
      init: (_s, ptr) => c.valInit(ptr, slots, slotSize),
    });
    try {
      assert.is(codeOf(() => new HostVariable(name, { create: false })), 'CORRUPT');
    } finally {
      seg.unmap();
      HostVariable.remove(name);
    }
  }
});

test('HostVariable leaves no segment behind', () => {
  assert.equal(takeValueLeftovers(), []);
});

test.run();
