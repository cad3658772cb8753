import { test } from 'uvu';
import * as assert from 'uvu/assert';
import process from 'node:process';
import { runInspectCommand } from '../src/cli/inspectCommand.ts';
import { runLsCommand } from '../src/cli/lsCommand.ts';
import { runReapCommand } from '../src/cli/reapCommand.ts';
import { runRmCommand } from '../src/cli/rmCommand.ts';
import { formatBytes } from '../src/cli/valueSegments.ts';
import { HostVariable } from '../src/values/HostVariable.ts';
import { listSegments, SegmentMapping } from '../src/segments/SegmentMapping.ts';
import { runtime } from '../src/platform/runtime.ts';
import { SegmentKind } from '../src/segments/SegmentKind.ts';
import { Segment } from '../src/segments/Segment.ts';
import { SharedMemory } from '../src/values/SharedMemory.ts';
import { writeMemory } from '../src/values/writeMemory.ts';
import { Peer } from './helpers/hosts.ts';
import { testName } from './helpers/names.ts';
import { takeValueLeftovers } from './helpers/valueSegments.ts';

async function run(cmd: (args: string[], io: { out: (s: string) => void; err: (s: string) => void }) => Promise<number>, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await cmd(args, { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') });
  return { code, out, err };
}

// All names of one test share a prefix, so ls and reap can be limited to them.
const prefix = (): string => testName('cli') + '-';

test('formatBytes() writes sizes for people', () => {
  assert.is(formatBytes(512), '512 B');
  assert.is(formatBytes(4096), '4 KiB');
  assert.is(formatBytes(1536), '1.5 KiB');
  assert.is(formatBytes(64 * 1024 * 1024), '64 MiB');
});

test('ls lists memory, its data and variables with owner and liveness, in aligned columns', async () => {
  const p = prefix();
  const v = new HostVariable(p + 'var', { maxSize: 100 });
  try {
    writeMemory(p + 'mem', new Uint8Array(5000));
    const r = await run(runLsCommand, p);
    assert.is(r.code, 0);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0]!, /^SEGMENT\s+KIND\s+SIZE\s+OWNER\s+MAPPED BY\s+STATE$/);
    const mem = lines.find((l) => l.startsWith(`mb.${p}mem `))!;
    assert.match(mem, new RegExp(`memory\\s+128 B\\s+pid ${process.pid} \\(alive\\)\\s+-\\s+ready, generation 2, version 1`));
    assert.ok(lines.some((l) => l.startsWith(`mbd.2.${p}mem `) && l.includes('memory data')));
    assert.ok(lines.some((l) => l.startsWith(`mb.${p}var `) && /variable\s+768 B/.test(l) && l.includes('version 0, 4 slots of 100 B')));
    // Columns line up: every row's KIND starts where the header's does.
    const at = lines[0]!.indexOf('KIND');
    for (const l of lines.slice(1)) assert.is(l[at - 1], ' ');
    assert.match((await run(runLsCommand, 'no-such-prefix-' + p)).out, /No membridge segments/);
  } finally {
    v.close();
    HostVariable.remove(p + 'var');
    SharedMemory.remove(p + 'mem');
  }
});

test('inspect shows the header and the decoded value; rm removes, and says so', async () => {
  const p = prefix();
  writeMemory(p + 'm', { id: 7, name: 'seven' });
  const v = new HostVariable(p + 'v', { maxSize: 64, slots: 3 });
  v.data = new Uint8Array([1, 2, 3]);
  v.close();
  try {
    const m = await run(runInspectCommand, p + 'm');
    assert.is(m.code, 0);
    assert.match(m.out, new RegExp(`Segment\\s+mb\\.${p}m`));
    assert.match(m.out, /Kind\s+memory \(layout version 1\)/);
    assert.match(m.out, new RegExp(`Creator\\s+pid ${process.pid} \\(alive\\)`));
    assert.match(m.out, /Version\s+1/);
    assert.match(m.out, /Value\s+\{ id: 7, name: 'seven' \}/);
    const hv = await run(runInspectCommand, p + 'v');
    assert.match(hv.out, /Slots\s+3 of 64 B/);
    assert.match(hv.out, /Value\s+3 bytes: 01 02 03/);
    assert.is((await run(runInspectCommand, p + 'none')).code, 1);
    const rm = await run(runRmCommand, p + 'm', p + 'v');
    assert.is(rm.code, 0);
    assert.match(rm.out, new RegExp(`removed named memory "${p}m"\\nremoved shared variable "${p}v"`));
    const again = await run(runRmCommand, p + 'm');
    assert.is(again.code, 1);
    assert.match(again.err, /cannot remove/);
  } finally {
    SharedMemory.remove(p + 'm');
    HostVariable.remove(p + 'v');
  }
});

