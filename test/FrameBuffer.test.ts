import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameBufferClient } from '../src/framebuffer/FrameBufferClient.ts';
import { FrameBufferServer } from '../src/framebuffer/FrameBufferServer.ts';
import { FrameBufferTimeout } from '../src/framebuffer/FrameBufferTimeout.ts';
import { IpcError } from '../src/errors/IpcError.ts';
import { listSegments } from '../src/segments/SegmentMapping.ts';
import { testName } from './helpers/names.ts';

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7) & 255;
  return b;
}

function codeOf(f: () => unknown): string {
  try {
    f();
    return 'OK';
  } catch (err) {
    if (err instanceof FrameBufferTimeout) return `FrameBufferTimeout:${err.code}`;
    if (err instanceof IpcError) return `IpcError:${err.code}`;
    return (err as Error).constructor.name;
  }
}

function withBuffer(size: number, body: (server: FrameBufferServer, client: FrameBufferClient) => void): void {
  const server = new FrameBufferServer(size, { name: testName('fb') }).start();
  const client = new FrameBufferClient(server.getKey());
  try {
    client.start();
    body(server, client);
  } finally {
    client.stop();
    server.stop();
  }
}

test('FrameBufferClient.write() and read() round-trip frames with an XXH64 checksum', () => {
  withBuffer(1 << 20, (server, client) => {
    const text = new TextEncoder().encode('abc');
    const off = server.allocate(3);
    assert.is(client.write(off, text), '44bc2cf5ad770999');
    assert.equal(client.read(off, 3, '44bc2cf5ad770999'), text);
    const big = pattern(100_000, 1);
    const off2 = client.allocate(big.length);
    assert.ok(off2 > off && off2 % 64 === 0, 'offsets grow and are aligned');
    const sum = client.write(off2, big);
    assert.match(sum, /^[0-9a-f]{16}$/);
    assert.equal(client.read(off2, big.length, sum), big);
    assert.equal(client.read(off2, big.length, sum, { verify: true }), big);
    const target = new Uint8Array(big.length + 10);
    assert.equal(client.readInto(off2, big.length, sum, target), big);
    const empty = client.allocate(0);
    assert.is(client.write(empty, new Uint8Array(0)), 'ef46db3751d8e999');
    assert.is(client.read(empty, 0, 'ef46db3751d8e999').length, 0);
    // Any ArrayBufferView is taken as its bytes.
    const f64 = new Float64Array([1.5, -2]);
    const off3 = client.allocate(16);
    const s3 = client.write(off3, f64);
    assert.equal(new Float64Array(client.read(off3, 16, s3).buffer), f64);
  });
});

test('FrameBufferClient.view() aliases the frame and isValid() turns false when the ring laps it', () => {
  withBuffer(64 * 1024, (_server, client) => {
    const data = pattern(1000, 2);
    const off = client.allocate(data.length);
    const sum = client.write(off, data);
    const v = client.view(off, data.length, sum);
    assert.equal(v.bytes, data);
    assert.ok(v.isValid());
    assert.ok(client.isIntact(off));
    for (let i = 0; i < 80; i++) client.write(client.allocate(1000), pattern(1000, i));
    assert.not.ok(v.isValid(), 'lapped');
    assert.not.ok(client.isIntact(off));
  });
});

test('FrameBufferClient.read() of a lapped frame fails fast with FrameBufferTimeout OVERWRITTEN', () => {
  withBuffer(64 * 1024, (_server, client) => {
    const off = client.allocate(10_000);
    const sum = client.write(off, pattern(10_000, 3));
    // Frames take 10 112 bytes with their headers: six fit in the 64 KiB ring, the seventh laps the first.
    for (let i = 0; i < 5; i++) client.write(client.allocate(10_000), pattern(10_000, i));
    assert.is(codeOf(() => client.read(off, 10_000, sum)), 'OK');
    client.write(client.allocate(10_000), pattern(10_000, 9));
    assert.is(codeOf(() => client.read(off, 10_000, sum)), 'FrameBufferTimeout:OVERWRITTEN');
    try {
      client.read(off, 10_000, sum);
    } catch (err) {
      assert.instance(err, IpcError);
      assert.is((err as FrameBufferTimeout).offset, off);
      assert.match((err as Error).message, /lapped/);
    }
    assert.is(codeOf(() => client.write(off, new Uint8Array(1))), 'FrameBufferTimeout:OVERWRITTEN');
  });
});

