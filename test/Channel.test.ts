import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Channel } from '../src/messaging/Channel.ts';
import type { IncomingRequest } from '../src/messaging/IncomingRequest.ts';
import { IpcError } from '../src/errors/IpcError.ts';
import { RemoteError } from '../src/errors/RemoteError.ts';
import { listSegments } from '../src/segments/SegmentMapping.ts';
import { currentHost, HOSTS, Peer } from './helpers/hosts.ts';
import { testName } from './helpers/names.ts';
import { runtime } from '../src/platform/runtime.ts';
import { Doorbell } from '../src/segments/Doorbell.ts';
import { ringCore } from '../src/messaging/Ring.ts';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    return err instanceof IpcError ? err.code : `not an IpcError: ${String(err)}`;
  }
}

test('Channel.request() gets the reply of the server handler', async () => {
  const name = testName('chan');
  const server = new Channel(name, 'server').open();
  const client = new Channel(name, 'client').open();
  try {
    server.setRequestCallback((v) => ({ doubled: (v as number) * 2 }));
    assert.equal(await client.request(21), { doubled: 42 });
    const many = await Promise.all(Array.from({ length: 500 }, (_, i) => client.request(i)));
    assert.equal(many, Array.from({ length: 500 }, (_, i) => ({ doubled: i * 2 })));
    assert.is(server.generation, 1);
    assert.is(client.generation, 1);
  } finally {
    client.close();
    server.close();
  }
  assert.equal(listSegments('mb.' + name), []);
});

test('a client and its server on one thread never hold the thread waiting for each other', async () => {
  const name = testName('chan');
  const server = new Channel(name, 'server').open();
  server.setRequestCallback((v) => (v as number) + 1);
  // What the waits consult (Doorbell.setRingerOnThisThread): spinning or sleeping on the thread
  // would only delay the peer, whose answer comes from this thread's own event loop.
  const onThread = (c: Channel): boolean => (c as unknown as { myBell: { ringerOnThisThread: boolean } }).myBell.ringerOnThisThread;
  try {
    assert.is(onThread(server), false);
    const a = new Channel(name, 'client').open();
    const b = new Channel(name, 'client').open();
    assert.ok(onThread(a) && onThread(b) && onThread(server));
    for (let i = 0; i < 200; i++) assert.is(await a.request(i), i + 1);
    a.close();
    assert.is(onThread(server), true, 'one client of this thread is still connected');
    b.close();
    assert.is(onThread(server), false, 'only other processes are left to ring');
  } finally {
    server.close();
  }
  assert.equal(listSegments('mb.' + name), []);
});

test('Channel handlers may reply later, fail, or return nothing', async () => {
  const name = testName('later');
  const server = new Channel(name, 'server').open();
  const client = new Channel(name, 'client').open();
  try {
    server.setRequestCallback((v, req: IncomingRequest) => {
      if (v === 'later') {
        req.defer();
        setTimeout(() => req.respond('done later'), 20);
        return 'ignored';
      }
      if (v === 'throw') throw new TypeError('bad input');
      if (v === 'async') return Promise.resolve('awaited');
      return undefined;
    });
    assert.is(await client.request('later'), 'done later');
    assert.is(await client.request('async'), 'awaited');
    assert.is(await client.request('nothing'), null);
    try {
      await client.request('throw');
      assert.unreachable();
    } catch (err) {
      assert.instance(err, RemoteError);
      const e = err as RemoteError;
      assert.is(e.code, 'REMOTE_ERROR');
      assert.is(e.remoteName, 'TypeError');
      assert.is(e.remoteMessage, 'bad input');
      assert.ok(e.remoteStack.includes('bad input'));
    }
  } finally {
    client.close();
    server.close();
  }
});

test('Channel carries messages much larger than its rings', async () => {
  const name = testName('big');
  const server = new Channel(name, 'server', { ringSize: 1024 }).open();
  const client = new Channel(name, 'client').open();
  try {
    server.setRequestCallback((v) => v);
    const big = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);
    const back = (await client.request(big)) as Uint8Array;
    assert.is(back.length, big.length);
    assert.ok(back.every((b, i) => b === big[i]));
  } finally {
    client.close();
    server.close();
  }
});

