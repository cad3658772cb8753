// The native layer's own contract: argument misuse throws TypeError/RangeError, system-call
// failures come back as -errno, nothing crashes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import process from 'node:process';
import { isNativeAvailable, native } from '../src/platform/addon.ts';
import { Errno } from '../src/platform/errno.ts';
import { isProcessAlive, selfIdentity, stampOf } from '../src/platform/processIdentity.ts';
import { runtime } from '../src/platform/runtime.ts';
import { currentHost, Peer } from './helpers/hosts.ts';
import { expectThrow } from './helpers/expect.ts';
import { testName } from './helpers/names.ts';

test('the addon loads on this host', () => {
  assert.ok(isNativeAvailable());
  assert.is(native().abiVersion, 2);
  assert.is(native().pageSize() % 4096, 0);
});

test('effectiveUid() is the effective user id the owner checks compare against', () => {
  const p = process as { geteuid?: () => number };
  assert.is(native().effectiveUid(), p.geteuid!());
});

test('addon functions reject arguments of the wrong type with TypeError', () => {
  const a = native();
  const u8 = runtime().u8;
  expectThrow(() => a.shmOpen(5 as unknown as string), TypeError);
  expectThrow(() => a.shmCreate('x', 'big' as unknown as number, 0o600), TypeError);
  expectThrow(() => a.shmCreate('x', 1.5, 0o600), TypeError);
  expectThrow(() => a.futexWait(new Int32Array(4) as unknown as Uint8Array, 0, 0, 0, -1), TypeError);
  expectThrow(() => a.futexWait({} as Uint8Array, 0, 0, 0, -1), TypeError);
  expectThrow(() => a.mapInto(u8, 0, 4096, 'fd' as unknown as number, false), TypeError);
  expectThrow(() => a.processStartTime(Number.NaN), TypeError);
});

test('addon functions reject out-of-range windows and words with RangeError', () => {
  const a = native();
  const u8 = runtime().u8;
  expectThrow(() => a.futexWait(u8, u8.length, 0, 0, -1), RangeError);
  expectThrow(() => a.futexWait(u8, 2, 0, 0, -1), RangeError);
  expectThrow(() => a.futexWake(u8, -4, 1), RangeError);
  expectThrow(() => a.mapInto(u8, 100, 4096, 0, false), RangeError);
  expectThrow(() => a.restore(u8, u8.length, 4096), RangeError);
  expectThrow(() => a.restore(u8, 0, 0), RangeError);
});

test('addon system-call failures come back as negative errno values', () => {
  const a = native();
  assert.is(a.shmOpen(testName('nope')), -Errno.ENOENT);
  assert.is(a.shmUnlink(testName('nope')), -Errno.ENOENT);
  assert.is(a.shmOpen('a/b'), -Errno.EINVAL);
  assert.is(a.shmCreate('..', 4096, 0o600), -Errno.EINVAL);
  assert.is(a.shmCreate('x', 4096, 0o7777), -Errno.EINVAL);
  assert.is(a.closeFd(987654), -Errno.EBADF);
  assert.is(a.fdStat(987654), -Errno.EBADF);
  assert.is(a.processStartTime(0), -Errno.ESRCH);
  assert.is(a.processStartTime(0x3fffffff), -Errno.ESRCH);
});

test('processStartTime() tells a live process from a dead one and from a reused pid', async () => {
  const me = selfIdentity();
  assert.is(me.pid, process.pid);
  assert.ok(me.stamp > 0);
  assert.is(stampOf(native().processStartTime(process.pid)), me.stamp);
  assert.ok(isProcessAlive(me.pid, me.stamp));
  assert.not.ok(isProcessAlive(me.pid, (me.stamp + 1) >>> 0), 'same pid, other start time: another process');
  const peer = new Peer(currentHost(), ['open', testName('x')]);
  const pid = peer.child.pid!;
  await peer.next();
  await peer.done();
  assert.not.ok(isProcessAlive(pid), 'an exited child is dead (reaped or zombie)');
  assert.not.ok(isProcessAlive(-1));
});

test('a Waiter closed while waiting resolves its wait as cancelled', async () => {
  const w = new (native().Waiter)();
  const region = runtime().regions.allocate(4096);
  try {
    const p = w.wait(runtime().u8, region, 0, 10_000, -1);
    assert.ok(w.pending());
    w.close();
    assert.is(await p, 5);
    expectThrow(() => w.wait(runtime().u8, region, 0, 10, -1), Error, /closed/);
  } finally {
    runtime().regions.release(region);
  }
});

test.run();
