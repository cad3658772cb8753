// Whose segments membridge opens and removes, and what it queues (issue #13: owner checks, D7).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { Channel } from '../src/messaging/Channel.ts';
import { callFunction } from '../src/messaging/callFunction.ts';
import { callFunctionSync } from '../src/messaging/callFunctionSync.ts';
import { HostFunctionCaller } from '../src/messaging/HostFunctionCaller.ts';
import { NOTIFY_QUEUE_MAX_MESSAGES } from '../src/messaging/sendOnSlot.ts';
import { IpcError } from '../src/errors/IpcError.ts';
import { HostVariable } from '../src/values/HostVariable.ts';
import { readMemory } from '../src/values/readMemory.ts';
import { removeMemory } from '../src/values/removeMemory.ts';
import { writeMemory } from '../src/values/writeMemory.ts';
import { listSegments } from '../src/segments/SegmentMapping.ts';
import { currentHost, HOSTS, Peer } from './helpers/hosts.ts';
import { codeOf } from './helpers/expect.ts';
import { testName } from './helpers/names.ts';

test('removeMemory and HostVariable.remove leave a file membridge did not make alone (WRONG_KIND)', () => {
  const name = testName('foreign');
  const path = `/dev/shm/mb.${name}`;
  writeFileSync(path, 'precious data of another program, not a membridge segment', { mode: 0o600 });
  try {
    assert.is(codeOf(() => removeMemory(name)), 'WRONG_KIND');
    assert.ok(existsSync(path));
    assert.is(codeOf(() => HostVariable.remove(name)), 'WRONG_KIND');
    assert.ok(existsSync(path));
  } finally {
    unlinkSync(path);
  }
});

test('writeMemory honours { mode } for the segments it creates', () => {
  const name = testName('mode');
  try {
    writeMemory(name, 'x', { mode: 0o640 });
    assert.is(statSync(`/dev/shm/mb.${name}`).mode & 0o777, 0o640);
    writeMemory(name, 'y'.repeat(5000), { mode: 0o640 }); // grows: a new data generation
    for (const s of listSegments().filter((n) => n.endsWith(`.${name}`))) assert.is(statSync(`/dev/shm/${s}`).mode & 0o777, 0o640, s);
    assert.is(readMemory(name), 'y'.repeat(5000));
  } finally {
    removeMemory(name);
  }
});

test(`notify() calls that are not awaited stop at the queue's high-water mark with FULL`, async () => {
  const name = testName('hwm');
  const server = new Channel(name, 'server', { ringSize: 1024 }).open();
  let got = 0;
  server.setNotificationCallback(() => void got++);
  const client = new Channel(name, 'client').open();
  try {
    const sends: Array<Promise<unknown>> = [];
    // Synchronously: the server cannot drain in between, so they queue in this process.
    for (let i = 0; i < NOTIFY_QUEUE_MAX_MESSAGES + 500; i++) sends.push(client.notify(i).then(() => 'ok', (e) => (e instanceof IpcError ? e.code : String(e))));
    const outcomes = await Promise.all(sends);
    const full = outcomes.filter((o) => o === 'FULL').length;
    // What the 1 KiB ring took at once plus the high-water mark went through; the rest is FULL.
    assert.ok(full > 0 && outcomes.length - full <= NOTIFY_QUEUE_MAX_MESSAGES + 100, `${full} FULL of ${outcomes.length}`);
    assert.equal(outcomes.filter((o) => o !== 'ok' && o !== 'FULL'), []);
    // Awaited, the same number goes through.
    for (let i = 0; i < 2000; i++) await client.notify(i);
  } finally {
    client.close();
    server.close();
  }
});

const isRoot = process.getuid?.() === 0;
const NOBODY = { uid: 65534, gid: 65534 };

