// Shared values across processes and hosts: writers and readers in Node, Deno and Bun at once,
// growth while readers read, and writers SIGKILLed at random points. Every value carries its own
// checksum (helpers/checkedValue.ts); no reader may ever see a bad one.
import { test } from 'uvu';
import process from 'node:process';
import * as assert from 'uvu/assert';
import { HostVariable } from '../src/values/HostVariable.ts';
import { SharedMemory } from '../src/values/SharedMemory.ts';
import { checkValue, makeChecked } from './helpers/checkedValue.ts';
import { Peer, type Host } from './helpers/hosts.ts';
import { testName } from './helpers/names.ts';
import { takeValueLeftovers } from './helpers/valueSegments.ts';

interface WriteReport {
  done: boolean;
  writes: number;
  errors: number;
  lastError: string;
}
interface ReadReport {
  reads: number;
  bad: number;
  empty: number;
  backwards: number;
  lastVersion: number;
  distinct: number;
  writers: number[];
}

const peer = (host: Host, args: string[]): Peer => new Peer(host, args, {}, {}, 'valuesPeer');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function assertReader(r: ReadReport, who: string): void {
  assert.is(r.bad, 0, `${who} saw ${r.bad} bad values`);
  assert.is(r.backwards, 0, `${who} saw the version go backwards ${r.backwards} times`);
  assert.ok(r.reads > 0, `${who} read nothing`);
}

function assertWriter(w: WriteReport, who: string): void {
  assert.is(w.errors, 0, `${who}: ${w.errors} failed writes, last: ${w.lastError}`);
  assert.ok(w.writes > 0, `${who} wrote nothing`);
}

test('HostVariable: writers and readers in Node, Deno and Bun at once never see a torn or mixed value', async () => {
  const name = testName('xhv');
  const v = new HostVariable<Uint8Array>(name, { maxSize: 8192 + 64, slots: 4 });
  const peers: Peer[] = [];
  try {
    v.data = makeChecked(0, 0, 64);
    const writers = (['node', 'deno', 'bun'] as const).map((h, i) => peer(h, ['write', 'hv', name, String(i + 1), '1500', '16', '8192']));
    const readers = (['node', 'deno', 'bun'] as const).map((h) => peer(h, ['read', 'hv', name, '2500']));
    peers.push(...writers, ...readers);
    const w = await Promise.all(writers.map((p) => p.next<WriteReport>(60_000)));
    const r = await Promise.all(readers.map((p) => p.next<ReadReport>(60_000)));
    w.forEach((x, i) => assertWriter(x, `writer on ${writers[i]!.host}`));
    r.forEach((x, i) => assertReader(x, `reader on ${readers[i]!.host}`));
    const total = w.reduce((s, x) => s + x.writes, 0);
    assert.is(v.version, total + 1);
    assert.ok(checkValue(v.data!));
  } finally {
    for (const p of peers) p.kill();
    v.close();
    HostVariable.remove(name);
  }
});

test('SharedMemory: values grow through generations while readers in other hosts read', async () => {
  const name = testName('xgrow');
  const m = SharedMemory.openOrCreate(name);
  const peers: Peer[] = [];
  try {
    m.write(makeChecked(0, 0, 16));
    const writers = [peer('node', ['write', 'mem', name, '1', '1500', '16', '2000']), peer('bun', ['write', 'mem', name, '2', '1500', '16', '300000'])];
    const readers = [peer('deno', ['read', 'mem', name, '2500']), peer('node', ['read', 'mem', name, '2500'])];
    peers.push(...writers, ...readers);
    const w = await Promise.all(writers.map((p) => p.next<WriteReport>(60_000)));
    const r = await Promise.all(readers.map((p) => p.next<ReadReport>(60_000)));
    w.forEach((x, i) => assertWriter(x, `writer on ${writers[i]!.host}`));
    r.forEach((x, i) => assertReader(x, `reader on ${readers[i]!.host}`));
    assert.ok(m.generation > 1, 'the memory never grew');
    assert.ok(checkValue(m.read()!.value as Uint8Array));
  } finally {
    for (const p of peers) p.kill();
    m.close();
    SharedMemory.remove(name);
  }
});

