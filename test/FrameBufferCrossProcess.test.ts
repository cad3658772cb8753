import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameBufferClient } from '../src/framebuffer/FrameBufferClient.ts';
import { FrameBufferServer } from '../src/framebuffer/FrameBufferServer.ts';
import { IpcError } from '../src/errors/IpcError.ts';
import { listSegments, unlinkSegment } from '../src/segments/SegmentMapping.ts';
import { isProcessAlive } from '../src/platform/processIdentity.ts';
import { inspectSegment } from '../src/segments/Segment.ts';
import { SegmentKind } from '../src/segments/SegmentKind.ts';
import { currentHost, HOSTS, Peer } from './helpers/hosts.ts';
import { main } from '../src/cli/main.ts';
import { testName } from './helpers/names.ts';

type Frame = [offset: number, size: number, checksum: string, seed: number];

const peer = (host: (typeof HOSTS)[number], ...args: string[]): Peer => new Peer(host, args, {}, {}, 'frameBufferPeer');
const others = HOSTS.filter((h) => h !== currentHost());

test('FrameBuffer frames written on one host are read on every other host', async () => {
  const server = new FrameBufferServer(8 << 20, { name: testName('fbx') }).start();
  try {
    for (const writerHost of HOSTS) {
      const w = peer(writerHost, 'write', server.getKey(), '40', String(HOSTS.indexOf(writerHost) + 1), '70000');
      const { frames } = await w.next<{ frames: Frame[] }>();
      assert.is(await w.done(), 0);
      assert.ok(frames.every(([, , sum]) => sum !== ''), 'an 8 MiB ring holds 40 frames without lapping');
      for (const readerHost of HOSTS.filter((h) => h !== writerHost)) {
        const r = peer(readerHost, 'read', server.getKey(), JSON.stringify(frames));
        const { results } = await r.next<{ results: string[] }>();
        assert.is(await r.done(), 0);
        assert.equal(results, frames.map(() => 'ok'), `${writerHost} → ${readerHost}`);
      }
    }
  } finally {
    server.stop();
  }
});

test('FrameBuffer allocators in several processes never overlap, and lapped frames are detected across processes', async () => {
  // 3 writers × 300 frames of up to 20 000 bytes ≈ 9 MB through a 1 MiB ring: it laps many times.
  const ring = 1 << 20;
  const server = new FrameBufferServer(ring, { name: testName('fbc') }).start();
  try {
    const writers = HOSTS.map((h, i) => peer(h, 'write', server.getKey(), '300', String(10 + i), '20000'));
    const lists = await Promise.all(writers.map((w) => w.next<{ frames: Frame[] }>()));
    for (const [i, w] of writers.entries()) assert.is(await w.done(), 0, `writer on ${w.host}: ${JSON.stringify(lists[i]).slice(0, 2000)} ${w.errors}`);
    const all = lists.flatMap((l) => l.frames).sort((a, b) => a[0] - b[0]);
    assert.is(all.length, 900);
    for (let i = 0; i < all.length; i++) {
      const [off, size] = all[i]!;
      const end = off + 64 + size;
      assert.ok(off % ring + 64 + size <= ring, `frame ${off} does not straddle the end`);
      if (i + 1 < all.length) assert.ok(end <= all[i + 1]![0], `frame ${off}..${end} overlaps frame ${all[i + 1]![0]}`);
    }
    const cursor = server.stats().position;
    // (A writer descheduled long enough for the others to lap its frame reports no checksum.)
    const written = all.filter(([, , sum]) => sum !== '');
    const live = written.filter(([off]) => cursor <= off + ring);
    const lapped = written.filter(([off]) => cursor > off + ring);
    assert.ok(lapped.length > 0 && live.length > 0);
    const r = peer(others[0]!, 'read', server.getKey(), JSON.stringify([...live, ...lapped.slice(-50)]));
    const { results } = await r.next<{ results: string[] }>();
    assert.is(await r.done(), 0);
    assert.equal(results.slice(0, live.length), live.map(() => 'ok'));
    assert.equal(results.slice(live.length), lapped.slice(-50).map(() => 'FrameBufferTimeout:OVERWRITTEN'));
  } finally {
    server.stop();
  }
});

test('FrameBuffer clients detect a SIGKILLed server, whose segment names its dead creator and is reaped', async () => {
  for (const host of HOSTS) {
    const name = testName('fbkill');
    const s = peer(host, 'serve', name, '65536');
    try {
      const { key, pid } = await s.next<{ key: string; pid: number }>();
      const client = new FrameBufferClient(key).start();
      try {
        const off = client.allocate(1);
        const reader = peer(others[0]!, 'waitread', key, String(off), '20000');
        await reader.next(); // ready: it is waiting for the frame
        s.kill('SIGKILL');
        await s.done();
        const { code } = await reader.next<{ code: string }>();
        assert.is(code, 'IpcError:PEER_GONE', `reader on ${others[0]} of a server on ${host}`);
        await reader.done();
        try {
          client.checkServer();
          assert.unreachable('the server is dead');
        } catch (err) {
          assert.instance(err, IpcError);
          assert.is((err as IpcError).code, 'PEER_GONE');
        }
        const info = inspectSegment('mb.' + name);
        assert.ok(info, 'the segment is still there');
        assert.is(info!.kind, SegmentKind.FRAMEBUFFER);
        assert.is(info!.creatorPid, pid);
        assert.not.ok(isProcessAlive(info!.creatorPid, info!.creatorStamp), 'its creator is dead');
        // `membridge reap` finds it by its header and removes it
        const said: string[] = [];
        assert.is(await main(['reap', name], { readStdin: async () => new Uint8Array(), readFile: async () => new Uint8Array(), stdout: (t) => void said.push(String(t)), stderr: (t) => void said.push(t) }), 0);
        assert.match(said.join('\n'), new RegExp(`removed mb\\.${name} .*its owner \\(pid ${pid}\\) is dead`));
        assert.not.ok(listSegments('mb.' + name).includes('mb.' + name));
      } finally {
        client.stop();
      }
    } finally {
      s.kill('SIGKILL');
      try {
        unlinkSegment('mb.' + name);
      } catch {
        // removed above
      }
    }
  }
});

test.run();