test('reap removes values of dead creators, replaced generations and abandoned segments, and keeps live ones', async () => {
  const p = prefix();
  const live = new HostVariable(p + 'live', { maxSize: 16 });
  const holders: Peer[] = [];
  const grown = SharedMemory.openOrCreate(p + 'grown');
  try {
    // Values made by processes that exited.
    for (const [kind, n] of [['hv', 'deadvar'], ['mem', 'deadmem']] as const) {
      const peer = new Peer('node', ['create', kind, p + n], {}, {}, 'valuesPeer');
      await peer.next(30_000);
      await peer.done(10_000);
    }
    // A variable whose creator is dead but that a live process still maps.
    const creator = new Peer('node', ['create', 'hv', p + 'usedvar'], {}, {}, 'valuesPeer');
    await creator.next(30_000);
    await creator.done(10_000);
    const holder = new Peer('bun', ['hold', 'hv', p + 'usedvar'], {}, {}, 'valuesPeer');
    holders.push(holder);
    await holder.next(30_000);
    // A replaced generation (as if its grower died before unlinking it).
    grown.write(new Uint8Array(3000));
    Segment.create(`mbd.1.${p}grown`, { kind: SegmentKind.MEMORY_DATA, version: 1, payloadSize: 4096, generation: 1 }).unmap();
    // A segment whose creator died while initialising it.
    const half = SegmentMapping.create(`mb.${p}half`, 4096);
    runtime().core.segInit(half.ptr, SegmentKind.VARIABLE, 1, 4096n, 0x3ffffff0, 1, 1, 1000, BigInt(Date.now()));
    half.unmap();

    const dry = await run(runReapCommand, '--dry-run', p);
    assert.is(dry.code, 0);
    assert.match(dry.out, new RegExp(`would remove mb\\.${p}deadvar .*: its creator \\(pid \\d+\\) is dead`));
    assert.is(listSegments(`mb.${p}deadvar`).length, 1);

    const r = await run(runReapCommand, p);
    assert.is(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`removed mb\\.${p}half .*died while initialising it`));
    assert.match(r.out, new RegExp(`removed mb\\.${p}deadmem `));
    assert.match(r.out, new RegExp(`removed mbd\\.1\\.${p}grown .*replaced by generation 2`));
    assert.match(r.out, /Reaped \d+ segments/);
    const left = [...listSegments(`mb.${p}`), ...listSegments('mbd.').filter((n) => n.includes(p))].sort();
    assert.equal(left, [`mb.${p}grown`, `mb.${p}live`, `mb.${p}usedvar`, `mbd.2.${p}grown`]);
    assert.match((await run(runReapCommand, p)).out, /Nothing to reap/);
    // Once its last user is gone, it goes too.
    holder.kill();
    await holder.done(10_000);
    assert.match((await run(runReapCommand, p)).out, new RegExp(`removed mb\\.${p}usedvar `));
  } finally {
    for (const h of holders) h.kill();
    live.close();
    grown.close();
    HostVariable.remove(p + 'live');
    HostVariable.remove(p + 'usedvar');
    SharedMemory.remove(p + 'grown');
  }
});

test('value commands leave no segment behind', () => {
  assert.equal(takeValueLeftovers(), []);
});

test.run();