async function chaos(kind: 'hv' | 'mem', name: string, rounds: number, maxSize: number): Promise<{ writer: WriteReport; reader: ReadReport }> {
  const stopName = `${name}.stop`;
  const stop = new HostVariable(stopName, { maxSize: 16 });
  const survivors = [peer('bun', ['write', kind, name, '1', '120000', '16', String(maxSize), stopName]), peer('deno', ['read', kind, name, '120000', stopName])];
  try {
    for (let i = 0; i < rounds; i++) {
      const victim = peer((['node', 'bun', 'deno'] as const)[i % 3]!, ['spin', kind, name, String(100 + i), '16', String(maxSize)]);
      try {
        await victim.next(30_000);
        await sleep(1 + Math.floor(Math.random() * 25));
      } finally {
        victim.kill('SIGKILL');
        await victim.done(10_000);
      }
    }
    stop.data = new Uint8Array([1]);
    const [writer, reader] = [await survivors[0]!.next<WriteReport>(60_000), await survivors[1]!.next<ReadReport>(60_000)];
    return { writer, reader };
  } finally {
    for (const p of survivors) p.kill();
    stop.close();
    HostVariable.remove(stopName);
  }
}

test('HostVariable: writers SIGKILLed at random points never block the other writers or readers', async () => {
  const name = testName('chaoshv');
  const v = new HostVariable<Uint8Array>(name, { maxSize: 262144 + 64, slots: 3 });
  try {
    v.data = makeChecked(0, 0, 16);
    const { writer, reader } = await chaos('hv', name, 18, 262144);
    assertWriter(writer, 'surviving writer');
    assertReader(reader, 'surviving reader');
    // Afterwards this process still writes and reads at once, whatever the victims left.
    for (let i = 0; i < 10; i++) {
      v.data = makeChecked(9, i, 200_000);
      assert.equal(checkValue(v.data!), { writer: 9, seq: i });
    }
  } finally {
    v.close();
    HostVariable.remove(name);
  }
});

test('SharedMemory: writers SIGKILLed while growing never block the others', async () => {
  const name = testName('chaosmem');
  const m = SharedMemory.openOrCreate(name, { writeTimeoutMs: 10_000 });
  try {
    m.write(makeChecked(0, 0, 16));
    const { writer, reader } = await chaos('mem', name, 12, 400_000);
    assertWriter(writer, 'surviving writer');
    assertReader(reader, 'surviving reader');
    m.write(makeChecked(9, 1, 2_000_000));
    assert.equal(checkValue(m.read()!.value as Uint8Array), { writer: 9, seq: 1 });
  } finally {
    m.close();
    SharedMemory.remove(name);
  }
});

test('HostVariable: a writer frozen (SIGSTOP) in the middle of its writes blocks neither readers nor other writers', async () => {
  const name = testName('stophv');
  const v = new HostVariable<Uint8Array>(name, { maxSize: 65536 + 64, slots: 3 });
  const victim = peer('node', ['spin', 'hv', name, '7', '30000', '65536']);
  try {
    v.data = makeChecked(0, 0, 16);
    await victim.next(30_000);
    for (let round = 0; round < 5; round++) {
      await sleep(5 + Math.floor(Math.random() * 20));
      // process.kill, not ChildProcess.kill: Deno's ChildProcess ignores kill() after a first signal.
      process.kill(victim.child.pid!, 'SIGSTOP');
      // Whatever the stopped writer holds, reads and writes here go on at once.
      for (let i = 0; i < 50; i++) {
        v.data = makeChecked(1, round * 100 + i, 1000 + i);
        assert.equal(checkValue(v.data!), { writer: 1, seq: round * 100 + i });
      }
      process.kill(victim.child.pid!, 'SIGCONT');
    }
  } finally {
    process.kill(victim.child.pid!, 'SIGKILL');
    await victim.done(10_000);
    v.close();
    HostVariable.remove(name);
  }
});

test('shared-value cross-process tests leave no segment behind', () => {
  assert.equal(takeValueLeftovers(), []);
});

test.run();
