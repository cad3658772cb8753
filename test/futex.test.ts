import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile } from 'node:fs/promises';
import { IpcError } from '../src/errors/IpcError.ts';
import { Doorbell } from '../src/segments/Doorbell.ts';
import { waitWord, waitWordAsync, wakeWord } from '../src/platform/futex.ts';
import { expectCode, expectThrow } from './helpers/expect.ts';
import { withSegment } from './helpers/segments.ts';
import { runtime } from '../src/platform/runtime.ts';
import { native } from '../src/platform/addon.ts';
import { SegmentMapping, unlinkSegment } from '../src/segments/SegmentMapping.ts';
import { testName } from './helpers/names.ts';

test('waitWord() returns at once when the word already differs', withSegment('futex', (seg) => {
  assert.is(waitWord(seg.at(0, 4), 5, 10_000), 'changed');
}));

test('waitWord() and Doorbell.wait() time out', withSegment('futex', (seg) => {
  assert.is(waitWord(seg.at(0, 4), 0, 30), 'timed-out');
  const bell = new Doorbell(seg.at(8, 8));
  assert.is(bell.wait(bell.seq, 30), 'timed-out');
  expectThrow(() => waitWord(seg.at(0, 4), 0, -1), RangeError);
  expectThrow(() => waitWord(seg.at(0, 4), 0, Number.NaN), RangeError);
  // Rejected before any spin, even when the word has already moved on.
  expectThrow(() => bell.wait(bell.seq - 1, -5), RangeError);
}));

test('spinWhileEqual32() stops at a changed word and returns it, or runs out', withSegment('futex', (seg) => {
  const core = runtime().core;
  const word = seg.at(16, 4);
  core.atomicStore32(word, 7);
  assert.is(core.spinWhileEqual32(word, 7, 1000), 7, 'ran out: the word still holds the expected value');
  assert.is(core.spinWhileEqual32(word, 6, 1_000_000_000), 7, 'a differing word returns at once');
  core.atomicStore32(word, -3);
  assert.is(core.spinWhileEqual32(word, 7, 0), -3);
}));

test('waitWordAsync() times out without blocking the event loop', withSegment('futex', async (seg) => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const outcome = await waitWordAsync(seg.at(0, 4), 0, 200);
  clearInterval(timer);
  assert.is(outcome, 'timed-out');
  assert.ok(ticks >= 3, `the event loop ran during the wait (${ticks} ticks)`);
}));

test('waitWordAsync() rejects with ABORTED when its signal aborts, and not before', withSegment('futex', async (seg) => {
  const ac = new AbortController();
  const p = waitWordAsync(seg.at(0, 4), 0, 10_000, -1, ac.signal);
  setTimeout(() => ac.abort(new Error('stop')), 20);
  await p.then(
    () => assert.unreachable('resolved'),
    (e: unknown) => {
      assert.instance(e, IpcError);
      assert.is((e as IpcError).code, 'ABORTED');
    },
  );
  const already = new AbortController();
  already.abort();
  await waitWordAsync(seg.at(0, 4), 0, 10_000, -1, already.signal).then(
    () => assert.unreachable('resolved'),
    (e: unknown) => assert.is((e as IpcError).code, 'ABORTED'),
  );
}));

test('a Waiter cancelled at any moment of its wait settles soon, even with no timeout', withSegment('futex', async (seg) => {
  // cancel() can land between the thread's look at the cancel flag and its FUTEX_WAIT; that wake-up
  // then reaches nobody. The thread sleeps in slices of 20 ms (native/membridge.cc, DoWait), so
  // such a lost cancel costs a slice, not the whole wait (here: forever).
  const rt = runtime();
  const w = new (native().Waiter)();
  let slowest = 0;
  try {
    for (let i = 0; i < 1500; i++) {
      const pending = w.wait(rt.u8, seg.at(0, 4), 0, -1, -1);
      const until = performance.now() + Math.random() * 0.05;
      while (performance.now() < until) {
        /* let the thread get anywhere into its wait */
      }
      const t0 = performance.now();
      w.cancel();
      const r = await Promise.race([pending, new Promise<string>((ok) => setTimeout(() => ok('hung'), 2000))]);
      assert.is.not(r, 'hung', `wait ${i} did not settle within 2 s of cancel()`);
      slowest = Math.max(slowest, performance.now() - t0);
    }
  } finally {
    w.close();
  }
  assert.ok(slowest < 1000, `slowest cancel took ${slowest.toFixed(1)} ms`);
}));

test('wakeWord() wakes an async waiter of this process', withSegment('futex', async (seg) => {
  const p = waitWordAsync(seg.at(0, 4), 0, 10_000);
  await new Promise((r) => setTimeout(r, 20));
  wakeWord(seg.at(0, 4), 1);
  assert.is(await p, 'changed');
}));

test('many pending async waits do not starve the host thread pool', withSegment('futex', async (seg) => {
  const waits = Array.from({ length: 16 }, (_, i) => new Doorbell(seg.at(64 + i * 8, 8))).map((b) => b.waitAsync(b.seq, 5000));
  // fs work goes through the host's pool; with waits on the pool (napi_async_work) this stalled
  const t0 = performance.now();
  for (let i = 0; i < 8; i++) await readFile(new URL(import.meta.url));
  const elapsed = performance.now() - t0;
  for (let i = 0; i < 16; i++) new Doorbell(seg.at(64 + i * 8, 8)).ring();
  assert.equal(await Promise.all(waits), Array(16).fill('changed'));
  // not a timing assertion on speed: the waits would hold the reads for their whole 5 s timeout
  assert.ok(elapsed < 4000, `reads finished while the waits were pending (${elapsed.toFixed(0)} ms)`);
}));


// Issue #11: a waiter thread takes itself off the sleepers count after its wait returns. When the
// window had been handed to another segment by then, that decrement landed in the other segment's
// doorbell, whose ringers then skipped FUTEX_WAKE while its owner slept.
test('an unmapped window is not reused while a native wait on it is in flight', async () => {
  const name = testName('inflight');
  const a = SegmentMapping.create(name, 4096);
  const nameB = testName('inflight');
  let b: SegmentMapping | undefined;
  let c: SegmentMapping | undefined;
  try {
    const old = a.ptr;
    const wait = waitWordAsync(a.at(0, 4), 0, 10_000, a.at(4, 4), undefined, false);
    // Let the waiter thread count itself as a sleeper and go to sleep.
    for (let i = 0; i < 200 && runtime().core.atomicLoad32(a.at(4, 4)) !== 1; i++) await new Promise((r) => setTimeout(r, 5));
    assert.is(runtime().core.atomicLoad32(a.at(4, 4)), 1, 'the waiter counts itself as a sleeper');
    a.unmap();
    b = SegmentMapping.create(nameB, 4096);
    assert.is.not(b.ptr, old, 'the window of the unmapped segment was handed out while its waiter was still out');
    assert.is(await wait, 'changed', 'unmapping cancels the wait');
    await new Promise((r) => setTimeout(r, 0));
    c = SegmentMapping.open(nameB);
    assert.is(c.ptr, old, 'the window comes back into use once the waiter returned');
    assert.ok(c.bytes().every((x) => x === 0), 'nothing was written into the segment mapped after');
  } finally {
    c?.unmap();
    b?.unmap();
    if (a.isMapped) a.unmap();
    unlinkSegment(name);
    unlinkSegment(nameB);
  }
});

test.run();
