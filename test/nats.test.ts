// membridge/nats against a real nats-server (started by this file on 127.0.0.1, a free port,
// JetStream in a temporary folder): values with watches, functions with errors, timeouts and
// ownership, channels, and the peers in other runtimes connected only through NATS.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, decodeName, encodeName, IpcError, RemoteError, type NatsNet } from '../src/nats.ts';
import { NatsServer } from './helpers/natsServer.ts';
import { optionalComponent, skipTest } from './helpers/optionalComponent.ts';
import { currentHost, HOSTS, Peer, type Host } from './helpers/hosts.ts';

const nats = optionalComponent('nats-server');
const server = nats.available ? new NatsServer(nats.path) : undefined;
let ns = 0;
const namespace = (): string => `t${process.pid}_${++ns}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const other = (): Host => HOSTS[(HOSTS.indexOf(currentHost()) + 1) % 3]!;
const third = (): Host => HOSTS[(HOSTS.indexOf(currentHost()) + 2) % 3]!;
const natsPeer = (host: Host, args: string[]): Peer => new Peer(host, args, {}, {}, 'natsPeer');

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as IpcError).code ?? String(err);
  }
  return 'resolved';
}

async function pair(nsName = namespace()): Promise<[NatsNet, NatsNet]> {
  return [await connect({ servers: server!.url, namespace: nsName }), await connect({ servers: server!.url, namespace: nsName })];
}

const tests: Array<[string, () => Promise<void>]> = [];
const it = (title: string, fn: () => Promise<void>): void => void tests.push([title, fn]);

it('every valid membridge name encodes to a valid key and back', async () => {
  for (const name of ['x', '.x', 'x.', 'a..b', 'sensor.temp', 'a=b', 'ümlaut', 'a b*>', '-lead', '_x_']) {
    const key = encodeName(name);
    assert.ok(/^[A-Za-z0-9_=-]+$/.test(key), `${name} -> ${key}`);
    assert.is(decodeName(key), name);
  }
  assert.is(encodeName('sensor.temp'), 'sensor=2Etemp');
  const [a, b] = await pair();
  try {
    for (const name of ['.x', 'x.', 'a..b', 'ümlaut']) {
      await a.writeMemory(name, name);
      assert.is(await b.readMemory(name), name);
    }
  } finally {
    await a.close();
    await b.close();
  }
});

it('await using closes the connection at the end of its block', async () => {
  const nsName = namespace();
  let kept: NatsNet | undefined;
  {
    await using net = await connect({ servers: server!.url, namespace: nsName });
    kept = net;
    await net.writeMemory('scoped', 1);
    assert.is(await net.readMemory('scoped'), 1);
  }
  assert.is(await code(kept!.readMemory('scoped')), 'CLOSED');
});

it('values: write, read, remove, compare-and-set; versions rise', async () => {
  const [a, b] = await pair();
  try {
    assert.is(await code(b.readMemory('cfg')), 'NOT_FOUND');
    const v1 = await a.writeMemory('cfg', { rate: 50, axes: ['x', 'y'] });
    assert.equal(await b.readMemory('cfg'), { rate: 50, axes: ['x', 'y'] });
    await a.writeMemory('other', 1);
    const v2 = await a.writeMemory('cfg', 'two');
    assert.ok(v2 > v1 + 1, 'a write of another key skips a number');
    assert.is(await a.compareAndSetMemory('cfg', v1, 'stale'), undefined);
    const v3 = await b.compareAndSetMemory('cfg', v2, 'three');
    assert.ok(v3 !== undefined && v3 > v2);
    assert.is(await a.compareAndSetMemory('fresh', 0, 1) !== undefined, true);
    assert.is(await a.compareAndSetMemory('fresh', 0, 2), undefined);
    assert.is(await a.removeMemory('cfg'), true);
    assert.is(await a.removeMemory('cfg'), false);
    assert.is(await code(b.readMemory('cfg')), 'NOT_FOUND');
  } finally {
    await a.close();
    await b.close();
  }
});

it('values: openMemory reads synchronously from a watched cache; waitForChange, timeout, abort', async () => {
  const [a, b] = await pair();
  try {
    const m = await b.openMemory('live');
    assert.is(m.read(), null);
    assert.is(m.version, 0);
    const w = m.waitForChange(0, { timeoutMs: 5000 });
    const v = await a.writeMemory('live', [1, 2, 3]);
    assert.is(await w, v);
    assert.equal(m.read(), [1, 2, 3]);
    assert.is(await code(m.waitForChange(m.version, { timeoutMs: 50 })), 'TIMED_OUT');
    const ac = new AbortController();
    const aborted = m.waitForChange(m.version, { signal: ac.signal });
    ac.abort();
    assert.is(await code(aborted), 'ABORTED');
    const mine = await m.write('from b');
    assert.is(m.version, mine);
    await a.removeMemory('live');
    await m.waitForChange(mine, { timeoutMs: 5000 });
    assert.is(m.read(), null);
    m.close();
    assert.is(await code(m.waitForChange(0)), 'CLOSED');
  } finally {
    await a.close();
    await b.close();
  }
});

it('functions: results, RemoteError with name, message and stack, NOT_FOUND, TIMED_OUT, ABORTED', async () => {
  const [a, b] = await pair();
  try {
    assert.is(await code(b.callFunction('f', [])), 'NOT_FOUND');
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    const served = a.createFunction(
      'f',
      async (op: string, x: unknown) => {
        if (op === 'throw') throw new TypeError(`bad ${x}`);
        if (op === 'sleep') await sleep(x as number);
        return x;
      },
      { onReady: ready },
    );
    await isReady;
    assert.equal(await b.callFunction('f', ['echo', { a: [1, 'two', null] }]), { a: [1, 'two', null] });
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i & 255);
    const back = (await b.callFunction('f', ['echo', big], { timeoutMs: 20_000 })) as Uint8Array;
    assert.is(back.length, big.length, 'a 3 MiB argument and result travel in chunks');
    assert.ok(back.every((x, i) => x === (i & 255)));
    try {
      await b.callFunction('f', ['throw', 7]);
      assert.unreachable();
    } catch (err) {
      assert.ok(err instanceof RemoteError);
      assert.is(err.remoteName, 'TypeError');
      assert.is(err.remoteMessage, 'bad 7');
      assert.match(err.remoteStack, /TypeError: bad 7/);
    }
    assert.is(await code(b.callFunction('f', ['sleep', 2000], { timeoutMs: 100 })), 'TIMED_OUT');
    const ac = new AbortController();
    const p = b.callFunction('f', ['sleep', 2000], { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    assert.is(await code(p), 'ABORTED');
    assert.is(await code(b.createFunction('f', () => 1)), 'ALREADY_EXISTS');
    assert.is(await b.removeFunction('f'), true);
    assert.is(await served, true);
    assert.is(await b.removeFunction('f'), false);
    assert.is(await code(b.callFunction('f', [])), 'NOT_FOUND');
  } finally {
    await a.close();
    await b.close();
  }
});

it('channels: requests both ways, notifications in order, iterators, chunked messages', async () => {
  const [a, b] = await pair();
  try {
    assert.is(await code(b.channel('ch', 'client')), 'NOT_FOUND');
    const server = await a.channel('ch', 'server');
    server.setRequestCallback((v) => (v as number) * 2);
    const client = await b.channel('ch', 'client');
    client.setRequestCallback((v) => `client saw ${v}`);
    assert.is(await client.request(21), 42);
    assert.is(server.clients.length, 1);
    assert.is(await server.request('hi'), 'client saw hi');
    const got: unknown[] = [];
    const all = new Promise<void>((resolve) =>
      server.setNotificationCallback((v) => {
        got.push(v);
        if (got.length === 200) resolve();
      }),
    );
    for (let i = 0; i < 200; i++) await client.notify(i);
    await all;
    assert.equal(got, [...Array(200).keys()], 'in order per sender');
    const it = client.notifications();
    await server.notify('n1');
    await server.notify(new Uint8Array(2_500_000).fill(7));
    const first = await it.next();
    assert.is(first.value.value, 'n1');
    const second = await it.next();
    assert.is((second.value.value as Uint8Array).length, 2_500_000);
    const reqs = server.requests();
    const pending = client.request('later');
    const r = await reqs.next();
    assert.is(r.value.value, 'later');
    r.value.respond('answered');
    assert.is(await pending, 'answered');
    await reqs.return!();
    server.setRequestCallback(() => {
      throw new RangeError('nope');
    });
    const e = await client.request(1).catch((x) => x);
    assert.ok(e instanceof RemoteError && e.remoteName === 'RangeError');
    assert.is(await code(a.channel('ch', 'server')), 'ALREADY_EXISTS');
    client.close();
    server.close();
  } finally {
    await a.close();
    await b.close();
  }
});

it(`two hosts through NATS only: values watched both ways (${currentHost()} and ${other()})`, async () => {
  const nsName = namespace();
  const net = await connect({ servers: server!.url, namespace: nsName });
  const peer = natsPeer(other(), ['mirror', server!.url, nsName, 'ping', 'pong']);
  try {
    await peer.next();
    const pong = await net.openMemory('pong');
    for (let i = 0; i < 20; i++) {
      const since = pong.version;
      await net.writeMemory('ping', i * 10);
      await pong.waitForChange(since, { timeoutMs: 10_000 });
      assert.is(pong.read(), i * 10 + 1);
    }
    await net.writeMemory('ping', 'stop');
    assert.equal(await peer.next(), { done: true });
    assert.is(await peer.done(), 0);
    pong.close();
  } finally {
    peer.kill();
    await net.close();
  }
});

it(`two hosts: a function served by ${other()}, errors typed; killed mid-call gives PEER_GONE within ~1 s`, async () => {
  const nsName = namespace();
  const net = await connect({ servers: server!.url, namespace: nsName });
  const owner = natsPeer(other(), ['serve', server!.url, nsName, 'remote']);
  try {
    await owner.next();
    assert.is(await net.callFunction('remote', ['echo', 'hello']), 'hello');
    const e = await net.callFunction('remote', ['throw', 'x']).catch((x) => x);
    assert.ok(e instanceof RemoteError && e.remoteName === 'TypeError' && e.remoteMessage === 'bad x');
    assert.is(await code(net.callFunction('remote', ['sleep', 5000], { timeoutMs: 200 })), 'TIMED_OUT');
    const mid = net.callFunction('remote', ['sleep', 20_000], { timeoutMs: 30_000 });
    await sleep(200);
    const t0 = performance.now();
    owner.kill();
    assert.is(await code(mid), 'PEER_GONE');
    const took = performance.now() - t0;
    assert.ok(took < 1500, `PEER_GONE after ${took.toFixed(0)} ms`);
    assert.is(await code(net.callFunction('remote', ['echo', 1])), 'NOT_FOUND');
    // A new owner takes the name at once (the dead one's lease is taken over, not waited out).
    const again = natsPeer(third(), ['serve', server!.url, nsName, 'remote']);
    try {
      await again.next();
      assert.is(await net.callFunction('remote', ['echo', 2]), 2);
      assert.is(await net.removeFunction('remote'), true);
      assert.equal(await again.next(), { removed: true });
    } finally {
      again.kill();
    }
  } finally {
    owner.kill();
    await net.close();
  }
});

it('a NATS server restarted mid-traffic: calls fail typed, then recover; watches resume', async () => {
  const nsName = namespace();
  const owner = natsPeer(other(), ['serve', server!.url, nsName, 'svc']);
  const net = await connect({ servers: server!.url, namespace: nsName });
  try {
    await owner.next();
    const m = await net.openMemory('after');
    // The caller calls for at least 3 s, which spans the restart below, then until 20 calls in a row succeed.
    const caller = natsPeer(third(), ['call', server!.url, nsName, 'svc', '3000']);
    await caller.next();
    await sleep(300);
    await server!.restart(300);
    const outcomes: Array<{ i: number; ok?: number; code?: string; end?: boolean }> = [];
    for (;;) {
      const o = (await caller.next(40_000)) as { i: number; ok?: number; code?: string; end?: boolean };
      if (o.end) break;
      outcomes.push(o);
    }
    assert.is(await caller.done(), 0);
    assert.ok(outcomes.length >= 20, `calls made: ${outcomes.length}`);
    const codes = new Set(outcomes.filter((o) => o.code).map((o) => o.code));
    for (const c of codes) assert.ok(['DISCONNECTED', 'NOT_FOUND', 'TIMED_OUT', 'PEER_GONE'].includes(c!), `typed failure, got ${c}`);
    assert.ok(outcomes.slice(-20).every((o) => o.ok === o.i), 'the last calls succeed after the restart');
    const w = m.waitForChange(m.version, { timeoutMs: 10_000 });
    const other2 = await connect({ servers: server!.url, namespace: nsName });
    await other2.writeMemory('after', 'restart');
    await w;
    assert.is(m.read(), 'restart');
    await other2.close();
    await net.removeFunction('svc');
  } finally {
    owner.kill();
    await net.close();
  }
});

if (!server) {
  for (const [title] of tests) skipTest(test, title, nats);
} else {
  test.before(async () => {
    await server.start();
  });
  test.after(async () => {
    await server.dispose();
  });
  for (const [title, fn] of tests) test(title, fn);
}
test.run();
