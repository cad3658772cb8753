import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { claimStaleName, removeStaleByName, removeStaleName, takeOverStaleName } from '../src/segments/staleSegment.ts';
import { native } from '../src/platform/addon.ts';
import { listSegments, SegmentMapping, unlinkSegment } from '../src/segments/SegmentMapping.ts';
import { selfIdentity } from '../src/platform/processIdentity.ts';
import { runtime } from '../src/platform/runtime.ts';
import { SegmentKind } from '../src/segments/SegmentKind.ts';
import { Segment } from '../src/segments/Segment.ts';
import { testName } from './helpers/names.ts';

const packed = (pid: number, stamp: number): bigint => BigInt(pid) | (BigInt(stamp >>> 0) << 32n);

/** A process that is gone: a child that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

function withStale(body: (name: string, seg: SegmentMapping) => void): void {
  const name = testName('stale');
  Segment.create(name, { kind: SegmentKind.TEST, version: 1, payloadSize: 64 }).unmap();
  const seg = SegmentMapping.open(name);
  try {
    body(name, seg);
  } finally {
    seg.unmap();
    try {
      unlinkSegment(name);
    } catch {
      /* removed by the test */
    }
  }
  assert.equal(listSegments(name), []);
}

test('claimStaleName(): the first claimer wins, a live claimer keeps it, a dead one loses it', () => {
  withStale((_name, seg) => {
    const core = runtime().core;
    const me = selfIdentity();
    assert.is(core.segReaper(seg.ptr), 0n, 'a new segment has no reaper');
    // Another live process (our parent, the test driver) holds the claim.
    const ppid = process.ppid;
    const other = packed(ppid, native().processStartTime(ppid) % 0x1_0000_0000);
    core.segCasReaper(seg.ptr, 0n, other);
    assert.is(claimStaleName(seg), false);
    assert.is(core.segReaper(seg.ptr), other, 'a live claim is left alone');
    // Its holder died: the claim passes to us, and stays ours.
    core.segCasReaper(seg.ptr, other, packed(deadPid(), 1));
    assert.is(claimStaleName(seg), true);
    assert.is(core.segReaper(seg.ptr), packed(me.pid, me.stamp));
    assert.is(claimStaleName(seg), true);
  });
});

test('removeStaleName() unlinks only under a claim; removeStaleByName() finds the segment by name', () => {
  withStale((name, seg) => {
    const core = runtime().core;
    const ppid = process.ppid;
    core.segCasReaper(seg.ptr, 0n, packed(ppid, native().processStartTime(ppid) % 0x1_0000_0000));
    assert.is(removeStaleName(name, seg), false);
    assert.is(removeStaleByName(name), false);
    assert.equal(listSegments(name), [name], 'another live process is removing it: the name stays');
    core.segCasReaper(seg.ptr, core.segReaper(seg.ptr), 0n);
    assert.is(removeStaleByName(name), true);
    assert.equal(listSegments(name), []);
    assert.is(removeStaleByName(name), true, 'a name already gone counts as removed');
  });
});

test('a header being written (magic, no creator yet) is never taken over; a creator that died is', () => {
  withStale((name, seg) => {
    const core = runtime().core;
    const header = new DataView(seg.bytes().buffer, seg.bytes().byteOffset, 64);
    // What a reader would see if the magic came before the creator's identity: state 0, pid 0.
    header.setUint32(8, 0, true);
    header.setUint32(24, 0, true);
    header.setUint32(28, 0, true);
    assert.is(takeOverStaleName(name), undefined, 'a creator that may be writing its header right now');
    assert.equal(listSegments(name), [name]);
    assert.is(core.segReaper(seg.ptr), 0n, 'not even claimed');
    // The same segment naming a creator that has exited is stale: taken over, generation returned.
    header.setUint32(24, deadPid(), true);
    assert.is(takeOverStaleName(name), core.segGeneration(seg.ptr));
    assert.equal(listSegments(name), []);
  });
});

test.run();
