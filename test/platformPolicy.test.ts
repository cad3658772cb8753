// The process-wide policies of src/platform: one sleep helper, one errno map.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Errno, errnoToCode, fsErrorCode, systemCallError } from '../src/platform/errno.ts';
import { Backoff, sleepMs } from '../src/platform/sleep.ts';
import { IpcError } from '../src/errors/IpcError.ts';

test('sleepMs() blocks the thread for at least the time asked', () => {
  const t0 = performance.now();
  sleepMs(5);
  assert.ok(performance.now() - t0 >= 4.5, 'slept less than asked');
});

test('Backoff doubles its pause up to the bound and starts again after reset()', () => {
  const b = new Backoff(0.01, 0.05);
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) {
    seen.push(b.nextMs);
    b.sleep();
  }
  assert.equal(seen, [0.01, 0.02, 0.04, 0.05, 0.05]);
  b.reset();
  assert.is(b.nextMs, 0.01);
});

test('errno values, node:fs error names and native results map to the same IpcError codes', () => {
  assert.is(errnoToCode(Errno.ENOENT), 'NOT_FOUND');
  assert.is(fsErrorCode(Object.assign(new Error('x'), { code: 'ENOENT' })), 'NOT_FOUND');
  assert.is(fsErrorCode(Object.assign(new Error('x'), { code: 'EEXIST' })), errnoToCode(Errno.EEXIST));
  assert.is(fsErrorCode(Object.assign(new Error('x'), { code: 'EACCES' })), 'PERMISSION_DENIED');
  assert.is(fsErrorCode(Object.assign(new Error('x'), { code: 'ENOSPC' })), 'NO_SPACE');
  assert.is(fsErrorCode(Object.assign(new Error('x'), { code: 'EWHATEVER' })), 'SYSTEM');
  assert.is(fsErrorCode(undefined), 'SYSTEM');
});

test('systemCallError() is a SYSTEM IpcError naming the call and the errno', () => {
  const e = systemCallError('wait on shared memory', 'futex', Errno.EFAULT);
  assert.ok(e instanceof IpcError);
  assert.is(e.code, 'SYSTEM');
  assert.is(e.errno, Errno.EFAULT);
  assert.match(e.message, /futex failed with EFAULT/);
});

test.run();