test('FrameBufferClient.allocate() never lets a frame straddle the end of the ring', () => {
  withBuffer(4096, (server, client) => {
    const sizes = [1000, 1500, 700, 3000, 64, 0, 2000, 4032];
    for (let round = 0; round < 20; round++) {
      for (const size of sizes) {
        const off = client.allocate(size);
        const start = off % 4096;
        assert.ok(start + 64 + size <= 4096, `frame at ${off} (+${size}) fits before the end`);
        const data = pattern(size, round);
        assert.equal(client.read(off, size, client.write(off, data)), data);
      }
    }
    assert.ok(server.stats().skippedBytes > 0);
    assert.is(server.stats().frames, 20 * sizes.length);
  });
});

test('FrameBuffer sizes, offsets, checksums and keys that are wrong give typed errors', () => {
  withBuffer(4096, (server, client) => {
    assert.is(codeOf(() => client.allocate(4033)), 'RangeError');
    assert.is(codeOf(() => client.allocate(-1)), 'RangeError');
    assert.is(codeOf(() => client.allocate(1.5)), 'RangeError');
    assert.is(codeOf(() => client.allocate('8' as unknown as number)), 'TypeError');
    assert.is(codeOf(() => server.allocate(4032)), 'OK');
    const off = client.allocate(10);
    assert.is(codeOf(() => client.write(off + 1, new Uint8Array(1))), 'RangeError');
    assert.is(codeOf(() => client.write(off + 64 * 100, new Uint8Array(1))), 'RangeError');
    assert.is(codeOf(() => client.write(off, new Uint8Array(11))), 'IpcError:TOO_LARGE');
    assert.is(codeOf(() => client.write(off, 'abc' as unknown as Uint8Array)), 'TypeError');
    assert.is(codeOf(() => client.read(off, 10, '0000000000000000')), 'FrameBufferTimeout:TIMED_OUT');
    const sum = client.write(off, pattern(10, 1));
    assert.is(codeOf(() => client.write(off, pattern(10, 1))), 'IpcError:ALREADY_EXISTS');
    assert.is(codeOf(() => client.read(off, 9, sum)), 'RangeError');
    assert.is(codeOf(() => client.read(off, 10, 'xyz')), 'RangeError');
    assert.is(codeOf(() => client.read(off, 10, 42 as unknown as string)), 'TypeError');
    assert.is(codeOf(() => client.read(off, 10, sum.replace(/.$/, (c) => (c === '0' ? '1' : '0')))), 'IpcError:CORRUPT');
    assert.is(codeOf(() => client.readInto(off, 10, sum, new Uint8Array(9))), 'RangeError');
    assert.is(codeOf(() => client.read(-64, 10, sum)), 'RangeError');
    assert.is(codeOf(() => client.read(2 ** 60, 10, sum)), 'RangeError');
  });
  for (const key of ['', 'nope', 'mbfb1::1', 'mbfb1:x:0', 'mbfb1:x:1:2', 'mbfb1:../x:1', 'mbfb1:x:99999999999']) {
    assert.is(codeOf(() => new FrameBufferClient(key)), 'IpcError:INVALID_NAME', key);
  }
  assert.is(codeOf(() => new FrameBufferClient(7 as unknown as string)), 'TypeError');
  assert.is(codeOf(() => new FrameBufferClient(`mbfb1:${testName('none')}:1`).start()), 'IpcError:NOT_FOUND');
  assert.is(codeOf(() => new FrameBufferServer(100)), 'RangeError');
  assert.is(codeOf(() => new FrameBufferServer(4096, { name: 'bad/name' })), 'IpcError:INVALID_NAME');
});

