import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { callFunction } from '../src/messaging/callFunction.ts';
import { callFunctionSync } from '../src/messaging/callFunctionSync.ts';
import { createFunction } from '../src/messaging/createFunction.ts';
import { IpcError } from '../src/errors/IpcError.ts';
import { RemoteError } from '../src/errors/RemoteError.ts';
import { removeFunction } from '../src/messaging/removeFunction.ts';
import { listSegments, SegmentMapping } from '../src/segments/SegmentMapping.ts';
import { runtime } from '../src/platform/runtime.ts';
import { currentHost, HOSTS, Peer, type Host } from './helpers/hosts.ts';
import { testName } from './helpers/names.ts';

const others = (): Host[] => HOSTS.filter((h) => h !== currentHost());

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'OK';
  } catch (err) {
    return err instanceof IpcError ? err.code : `not an IpcError: ${String(err)}`;
  }
}

function server(host: Host, name: string): Peer {
  return new Peer(host, ['serve', name], {}, {}, 'msgPeer');
}

test('createFunction() serves callFunction() and callFunctionSync() of other hosts, and removeFunction() ends it', async () => {
  for (const host of others()) {
    const name = testName(`fn-${host}`);
    const owner = server(host, name);
    try {
      assert.ok((await owner.next()).ready);
      assert.is(await callFunction(name, ['add', 2, 40]), 42);
      assert.equal(await callFunction(name, ['echo', { a: [1, 'x'] }]), ['echo', { a: [1, 'x'] }]);
      assert.is(await callFunction(name, ['nothing']), null);
      const big = (await callFunction(name, ['big', 200_000])) as Uint8Array;
      assert.is(big.length, 200_000);
      assert.ok(big.every((b, i) => b === (i & 0xff)));
      const bigArg = new Uint8Array(100_000).fill(7);
      const echoed = (await callFunction(name, ['echo', bigArg])) as [string, Uint8Array];
      assert.is(echoed[1].length, 100_000);
      assert.is(callFunctionSync(name, ['add', 1, 2]), 3);
      try {
        await callFunction(name, ['throw', 'no good']);
        assert.unreachable();
      } catch (err) {
        assert.instance(err, RemoteError);
        assert.is((err as RemoteError).remoteName, 'RangeError');
        assert.is((err as RemoteError).remoteMessage, 'no good');
        assert.ok((err as RemoteError).remoteStack.includes('behaviour'));
      }
      try {
        callFunctionSync(name, ['throw', 'sync too']);
        assert.unreachable();
      } catch (err) {
        assert.is((err as RemoteError).remoteMessage, 'sync too');
      }
      assert.is(removeFunction(name), 1);
      assert.equal(await owner.next(), { removed: true });
      assert.is(await owner.done(), 0);
      assert.is(removeFunction(name), 2);
      assert.is(await codeOf(callFunction(name, [])), 'NOT_FOUND');
    } finally {
      owner.kill();
      removeFunction(name);
    }
    assert.equal(listSegments('mb.' + name), []);
  }
});

test('createFunction() in this process: removeFunction() resolves it with true, and calls time out', async () => {
  const name = testName('local');
  const done = createFunction(name, async (ms: number) => {
    await new Promise((r) => setTimeout(r, ms));
    return ms;
  });
  const caller = new Peer(others()[0]!, ['call', name, '3', 'x'], {}, {}, 'msgPeer');
  try {
    assert.is(await codeOf(callFunction(name, [500], { timeoutMs: 30 })), 'TIMED_OUT');
    assert.is(await callFunction(name, [1]), 1);
    assert.is(await codeOf(callFunction(name, 'nope' as unknown as unknown[])), 'not an IpcError: TypeError: Cannot call function "' + name + '": "args" must be an array');
    assert.is(await codeOf(createFunction(name, () => 1)), 'ALREADY_EXISTS');
    assert.is(await codeOf(() => callFunctionSync(name, [1])), 'NOT_FOUND');
  } finally {
    caller.kill();
    assert.is(removeFunction(name), 1);
  }
  assert.is(await done, true);
  assert.equal(listSegments('mb.' + name), []);
});