test('Channel.notify() delivers in order, both ways, and both sides can request', async () => {
  const name = testName('notify');
  const server = new Channel(name, 'server').open();
  const client = new Channel(name, 'client').open();
  try {
    const got: unknown[] = [];
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    server.setNotificationCallback((v) => {
      got.push(v);
      if (got.length === 2000) done();
    });
    for (let i = 0; i < 2000; i++) await client.notify(i);
    await all;
    assert.equal(got, Array.from({ length: 2000 }, (_, i) => i));

    client.setRequestCallback((v) => `client saw ${String(v)}`);
    assert.is(server.clients.length, 1);
    assert.is(await server.clients[0]!.request('ping'), 'client saw ping');

    const seen: unknown[] = [];
    const it = client.notifications();
    await server.notify('hello');
    for await (const n of it) {
      seen.push(n.value);
      break;
    }
    assert.equal(seen, ['hello']);
  } finally {
    client.close();
    server.close();
  }
});

test('Channel.request() times out, aborts, and fails fast with FULL when asked not to wait', async () => {
  const name = testName('limits');
  const server = new Channel(name, 'server', { ringSize: 256 }).open();
  const client = new Channel(name, 'client').open();
  try {
    server.setRequestCallback((_v, req) => req.defer());
    assert.is(await code(client.request(1, { timeoutMs: 50 })), 'TIMED_OUT');
    const ac = new AbortController();
    const p = client.request(2, { signal: ac.signal });
    ac.abort();
    assert.is(await code(p), 'ABORTED');
    // stop the server from draining, then fill the ring
    server.close();
    let full = 'OK';
    for (let i = 0; i < 100 && full === 'OK'; i++) {
      try {
        if (!client.tryNotify(new Uint8Array(40))) full = 'FULL';
      } catch (err) {
        full = (err as IpcError).code;
      }
    }
    assert.ok(full === 'FULL' || full === 'PEER_GONE', full);
  } finally {
    client.close();
    server.close();
  }
});

test('Channel client requests reject with PEER_GONE when the server closes', async () => {
  const name = testName('gone');
  const server = new Channel(name, 'server').open();
  const client = new Channel(name, 'client', { livenessMs: 20 }).open();
  try {
    server.setRequestCallback((_v, req) => req.defer());
    const p = client.request('x', { timeoutMs: 5000 });
    setTimeout(() => server.close(), 20);
    assert.is(await code(p), 'PEER_GONE');
    assert.is(await code(client.request('y')), 'PEER_GONE');
  } finally {
    client.close();
    server.close();
  }
});

test('a client that writes an impossible record loses its connection; the server serves the others', async () => {
  const name = testName('corrupt');
  const server = new Channel(name, 'server').open();
  const good = new Channel(name, 'client').open();
  const bad = new Channel(name, 'client').open();
  try {
    server.setRequestCallback((v) => v);
    assert.is(await good.request(1), 1);
    assert.is(await bad.request(2), 2);
    // What a buggy or hostile client could do: publish far more bytes than its ring holds.
    const out = (bad as unknown as { client: { out: { ptr: number } } }).client.out;
    const dv = new DataView(runtime().u8.buffer);
    dv.setBigUint64(out.ptr + 8, 1n << 40n, true); // next: the following commit would publish it as tail
    // The client's own end sees that next ran more than a ring ahead of head (it checks its
    // counters against the capacity it copied at open), so it fails typed and publishes nothing.
    assert.is(await code(bad.request(3, { timeoutMs: 300 })), 'CORRUPT');
    // The same lie published as tail: the server drops that client and serves the others.
    dv.setBigUint64(out.ptr, 1n << 40n, true);
    new Doorbell(ringCore().chanServerBell((server as unknown as { payload: number }).payload)).ring();
    assert.is(await good.request(4), 4);
    assert.is(await good.request('still'), 'still');
  } finally {
    bad.close();
    good.close();
    server.close();
  }
  assert.equal(listSegments('mb.' + name), []);
});

