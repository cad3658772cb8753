import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Outgoing, RecordType, Ring, ringCore } from '../src/messaging/Ring.ts';
import { runtime } from '../src/platform/runtime.ts';

function scratchRing(capacity: number): { ring: Ring; release: () => void } {
  const rt = runtime();
  const bytes = ringCore().ringFootprint(capacity);
  const ptr = rt.regions.allocate(bytes);
  rt.u8.fill(0, ptr, ptr + bytes);
  assert.is(ringCore().ringInit(ptr, capacity), 0);
  return { ring: new Ring(ptr, capacity), release: () => rt.regions.release(ptr) };
}

function drain(ring: Ring): Array<[number, number, number[]]> {
  const got: Array<[number, number, number[]]> = [];
  ring.read((type, id, ptr, length, bytes) => got.push([type, id, [...(bytes ?? runtime().u8.subarray(ptr, ptr + length))]]));
  return got;
}

test('Ring.write() and read() pass records in order with their type, id and bytes', () => {
  const { ring, release } = scratchRing(256);
  try {
    assert.ok(ring.write(new Outgoing(RecordType.REQUEST, 7, new Uint8Array([1, 2, 3]))));
    assert.ok(ring.write(new Outgoing(RecordType.NOTIFY, 2 ** 40, new Uint8Array(0))));
    assert.equal(drain(ring), [
      [RecordType.REQUEST, 7, [1, 2, 3]],
      [RecordType.NOTIFY, 2 ** 40, []],
    ]);
    assert.equal(drain(ring), []);
  } finally {
    release();
  }
});

test('Ring.write() refuses when full and succeeds after the consumer frees space, across the wrap', () => {
  const { ring, release } = scratchRing(256);
  try {
    let id = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      let n = 0;
      while (ring.write(new Outgoing(RecordType.NOTIFY, ++id, new Uint8Array(5 + (id % 40)).fill(id & 0xff)))) n++;
      id--; // the refused one was not written
      assert.ok(n > 0);
      const got = drain(ring);
      assert.is(got.length, n);
      for (const [, gid, bytes] of got) {
        assert.is(gid, ++expected);
        assert.is(bytes.length, 5 + (gid % 40));
        assert.ok(bytes.every((b) => b === (gid & 0xff)));
      }
    }
  } finally {
    release();
  }
});

test('Ring.write() cuts a message larger than the ring into chunks that read() reassembles', () => {
  const { ring, release } = scratchRing(256);
  try {
    const big = new Uint8Array(10_000).map((_, i) => (i * 7) & 0xff);
    const msg = new Outgoing(RecordType.REPLY, 99, big);
    const got: Uint8Array[] = [];
    let guard = 0;
    while (!ring.write(msg)) {
      ring.read((_t, _id, ptr, length, bytes) => got.push(bytes ?? runtime().u8.slice(ptr, ptr + length)));
      assert.ok(++guard < 1000);
    }
    ring.read((_t, _id, ptr, length, bytes) => got.push(bytes ?? runtime().u8.slice(ptr, ptr + length)));
    assert.is(got.length, 1);
    assert.equal(got[0], big);
  } finally {
    release();
  }
});

test('Ring.read() drops a half-sent message when the next one starts', () => {
  const { ring, release } = scratchRing(256);
  try {
    const abandoned = new Outgoing(RecordType.REQUEST, 1, new Uint8Array(1000));
    ring.write(abandoned);
    assert.not.ok(abandoned.done);
    const got: number[] = [];
    ring.read((_t, id) => got.push(id)); // consumes the chunks written so far
    assert.ok(ring.write(new Outgoing(RecordType.REQUEST, 2, new Uint8Array([5]))));
    ring.read((_t, id) => got.push(id));
    assert.equal(got, [2]);
  } finally {
    release();
  }
});

test('each end trusts its copy of the other end only while it shows room or records, then reloads', () => {
  const { ring, release } = scratchRing(256);
  try {
    // A fresh producer and consumer see an empty ring (copies 0) and fill and drain it for many
    // laps: every reload is forced by a copy that ran out.
    let sent = 0;
    let got = 0;
    for (let lap = 0; lap < 50; lap++) {
      while (ring.write(new Outgoing(RecordType.NOTIFY, sent, new Uint8Array([sent & 0xff])))) sent++;
      for (const [type, id, bytes] of drain(ring)) {
        assert.equal([type, id, bytes], [RecordType.NOTIFY, got, [got & 0xff]]);
        got++;
      }
    }
    assert.is(got, sent);
    assert.ok(sent > 50 * 4, `${sent} records went through`);
    // A process taking over an end inherits stale copies (older, hence smaller, values): they
    // only cost a reload. Put both copies back to 0 while the ring holds records.
    assert.ok(ring.write(new Outgoing(RecordType.NOTIFY, 1, new Uint8Array([9]))));
    const dv = new DataView(runtime().u8.buffer);
    dv.setBigUint64(ring.ptr + 24, 0n, true); // headSeen
    dv.setBigUint64(ring.ptr + 72, 0n, true); // tailSeen
    assert.equal(drain(ring), [[RecordType.NOTIFY, 1, [9]]]);
    assert.ok(ring.write(new Outgoing(RecordType.NOTIFY, 2, new Uint8Array([8]))));
    assert.equal(drain(ring), [[RecordType.NOTIFY, 2, [8]]]);
  } finally {
    release();
  }
});

test('Ring.read() reports a corrupt record instead of reading past the data', () => {
  const { ring, release } = scratchRing(256);
  try {
    ring.write(new Outgoing(RecordType.REQUEST, 1, new Uint8Array(8)));
    // length field of the first record: claim more bytes than were published
    new DataView(runtime().u8.buffer).setUint32(ring.ptr + ringCore().ringHeaderSize(), 100_000, true);
    assert.throws(() => drain(ring), (e: Error) => (e as { code?: string }).code === 'CORRUPT');
  } finally {
    release();
  }
});

test.run();