test('a segment of another user gives PERMISSION_DENIED unless the caller opts in', async () => {
  if (!isRoot) {
    console.log('  skipped: needs root, to run a peer as the user nobody');
    return;
  }
  for (const kind of ['hv', 'sysframe'] as const) {
    const name = testName(`own${kind}`);
    const creator = new Peer(currentHost(), ['create', kind, name], { HOME: '/tmp' }, NOBODY, 'ownerPeer');
    try {
      assert.ok((await creator.next()).ready, creator.errors);
      assert.is(await creator.done(), 0);
      const read = (opts: { allowOtherUsers?: boolean | number[] }): unknown =>
        kind === 'hv' ? new HostVariable(name, { create: false, ...opts }).data : readMemory(name, { layout: 'sysframe', ...opts });
      assert.is(codeOf(() => read({})), 'PERMISSION_DENIED', kind);
      assert.is(codeOf(() => read({ allowOtherUsers: [1234] })), 'PERMISSION_DENIED', kind);
      assert.is(read({ allowOtherUsers: true }), 42);
      assert.is(read({ allowOtherUsers: [65534] }), 42);
    } finally {
      await creator.done();
      // Not ours to remove through membridge (PERMISSION_DENIED): the test cleans up as root.
      assert.is(codeOf(() => (kind === 'hv' ? HostVariable.remove(name) : removeMemory(name))), kind === 'hv' ? 'PERMISSION_DENIED' : 'OK');
      unlinkSync(kind === 'hv' ? `/dev/shm/mb.${name}` : `/dev/shm/${name}`);
    }
  }
  // And the other way round, on every host: nobody opening root's world-writable variable.
  const name = testName('ownroot');
  const v = new HostVariable(name, { maxSize: 64, mode: 0o666 });
  v.data = 1;
  try {
    for (const host of HOSTS) {
      const p = new Peer(host, ['open', 'hv', name], { HOME: '/tmp' }, NOBODY, 'ownerPeer');
      assert.equal(await p.next(), { ok: false, code: 'PERMISSION_DENIED' }, `${host}: ${p.errors}`);
      await p.done();
    }
  } finally {
    v.close();
    HostVariable.remove(name);
  }
});

async function codeOfAsync(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
    return 'OK';
  } catch (err) {
    return err instanceof IpcError ? err.code : String(err);
  }
}

test('a function served by another user gives PERMISSION_DENIED unless the caller opts in', async () => {
  if (!isRoot) {
    console.log('  skipped: needs root, to run a peer as the user nobody');
    return;
  }
  for (const kind of ['fn', 'sysframe'] as const) {
    const name = testName(`ownf${kind}`);
    const server = new Peer(currentHost(), ['serve', kind, name], { HOME: '/tmp' }, NOBODY, 'ownerPeer');
    const layout = kind === 'sysframe' ? { layout: 'sysframe' as const } : {};
    try {
      assert.ok((await server.next()).ready, server.errors);
      // Refused: by default, and for a list without nobody.
      for (const allow of [{}, { allowOtherUsers: [1234] }, { allowOtherUsers: false }]) {
        assert.is(await codeOfAsync(() => callFunction(name, [1], { ...layout, ...allow, timeoutMs: 5000 })), 'PERMISSION_DENIED', `${kind} async ${JSON.stringify(allow)}`);
        if (kind === 'fn') {
          assert.is(codeOf(() => callFunctionSync(name, [1], { ...allow, timeoutMs: 5000 })), 'PERMISSION_DENIED', `sync ${JSON.stringify(allow)}`);
          assert.is(codeOf(() => new HostFunctionCaller(name, allow)), 'PERMISSION_DENIED', `caller ${JSON.stringify(allow)}`);
        }
      }
      // Accepted with the opt-in, for any user or for nobody by id.
      assert.is(await callFunction(name, [21], { ...layout, allowOtherUsers: true, timeoutMs: 5000 }), 42);
      assert.is(await callFunction(name, [4], { ...layout, allowOtherUsers: [65534], timeoutMs: 5000 }), 8);
      // A connection cached for an opted-in call does not answer one that did not opt in.
      assert.is(await codeOfAsync(() => callFunction(name, [1], { ...layout, timeoutMs: 5000 })), 'PERMISSION_DENIED', `${kind} after opt-in`);
      if (kind === 'fn') {
        assert.is(callFunctionSync(name, [5], { allowOtherUsers: true, timeoutMs: 5000 }), 10);
        const caller = new HostFunctionCaller(name, { allowOtherUsers: [65534], timeoutMs: 5000 });
        try {
          assert.is(await caller.invoke([6]), 12);
        } finally {
          caller.close();
        }
      }
      assert.is(await callFunction(name, ['stop'], { ...layout, allowOtherUsers: true, timeoutMs: 5000 }), 'stop');
      assert.is(await server.done(), 0, server.errors);
    } finally {
      if (await Promise.race([server.done(10_000).then(() => 'done'), new Promise((r) => setTimeout(() => r('late'), 10_000))]) === 'late') server.kill();
      for (const f of [`/dev/shm/mb.${name}`, `/dev/shm/${name}`]) if (existsSync(f)) unlinkSync(f);
    }
  }
});

test.run();