test('FrameBufferClient.read() waits for a frame still being written, up to waitMs', () => {
  withBuffer(4096, (_server, client) => {
    const off = client.allocate(10);
    const t0 = performance.now();
    assert.is(codeOf(() => client.read(off, 10, '0000000000000000', { waitMs: 30 })), 'FrameBufferTimeout:TIMED_OUT');
    assert.ok(performance.now() - t0 >= 25, 'it waited');
  });
});

test('FrameBufferClient.readAsync() waits for a frame being written without blocking the event loop', async () => {
  const server = new FrameBufferServer(1 << 16, { name: testName('fbasync') }).start();
  const client = new FrameBufferClient(server.getKey()).start();
  try {
    const data = pattern(1000, 9);
    const off = client.allocate(data.length);
    // The checksum is known in advance to the reader here by hashing a twin frame.
    const twin = client.allocate(data.length);
    const sum = client.write(twin, data);
    setTimeout(() => client.write(off, data), 30);
    const got = await client.readAsync(off, data.length, sum, { waitMs: 10_000 });
    assert.equal(got, data);
    const late = client.allocate(4);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    await client.readAsync(late, 4, sum, { waitMs: 10_000, signal: ac.signal }).then(
      () => assert.unreachable('resolved'),
      (e: unknown) => assert.is(e instanceof IpcError && e.code, 'ABORTED'),
    );
    await client.readAsync(late, 4, sum, { waitMs: 20 }).then(
      () => assert.unreachable('resolved'),
      (e: unknown) => assert.is(e instanceof FrameBufferTimeout && e.code, 'TIMED_OUT'),
    );
  } finally {
    client.stop();
    server.stop();
  }
});

test('FrameBufferServer.stop() closes the buffer for clients and removes the segment', () => {
  const name = testName('fbstop');
  const server = new FrameBufferServer(4096, { name, generation: 3 }).start();
  const key = server.getKey();
  assert.is(key, `mbfb1:${name}:3`);
  const client = new FrameBufferClient(key).start();
  try {
    const off = client.allocate(5);
    const sum = client.write(off, pattern(5, 5));
    server.stop();
    server.stop();
    assert.not.ok(listSegments('mb.' + name).includes('mb.' + name));
    assert.is(codeOf(() => client.read(off, 5, sum)), 'IpcError:CLOSED');
    assert.is(codeOf(() => client.allocate(5)), 'IpcError:CLOSED');
    assert.is(codeOf(() => server.allocate(5)), 'IpcError:CLOSED');
    assert.is(codeOf(() => server.getKey()), 'IpcError:CLOSED');
    assert.is(codeOf(() => new FrameBufferClient(key).start()), 'IpcError:NOT_FOUND');
  } finally {
    client.stop();
    server.stop();
  }
  assert.is(codeOf(() => client.allocate(1)), 'IpcError:CLOSED');
});

test('FrameBufferClient.start() refuses a key of an ended generation with PEER_GONE', () => {
  const name = testName('fbgen');
  const server = new FrameBufferServer(4096, { name, generation: 2 }).start();
  try {
    assert.is(codeOf(() => new FrameBufferClient(`mbfb1:${name}:1`).start()), 'IpcError:PEER_GONE');
  } finally {
    server.stop();
  }
});

test('FrameBufferServer and FrameBufferClient support `using` disposal', () => {
  const name = testName('fbdisp');
  const server = new FrameBufferServer(4096, { name }).start();
  const client = new FrameBufferClient(server.getKey()).start();
  client[Symbol.dispose]();
  server[Symbol.dispose]();
  assert.not.ok(listSegments('mb.' + name).includes('mb.' + name));
});

test.run();
