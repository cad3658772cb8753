// A process that rewrites the shared words of a segment must never make the processes that map it
// touch bytes of another segment (all segments share one WebAssembly memory): every index and size
// read from shared memory is checked against the geometry each process copied at open
// (docs/layout.md, "What a process trusts, and when it checks it").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HostVariable } from '../src/values/HostVariable.ts';
import { IpcError } from '../src/errors/IpcError.ts';
import { SegmentMapping } from '../src/segments/SegmentMapping.ts';
import { entrySegmentName } from '../src/values/valueNames.ts';
import { testName } from './helpers/names.ts';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

function snapshot(m: SegmentMapping): Uint8Array {
  return m.bytes().slice();
}

function typedOrNothing(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof IpcError) return err.code;
    throw err;
  }
}

test('a HostVariable whose slotStride was rewritten to 65536 writes into no other variable (reported case)', () => {
  const names = [testName('lie'), testName('lie'), testName('lie'), testName('lie')];
  const vars = names.map((n) => new HostVariable<Uint8Array>(n, { maxSize: 64 }));
  try {
    vars[0]!.data = bytes(1);
    for (let i = 1; i < 4; i++) vars[i]!.data = bytes(i, i, i);
    const hostile = SegmentMapping.open(entrySegmentName(names[0]!));
    const others = names.slice(1).map((n) => SegmentMapping.open(entrySegmentName(n)));
    try {
      const before = others.map(snapshot);
      new DataView(hostile.bytes().buffer, hostile.bytes().byteOffset).setUint32(96, 65536, true);
      for (let i = 0; i < 20; i++) typedOrNothing(() => { vars[0]!.data = new Uint8Array(32).fill(0xee); });
      typedOrNothing(() => vars[0]!.data);
      others.forEach((m, i) => assert.equal(snapshot(m), before[i]!, `segment of ${names[i + 1]} changed`));
      for (let i = 1; i < 4; i++) assert.equal(vars[i]!.data, bytes(i, i, i));
    } finally {
      hostile.unmap();
      for (const m of others) m.unmap();
    }
  } finally {
    for (const v of vars) v.close();
    for (const n of names) HostVariable.remove(n);
  }
});

test.run();
