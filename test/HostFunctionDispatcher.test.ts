import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HostFunctionCaller } from '../src/messaging/HostFunctionCaller.ts';
import { HostFunctionDispatcher } from '../src/messaging/HostFunctionDispatcher.ts';
import { IpcError } from '../src/errors/IpcError.ts';
import { RemoteError } from '../src/errors/RemoteError.ts';
import { listSegments } from '../src/segments/SegmentMapping.ts';
import { currentHost, HOSTS, Peer } from './helpers/hosts.ts';
import { testName } from './helpers/names.ts';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    return err instanceof IpcError ? err.code : String(err);
  }
}

test('HostFunctionDispatcher answers every call, including functions that return nothing', async () => {
  const a = testName('disp-a');
  const b = testName('disp-b');
  const d = new HostFunctionDispatcher(2);
  d.add(a, (x: number) => x * x, { maxArgsSize: 64, maxReturnSize: 64 });
  d.add(b, () => undefined);
  assert.throws(() => d.add(testName('third'), () => 1), (e: IpcError) => e.code === 'FULL');
  d.start();
  const ca = new HostFunctionCaller(a);
  const cb = new HostFunctionCaller(b);
  try {
    ca.call([7]);
    ca.call([8]);
    assert.is(await ca.getResponse(), 49);
    assert.is(await ca.getResponse(), 64);
    assert.is(await cb.invoke([]), null);
    assert.is(await codeOf(ca.getResponse()), 'NOT_FOUND');
    assert.is(await codeOf(ca.invoke(['x'.repeat(100)])), 'TOO_LARGE');
    assert.is(await codeOf(ca.invoke([1e300 * 10])), 'OK');
  } finally {
    ca.close();
    cb.close();
    d.stop();
  }
  assert.equal(listSegments('mb.' + a), []);
  assert.equal(listSegments('mb.' + b), []);
});

test('HostFunctionCaller in this process calls a dispatcher on each other host; results over the limit are TOO_LARGE', async () => {
  for (const host of HOSTS.filter((h) => h !== currentHost())) {
    const name = testName(`disp-${host}`);
    const peer = new Peer(host, ['dispatch', name, '1000', '1000'], {}, {}, 'msgPeer');
    let caller: HostFunctionCaller | undefined;
    try {
      assert.ok((await peer.next()).ready);
      caller = new HostFunctionCaller(name);
      assert.is(await caller.invoke(['add', 1, 2]), 3);
      assert.is(caller.callSync(['add', 3, 4]), 7);
      assert.is(await caller.invoke(['nothing']), null);
      assert.is(await codeOf(caller.invoke(['big', 5000])), 'TOO_LARGE');
      assert.is(await codeOf(caller.invoke(['echo', 'y'.repeat(2000)])), 'TOO_LARGE');
      try {
        await caller.invoke(['throw', 'dispatched']);
        assert.unreachable();
      } catch (err) {
        assert.instance(err, RemoteError);
      }
      peer.kill('SIGKILL');
      assert.is(await codeOf(caller.invoke(['sleep', 10])), 'PEER_GONE');
    } finally {
      caller?.close();
      peer.kill();
      await peer.done();
      // the killed dispatcher left its segment; a new dispatcher takes the name over
      const d = new HostFunctionDispatcher(1);
      d.add(name, () => 1);
      d.start();
      d.stop();
    }
    assert.equal(listSegments('mb.' + name), []);
  }
});

test.run();
