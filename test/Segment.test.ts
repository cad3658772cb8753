import { test } from 'uvu';
import * as assert from 'uvu/assert';
import process from 'node:process';
import { IpcError, type IpcErrorCode } from '../src/errors/IpcError.ts';
import { SegmentMapping, unlinkSegment } from '../src/segments/SegmentMapping.ts';
import { selfIdentity } from '../src/platform/processIdentity.ts';
import { runtime } from '../src/platform/runtime.ts';
import { SegmentKind } from '../src/segments/SegmentKind.ts';
import { inspectSegment, Segment } from '../src/segments/Segment.ts';
import { expectCode, expectThrow } from './helpers/expect.ts';
import { testName } from './helpers/names.ts';

const T = SegmentKind.TEST;

function openCode(name: string, kind: number, version: number, timeoutMs = 50): IpcErrorCode | 'OK' {
  try {
    Segment.open(name, { kind, version, timeoutMs }).unmap();
    return 'OK';
  } catch (err) {
    if (err instanceof IpcError) return err.code;
    throw err;
  }
}

test('Segment.create() publishes a header that open() reads back', () => {
  const name = testName('hdr');
  const before = Date.now();
  const s = Segment.create(name, { kind: T, version: 3, payloadSize: 1000, generation: 7, init: (_s, ptr) => runtime().core.atomicStore32(ptr, 99) });
  try {
    const o = Segment.open(name, { kind: T, version: 3 });
    assert.equal(
      { ...o.info, created: undefined },
      { kind: T, version: 3, capacity: 1064, creatorPid: process.pid, creatorStamp: selfIdentity().stamp, generation: 7, payloadOffset: 64, payloadSize: 1000, created: undefined },
    );
    assert.ok(o.info.created.getTime() >= before - 1 && o.info.created.getTime() <= Date.now());
    assert.is(runtime().core.atomicLoad32(o.at(0, 4)), 99);
    expectThrow(() => o.at(997, 4), RangeError);
    assert.ok(o.isReady);
    o.unmap();
    assert.is(inspectSegment(name)?.generation, 7);
  } finally {
    s.unmap();
    unlinkSegment(name);
  }
});

test('Segment.open() refuses the wrong kind and version with typed errors', () => {
  const name = testName('kind');
  const s = Segment.create(name, { kind: T, version: 2, payloadSize: 16 });
  try {
    assert.is(openCode(name, SegmentKind.CHANNEL, 2), 'WRONG_KIND');
    assert.is(openCode(name, T, 3), 'VERSION_MISMATCH');
    assert.is(openCode(name, 0, 0), 'OK');
    s.markClosed();
    assert.is(openCode(name, T, 2), 'CLOSED');
  } finally {
    s.unmap();
    unlinkSegment(name);
  }
});

test('Segment.open() waits for initialisation, then fails NOT_READY', () => {
  const name = testName('init');
  const raw = SegmentMapping.create(name, 4096);
  try {
    const t0 = performance.now();
    assert.is(openCode(name, T, 1, 100), 'NOT_READY');
    assert.ok(performance.now() - t0 >= 90, 'it waited for the timeout');
  } finally {
    raw.unmap();
    unlinkSegment(name);
  }
});

test('Segment.open() of a segment whose creator died initialising fails fast with NOT_READY', () => {
  const name = testName('dead');
  const raw = SegmentMapping.create(name, 4096);
  try {
    // a header in state "initialising" by a pid that cannot exist
    runtime().core.segInit(raw.ptr, T, 1, 4096n, 0x3ffffff, 1, 1, 100, 0n);
    const t0 = performance.now();
    try {
      Segment.open(name, { kind: T, version: 1, timeoutMs: 5000 });
      assert.unreachable();
    } catch (err) {
      assert.instance(err, IpcError);
      assert.is((err as IpcError).code, 'NOT_READY');
      assert.match((err as Error).message, /creator is dead/);
    }
    assert.ok(performance.now() - t0 < 4000, 'it did not wait for the whole timeout');
  } finally {
    raw.unmap();
    unlinkSegment(name);
  }
});

test('Segment.open() rejects headers that lie, never reading past the file', () => {
  const name = testName('lie');
  const s = Segment.create(name, { kind: T, version: 1, payloadSize: 100 });
  const core = runtime().core;
  const dv = (): DataView => new DataView(runtime().memory.buffer);
  const p = s.segment.ptr;
  try {
    const cases: Array<[string, () => void, IpcErrorCode]> = [
      ['capacity past the file', () => dv().setBigUint64(p + 16, 1n << 40n, true), 'CORRUPT'],
      ['payload past capacity', () => dv().setUint32(p + 44, 5000, true), 'CORRUPT'],
      ['payload inside the header', () => dv().setUint32(p + 40, 8, true), 'CORRUPT'],
      ['wrong header size', () => dv().setUint32(p + 12, 32, true), 'CORRUPT'],
      ['unknown state', () => dv().setUint32(p + 8, 77, true), 'CORRUPT'],
      ['foreign magic', () => dv().setUint32(p, 0xdeadbeef, true), 'WRONG_KIND'],
    ];
    const pristine = runtime().u8.slice(p, p + 64);
    for (const [what, corrupt, code] of cases) {
      runtime().u8.set(pristine, p);
      corrupt();
      assert.is(openCode(name, T, 1), code, what);
    }
    runtime().u8.set(pristine, p);
    assert.is(openCode(name, T, 1), 'OK');
    assert.is(core.segState(p), 1);
  } finally {
    s.unmap();
    unlinkSegment(name);
  }
});

test('Segment.open() of a file smaller than a header is CORRUPT, of a missing one NOT_FOUND', () => {
  const name = testName('small');
  const raw = SegmentMapping.create(name, 10);
  try {
    assert.is(openCode(name, T, 1), 'CORRUPT');
    assert.is(openCode(testName('none'), T, 1), 'NOT_FOUND');
  } finally {
    raw.unmap();
    unlinkSegment(name);
  }
});

test('Segment.create() cleans up when initialisation throws', () => {
  const name = testName('boom');
  assert.throws(() => Segment.create(name, { kind: T, version: 1, payloadSize: 8, init: () => { throw new Error('boom'); } }), /boom/);
  assert.is(openCode(name, T, 1), 'NOT_FOUND');
});

test.run();
