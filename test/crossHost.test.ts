// Shared memory between real OS processes in different runtimes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Doorbell } from '../src/segments/Doorbell.ts';
import { SegmentMapping, unlinkSegment } from '../src/segments/SegmentMapping.ts';
import { selfIdentity } from '../src/platform/processIdentity.ts';
import { runtime } from '../src/platform/runtime.ts';
import { currentHost, HOSTS, Peer } from './helpers/hosts.ts';
import { testName } from './helpers/names.ts';

// Layout of the test segment (offsets): bell 0, atomic counter 64, lock 128, locked counter 192.
const BELL = 0;
const COUNTER = 64;
const LOCK = 128;
const LOCKED = 192;

test(`WebAssembly atomics from ${currentHost()} and children on every host add up exactly`, async () => {
  const name = testName('count');
  const seg = SegmentMapping.create(name, 4096);
  const n = 200_000;
  const peers: Peer[] = [];
  try {
    for (const host of HOSTS) peers.push(new Peer(host, ['add', name, String(BELL), String(COUNTER), String(LOCK), String(LOCKED), String(n)]));
    for (const p of peers) assert.equal(await p.next(), { ready: true });
    new Doorbell(seg.at(BELL, 8)).ring();
    // this process races the children with the same two loops
    const core = runtime().core;
    const me = selfIdentity();
    core.atomicAddLoop32(seg.at(COUNTER, 4), 1, n);
    assert.is(core.lockedIncrementLoop(seg.at(LOCK, 16), seg.at(LOCKED, 4), me.pid, me.stamp, n), 0);
    for (const p of peers) {
      assert.equal(await p.next(60_000), { done: true, r: 0 }, `${p.host}: ${p.errors}`);
      assert.is(await p.done(), 0);
    }
    assert.is(core.atomicLoad32(seg.at(COUNTER, 4)), 4 * n, 'atomic counter');
    assert.is(core.atomicLoad32(seg.at(LOCKED, 4)), 4 * n, 'counter under the spin lock');
    assert.is(core.lockOwner(seg.at(LOCK, 16)), 0n, 'lock released');
  } finally {
    for (const p of peers) p.kill();
    seg.unmap();
    unlinkSegment(name);
  }
});

for (const mode of ['sync', 'async'] as const) {
  test(`Doorbell: a ${mode} waiter on every host is woken by ${currentHost()}`, async () => {
    const name = testName('wake');
    const seg = SegmentMapping.create(name, 4096);
    try {
      const bell = new Doorbell(seg.at(BELL, 8));
      for (const host of HOSTS) {
        const waiter = new Peer(host, ['wait', name, String(BELL), mode, '20000']);
        const { seq } = await waiter.next<{ seq: number }>();
        // ring only once the waiter sleeps, so the futex path (not the spin) is what wakes it
        for (let i = 0; i < 2000 && runtime().core.atomicLoad32(seg.at(BELL + 4, 4)) === 0; i++) await new Promise((r) => setTimeout(r, 5));
        assert.is(runtime().core.atomicLoad32(seg.at(BELL + 4, 4)), 1, `${host} waiter is asleep`);
        assert.is(bell.ring(), 1, `${host}: one process woken`);
        const r = await waiter.next<{ outcome: string; seq: number }>();
        assert.is(r.outcome, 'changed', host);
        assert.is(r.seq, seq + 1);
        assert.is(await waiter.done(), 0);
      }
    } finally {
      seg.unmap();
      unlinkSegment(name);
    }
  });

  test(`Doorbell: a ${mode} waiter on ${currentHost()} is woken by a peer on every host`, async () => {
    const name = testName('wake');
    const seg = SegmentMapping.create(name, 4096);
    try {
      const bell = new Doorbell(seg.at(BELL, 8));
      for (const host of HOSTS) {
        const seen = bell.seq;
        const ringer = new Peer(host, ['ring', name, String(BELL)]);
        const outcome = mode === 'sync' ? bell.wait(seen, 20_000) : await bell.waitAsync(seen, 20_000);
        assert.is(outcome, 'changed', host);
        assert.is(bell.seq, seen + 1);
        await ringer.next();
        assert.is(await ringer.done(), 0);
      }
    } finally {
      seg.unmap();
      unlinkSegment(name);
    }
  });
}

test.run();