test('removeFunction() returns 3 when a live owner does not stop in time; the owner stops later', async () => {
  const name = testName('busy');
  const owner = server(others()[0]!, name);
  try {
    assert.ok((await owner.next()).ready);
    const call = callFunction(name, ['block', 3000]).catch((e: unknown) => e);
    assert.equal(await owner.next(), { blocking: true });
    assert.is(removeFunction(name, 300), 3);
    // Once its event loop runs again the owner sees the stop, resolves true and removes its name.
    assert.equal(await owner.next(), { removed: true });
    assert.is(await owner.done(), 0);
    await call;
    assert.is(removeFunction(name), 2);
  } finally {
    owner.kill();
    removeFunction(name);
  }
  assert.equal(listSegments('mb.' + name), []);
});

test('createFunction() resolves false when serving ends on an error', async () => {
  const name = testName('broken');
  const done = createFunction(name, () => 1);
  assert.is(await callFunction(name, []), 1);
  // Another process closing the segment under the owner (here: this process, through a mapping
  // of its own) is an error the owner can only stop on.
  const seg = SegmentMapping.open('mb.' + name);
  try {
    runtime().core.segClose(seg.ptr);
  } finally {
    seg.unmap();
  }
  assert.is(await done, false);
  assert.is(removeFunction(name), 1);
  assert.equal(listSegments('mb.' + name), []);
});

test('owners racing to take over a dead owner\'s name: exactly one serves it', async () => {
  const name = testName('race');
  const dead = server(others()[0]!, name);
  const racers: Peer[] = [];
  try {
    assert.ok((await dead.next()).ready);
    dead.kill();
    await dead.done();
    const startAt = Date.now() + 1500;
    for (const host of HOSTS) for (let i = 0; i < 2; i++) racers.push(new Peer(host, ['race-serve', name, String(startAt)], {}, {}, 'msgPeer'));
    const pids = await Promise.all(racers.map(async (r) => (await r.next<{ pid: number }>()).pid));
    const outcomes = await Promise.all(racers.map(async (r) => (await r.next<{ outcome: string }>()).outcome));
    assert.equal(outcomes.filter((o) => o === 'serving').length, 1, `outcomes: ${outcomes.join(', ')}`);
    assert.equal(outcomes.filter((o) => o !== 'serving'), Array(racers.length - 1).fill('ALREADY_EXISTS'));
    // The name leads to the winner, and nobody is left serving a segment without a name.
    const winner = outcomes.indexOf('serving');
    assert.is(await callFunction(name, ['pid']), pids[winner]);
    assert.is(removeFunction(name), 1);
    assert.equal(await racers[winner]!.next(), { removed: true });
  } finally {
    dead.kill();
    for (const r of racers) r.kill();
    removeFunction(name);
  }
  assert.equal(listSegments('mb.' + name), []);
});

test('a function serving a steady stream of calls still lets timers and I/O of its process run', async () => {
  const name = testName('stream');
  const done = createFunction(name, (...args: unknown[]) => args);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 2);
  const caller = new Peer(others()[0]!, ['callsync', name, '20000', 't'], {}, {}, 'msgPeer');
  try {
    assert.ok((await caller.next()).ready);
    const before = ticks;
    const r = await caller.next<{ wrong: number; ms: number }>(120_000);
    const during = ticks - before;
    assert.is(r.wrong, 0);
    // Back-to-back calls keep the server on its synchronous hot path; it must still yield. A
    // starved event loop shows no tick at all until the stream ends.
    assert.ok(during >= Math.min(5, Math.floor(r.ms / 50)), `${during} timer ticks during ${Math.round(r.ms)} ms of calls`);
  } finally {
    clearInterval(timer);
    caller.kill();
    removeFunction(name);
  }
  assert.is(await done, true);
  assert.equal(listSegments('mb.' + name), []);
});

