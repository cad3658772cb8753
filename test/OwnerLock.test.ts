import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IpcError } from '../src/errors/IpcError.ts';
import { Doorbell } from '../src/segments/Doorbell.ts';
import { isProcessAlive, selfIdentity } from '../src/platform/processIdentity.ts';
import { runtime } from '../src/platform/runtime.ts';
import { OwnerLock } from '../src/segments/OwnerLock.ts';
import { currentHost, HOSTS, Peer } from './helpers/hosts.ts';
import { expectCode, expectThrow } from './helpers/expect.ts';
import { withSegment } from './helpers/segments.ts';

const BELL = 0;
const LOCK = 64;
const COUNTER = 128;

test('OwnerLock.acquire() records this process as the holder and release() frees it', withSegment('lock', (seg) => {
  const lock = new OwnerLock(seg.at(LOCK, 16));
  assert.is(lock.holder(), undefined);
  assert.equal(lock.acquire(1000), { tookOver: false });
  assert.equal(lock.holder(), { pid: selfIdentity().pid, stamp: selfIdentity().stamp });
  assert.not.ok(lock.tryAcquire());
  lock.release();
  assert.is(lock.holder(), undefined);
  assert.ok(lock.tryAcquire());
  lock.release();
}));

test('OwnerLock.release() of a lock this process does not hold throws NOT_OWNER', withSegment('lock', (seg) => {
  const lock = new OwnerLock(seg.at(LOCK, 16));
  expectCode(() => lock.release(), 'NOT_OWNER');
}));

test('OwnerLock.acquire() twice from one process throws instead of deadlocking', withSegment('lock', (seg) => {
  const lock = new OwnerLock(seg.at(LOCK, 16));
  lock.acquire();
  expectCode(() => lock.acquire(1000), 'NOT_OWNER');
  lock.release();
}));

test('OwnerLock.acquire() times out with TIMED_OUT while a live process holds it', withSegment('lock', async (seg) => {
  const holder = new Peer(currentHost(), ['hold', seg.name, String(LOCK)]);
  try {
    await holder.next();
    const lock = new OwnerLock(seg.at(LOCK, 16));
    expectCode(() => lock.acquire(150), 'TIMED_OUT', /holds it/);
    await lock.acquireAsync(100).then(
      () => assert.unreachable('acquired a held lock'),
      (e: unknown) => assert.ok(e instanceof IpcError && e.code === 'TIMED_OUT'),
    );
  } finally {
    holder.kill();
    await holder.done();
  }
}));

for (const host of HOSTS) {
  test(`OwnerLock: a holder on ${host} killed with SIGKILL is taken over by ${currentHost()}`, withSegment('lock', async (seg) => {
    const holder = new Peer(host, ['hold', seg.name, String(LOCK)]);
    const { pid } = await holder.next<{ pid: number }>();
    const lock = new OwnerLock(seg.at(LOCK, 16));
    assert.is(lock.holder()?.pid, pid);
    holder.kill('SIGKILL');
    await holder.done();
    assert.not.ok(isProcessAlive(pid, lock.holder()!.stamp));
    const t = lock.acquire(10_000);
    assert.equal(t, { tookOver: true });
    assert.is(lock.takeovers, 1);
    assert.is(lock.holder()?.pid, selfIdentity().pid);
    lock.release();
  }));
}

test('OwnerLock.acquireAsync() takes over from a holder killed while it waits', withSegment('lock', async (seg) => {
  const holder = new Peer(currentHost(), ['hold', seg.name, String(LOCK)]);
  await holder.next();
  const lock = new OwnerLock(seg.at(LOCK, 16));
  const pending = lock.acquireAsync(10_000);
  setTimeout(() => holder.kill('SIGKILL'), 50);
  assert.equal(await pending, { tookOver: true });
  lock.release();
  await holder.done();
}));

test('OwnerLock keeps a plain counter exact across processes on every host', withSegment('lock', async (seg) => {
  const n = 3000;
  const peers = HOSTS.map((h) => new Peer(h, ['lockcount', seg.name, String(BELL), String(LOCK), String(COUNTER), String(n)]));
  try {
    for (const p of peers) await p.next();
    new Doorbell(seg.at(BELL, 8)).ring();
    for (const p of peers) {
      assert.equal(await p.next(60_000), { done: true, tookOver: 0 }, p.errors);
      assert.is(await p.done(), 0);
    }
    assert.is(runtime().core.atomicLoad32(seg.at(COUNTER, 4)), 3 * n);
    assert.is(new OwnerLock(seg.at(LOCK, 16)).holder(), undefined);
  } finally {
    for (const p of peers) p.kill();
  }
}));

test.run();