test('Channel.notify() calls made without waiting queue copies of their messages, in order', async () => {
  const host = HOSTS.find((h) => h !== currentHost())!;
  const name = testName('burst');
  const peer = new Peer(host, ['slow-sink', name, '500'], {}, {}, 'msgPeer');
  let client: Channel | undefined;
  try {
    assert.ok((await peer.next()).ready);
    client = new Channel(name, 'client').open();
    // 500 messages of ~310 bytes into a 1 KiB ring at once: most wait in the queue while later
    // ones are encoded into the same encoder buffer.
    const sends: Array<Promise<void>> = [];
    for (let i = 0; i < 500; i++) sends.push(client.notify([i, new Uint8Array(300).fill(i & 0xff)], { timeoutMs: 20_000 }));
    await Promise.all(sends);
    assert.equal(await peer.next(), { got: 500, inOrder: true });
  } finally {
    client?.close();
    peer.kill();
    await peer.done();
  }
  assert.equal(listSegments('mb.' + name), []);
});

test('Channel server open() refuses a live name and takes over a closed one with the next generation', async () => {
  const name = testName('gen');
  const a = new Channel(name, 'server').open();
  try {
    try {
      new Channel(name, 'server').open();
      assert.unreachable();
    } catch (err) {
      assert.is((err as IpcError).code, 'ALREADY_EXISTS');
    }
  } finally {
    a.close();
  }
  assert.is(await code(Promise.resolve().then(() => new Channel(name, 'client').open())), 'NOT_FOUND');
});

test('Channel.request() of a value pybytes cannot encode fails before touching the rings', async () => {
  const name = testName('enc');
  const server = new Channel(name, 'server').open();
  const client = new Channel(name, 'client').open();
  try {
    server.setRequestCallback((v, req) => {
      if (v === 'bad reply') return () => 1;
      return v;
    });
    let thrown: unknown;
    try {
      await client.request({ f: () => 1 });
    } catch (err) {
      thrown = err;
    }
    assert.ok(thrown instanceof TypeError || thrown instanceof RangeError, String(thrown));
    assert.is(await client.request('still fine'), 'still fine');
    // a reply that cannot be encoded reaches the requester as a remote error, never a hang
    assert.is(await code(client.request('bad reply')), 'REMOTE_ERROR');
    assert.equal(await client.request([1, 'two', { three: 3 }]), [1, 'two', { three: 3 }]);
  } finally {
    client.close();
    server.close();
  }
});

test('Channel server requests to a client that closes reject with PEER_GONE', async () => {
  const name = testName('cgone');
  const server = new Channel(name, 'server', { livenessMs: 20 }).open();
  const client = new Channel(name, 'client').open();
  try {
    client.setRequestCallback((_v, req) => req.defer());
    await client.notify('hello'); // makes the server see the client
    await new Promise((r) => setTimeout(r, 30));
    assert.is(server.clients.length, 1);
    const p = server.clients[0]!.request('are you there', { timeoutMs: 5000 });
    setTimeout(() => client.close(), 20);
    assert.is(await code(p), 'PEER_GONE');
  } finally {
    client.close();
    server.close();
  }
});

test('Channel.notify() waits for a slow consumer in another process and loses nothing', async () => {
  for (const host of HOSTS.filter((h) => h !== currentHost())) {
    const name = testName(`slow-${host}`);
    const peer = new Peer(host, ['slow-sink', name, '2000'], {}, {}, 'msgPeer');
    let client: Channel | undefined;
    try {
      assert.ok((await peer.next()).ready);
      client = new Channel(name, 'client').open();
      let fullSeen = 0;
      for (let i = 0; i < 2000; i++) {
        const payload = [i, new Uint8Array(300).fill(i & 0xff)];
        // every 10th message asks not to wait: FULL is the answer while the consumer lags
        if (i % 10 === 0) {
          try {
            await client.notify(payload, { wait: false });
            continue;
          } catch (err) {
            assert.is((err as IpcError).code, 'FULL');
            fullSeen++;
          }
        }
        await client.notify(payload, { timeoutMs: 10_000 });
      }
      const r = await peer.next<{ got: number; inOrder: boolean }>();
      assert.equal(r, { got: 2000, inOrder: true });
      assert.ok(fullSeen > 0, 'the ring filled up at least once');
    } finally {
      client?.close();
      peer.kill();
      await peer.done();
    }
    assert.equal(listSegments('mb.' + name), []);
  }
});

test.run();