test('createFunction(): four callers making many calls each get exactly their own answers', async () => {
  const count = Number(process.env.MEMBRIDGE_STRESS_CALLS ?? 100_000);
  const host = others()[0]!;
  const name = testName('four');
  const owner = server(host, name);
  const callers: Peer[] = [];
  try {
    assert.ok((await owner.next()).ready);
    for (let i = 0; i < 4; i++) callers.push(new Peer(HOSTS[i % 3]!, [i % 2 ? 'call' : 'callsync', name, String(count), `c${i}`], {}, {}, 'msgPeer'));
    for (const c of callers) assert.ok((await c.next()).ready);
    for (const c of callers) {
      const r = await c.next<{ done: boolean; wrong: number }>(600_000);
      assert.equal(r.wrong, 0, `${c.host} caller got answers that were not its own`);
    }
    assert.is(removeFunction(name), 1);
  } finally {
    for (const c of callers) c.kill();
    owner.kill();
    removeFunction(name);
  }
});

test('createFunction(): SIGKILL of the owner mid-call rejects every caller with PEER_GONE in time', async () => {
  for (const host of others()) {
    const name = testName(`kill-${host}`);
    const owner = server(host, name);
    const callers: Peer[] = [];
    try {
      assert.ok((await owner.next()).ready);
      for (const mode of ['sync', 'async']) callers.push(new Peer(currentHost(), ['hang-call', name, mode], {}, {}, 'msgPeer'));
      for (const c of callers) assert.ok((await c.next()).calling);
      const local = callFunction(name, ['sleep', 60_000], { timeoutMs: 20_000 });
      await new Promise((r) => setTimeout(r, 200));
      owner.kill('SIGKILL');
      assert.is(await codeOf(local), 'PEER_GONE');
      for (const c of callers) {
        const r = await c.next<{ code: string; ms: number }>();
        assert.is(r.code, 'PEER_GONE');
        assert.ok(r.ms < 20_000, 'before the timeout');
      }
      // a stale segment: removeFunction removes it; a new owner may take the name
      assert.is(removeFunction(name), 1);
    } finally {
      for (const c of callers) c.kill();
      owner.kill();
      removeFunction(name);
    }
  }
});

test('createFunction(): SIGKILL of a caller leaves the owner serving and its slot reclaimed', async () => {
  const name = testName('callerkill');
  let served = 0;
  const done = createFunction(name, async (...args: unknown[]) => {
    served++;
    await new Promise((r) => setTimeout(r, Number(args[1] ?? 0)));
    return 'ok';
  }, { maxCallers: 2 });
  const holders: Peer[] = [];
  try {
    for (let i = 0; i < 2; i++) holders.push(new Peer(others()[i % 2]!, ['hold-client', name], {}, {}, 'msgPeer'));
    for (const h of holders) assert.ok((await h.next()).ready);
    // both slots taken: this process cannot connect until the server reclaims a dead holder's slot
    holders[0]!.kill('SIGKILL');
    await holders[0]!.done();
    assert.is(await callFunction(name, ['x', 1]), 'ok');
    assert.ok(served >= 2);
  } finally {
    for (const h of holders) h.kill();
    removeFunction(name);
  }
  assert.is(await done, true);
});

test('a restarted owner is told apart by its generation', async () => {
  const name = testName('restart');
  const first = server(others()[0]!, name);
  let second: Peer | undefined;
  try {
    assert.ok((await first.next()).ready);
    const pid1 = await callFunction(name, ['pid']);
    first.kill('SIGKILL');
    await first.done();
    second = server(others()[1] ?? others()[0]!, name);
    assert.ok((await second.next()).ready);
    // the cached connection to the dead owner fails once, then the call reaches the new owner
    let pid2: unknown;
    try {
      pid2 = await callFunction(name, ['pid']);
    } catch (err) {
      assert.is((err as IpcError).code, 'PEER_GONE');
      pid2 = await callFunction(name, ['pid']);
    }
    assert.is.not(pid2, pid1);
  } finally {
    first.kill();
    second?.kill();
    removeFunction(name);
  }
});

test.run();
