// The segment commands of the CLI (ls, inspect, rm, reap, watch, write, call), run in-process
// through main() on every host, against peers in another runtime.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import process from 'node:process';
import { main } from '../src/cli/main.ts';
import { formatBytes } from '../src/cli/valueSegments.ts';
import { HostVariable } from '../src/values/HostVariable.ts';
import { listSegments, SegmentMapping } from '../src/segments/SegmentMapping.ts';
import { runtime } from '../src/platform/runtime.ts';
import { SegmentKind } from '../src/segments/SegmentKind.ts';
import { Segment } from '../src/segments/Segment.ts';
import { SharedMemory } from '../src/values/SharedMemory.ts';
import { sysframeRemove } from '../src/values/sysframeMemory.ts';
import { writeMemory } from '../src/values/writeMemory.ts';
import { currentHost, HOSTS, Peer } from './helpers/hosts.ts';
import { testName } from './helpers/names.ts';
import { takeValueLeftovers } from './helpers/valueSegments.ts';

const other = HOSTS.find((h) => h !== currentHost())!;

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    readStdin: async () => new Uint8Array(),
    readFile: async () => new Uint8Array(),
    stdout: (d) => void (out += typeof d === 'string' ? d : new TextDecoder().decode(d)),
    stderr: (t) => void (err += t),
  });
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

test('ls lists memory, its data, variables and sysframe values, marking the layout, in aligned columns', async () => {
  const p = prefix();
  const v = new HostVariable(p + 'var', { maxSize: 100 });
  try {
    writeMemory(p + 'mem', new Uint8Array(5000));
    writeMemory(p + 'py', 'from python', { layout: 'sysframe' });
    const r = await run('ls', p);
    assert.is(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0]!, /^SEGMENT\s+LAYOUT\s+KIND\s+SIZE\s+OWNER\s+MAPPED BY\s+STATE$/);
    const mem = lines.find((l) => l.startsWith(`mb.${p}mem `))!;
    assert.match(mem, new RegExp(`membridge\\s+memory\\s+128 B\\s+pid ${process.pid} \\(alive\\)\\s+-\\s+ready, generation 2, version 1`));
    assert.ok(lines.some((l) => l.startsWith(`mbd.2.${p}mem `) && l.includes('memory data')));
    assert.ok(lines.some((l) => l.startsWith(`mb.${p}var `) && /variable\s+768 B/.test(l) && l.includes('version 0, 4 slots of 100 B')));
    assert.ok(lines.some((l) => l.startsWith(`${p}py `) && /sysframe\s+sysframe memory/.test(l)), r.out);
    // Columns line up: every row's KIND starts where the header's does.
    const at = lines[0]!.indexOf('KIND');
    for (const l of lines.slice(1)) assert.is(l[at - 1], ' ');
    const json = JSON.parse((await run('ls', '--json', p)).out) as Array<{ segment: string; layout: string; kind: string }>;
    assert.equal(json.map((j) => `${j.segment} ${j.layout} ${j.kind}`).sort(), [`${p}py sysframe sysframe memory`, `mb.${p}mem membridge memory`, `mb.${p}var membridge variable`, `mbd.2.${p}mem membridge memory data`].sort());
    const none = await run('ls', 'no-such-prefix-' + p);
    assert.match(none.out, /No membridge segments whose name starts with "no-such-prefix-/);
    // An impossible name is a usage error that names the rule, not "no segments".
    const bad = await run('ls', 'bad name');
    assert.is(bad.code, 2);
    assert.is(bad.out, '');
    assert.match(bad.err, /names use only A-Z a-z 0-9 \. _ -/);
  } finally {
    v.close();
    HostVariable.remove(p + 'var');
    SharedMemory.remove(p + 'mem');
    sysframeRemove(p + 'py');
  }
});

test('inspect shows values, and functions served in another runtime; rm removes values and says so', async () => {
  const p = prefix();
  writeMemory(p + 'm', { id: 7, name: 'seven' });
  const v = new HostVariable(p + 'v', { maxSize: 64, slots: 3 });
  v.data = new Uint8Array([1, 2, 3]);
  v.close();
  const server = new Peer(other, ['serve', p + 'fn'], {}, {}, 'msgPeer');
  try {
    const { pid } = await server.next<{ pid: number }>(30_000);
    const m = await run('inspect', p + 'm');
    assert.is(m.code, 0);
    assert.match(m.out, new RegExp(`Segment\\s+mb\\.${p}m`));
    assert.match(m.out, /Kind\s+memory \(layout version 1\)/);
    assert.match(m.out, new RegExp(`Creator\\s+pid ${process.pid} \\(alive\\)`));
    assert.match(m.out, /Version\s+1/);
    assert.match(m.out, /Value\s+\{ id: 7, name: 'seven' \}/);
    assert.equal(JSON.parse((await run('inspect', '--json', p + 'm')).out).value, { id: 7, name: 'seven' });
    const hv = await run('inspect', p + 'v');
    assert.match(hv.out, /Slots\s+3 of 64 B/);
    assert.match(hv.out, /Value\s+3 bytes: 01 02 03/);
    const fn = await run('inspect', p + 'fn');
    assert.is(fn.code, 0, fn.err);
    assert.match(fn.out, /Kind\s+function/);
    assert.match(fn.out, new RegExp(`Server\\s+pid ${pid}, running`));
    assert.match(fn.out, new RegExp(`Mapped by\\s+.*${pid}`));
    const missing = await run('inspect', p + 'none');
    assert.is(missing.code, 1);
    assert.match(missing.err, /NOT_FOUND: nothing named/);
    const invalid = await run('inspect', 'bad/name');
    assert.is(invalid.code, 2);
    assert.match(invalid.err, /INVALID_NAME: .*use 1 to 180 characters from A-Z a-z 0-9 \. _ -/);
    const rm = await run('rm', p + 'm', p + 'v');
    assert.is(rm.code, 0);
    assert.match(rm.out, new RegExp(`removed memory "${p}m" \\(mb\\.${p}m and its data\\)\\nremoved variable "${p}v"`));
    const again = await run('rm', p + 'm');
    assert.is(again.code, 1);
    assert.match(again.err, /cannot remove .*NOT_FOUND/);
  } finally {
    server.kill();
    await server.done();
    SharedMemory.remove(p + 'm');
    HostVariable.remove(p + 'v');
    await run('reap', p);
  }
});

test('rm of a live server refuses unless told to stop it; --stop stops it as removeFunction does', async () => {
  const p = prefix();
  const server = new Peer(other, ['serve', p + 'fn'], {}, {}, 'msgPeer');
  try {
    const { pid } = await server.next<{ pid: number }>(30_000);
    const refused = await run('rm', p + 'fn');
    assert.is(refused.code, 1);
    assert.match(refused.err, new RegExp(`SERVER_RUNNING: function "${p}fn" is served by pid ${pid}, which is running: .*--stop`));
    assert.equal(listSegments(`mb.${p}fn`), [`mb.${p}fn`]);
    const stopped = await run('rm', '--stop', p + 'fn');
    assert.is(stopped.code, 0, stopped.err);
    assert.match(stopped.out, /stopped and removed function/);
    assert.equal(await server.next(), { removed: true });
    assert.equal(listSegments(`mb.${p}fn`), []);
  } finally {
    server.kill();
    await server.done();
  }
});

test('reap never removes a readable value because its writer exited; it removes dead servers and half-made segments', async () => {
  const p = prefix();
  const live = new HostVariable(p + 'live', { maxSize: 16 });
  const holders: Peer[] = [];
  const grown = SharedMemory.openOrCreate(p + 'grown');
  try {
    // Values made by processes that exited: data, kept.
    for (const [kind, n] of [['hv', 'deadvar'], ['mem', 'deadmem']] as const) {
      const peer = new Peer(other, ['create', kind, p + n], {}, {}, 'valuesPeer');
      await peer.next(30_000);
      await peer.done(10_000);
    }
    // A function whose server was killed.
    const server = new Peer(other, ['serve', p + 'fn'], {}, {}, 'msgPeer');
    const { pid } = await server.next<{ pid: number }>(30_000);
    server.kill();
    await server.done();
    // A replaced generation (as if its grower died before unlinking it).
    grown.write(new Uint8Array(3000));
    Segment.create(`mbd.1.${p}grown`, { kind: SegmentKind.MEMORY_DATA, version: 1, payloadSize: 4096, generation: 1 }).unmap();
    // A segment whose creator died while initialising it.
    const half = SegmentMapping.create(`mb.${p}half`, 4096);
    runtime().core.segInit(half.ptr, SegmentKind.VARIABLE, 1, 4096n, 0x3ffffff0, 1, 1, 1000, BigInt(Date.now()));
    half.unmap();

    const dry = await run('reap', '--dry-run', p);
    assert.is(dry.code, 0);
    assert.match(dry.out, new RegExp(`would remove mb\\.${p}fn .*its owner \\(pid ${pid}\\) is dead`));
    assert.match(dry.out, new RegExp(`would remove mb\\.${p}half `));
    assert.not.match(dry.out, /deadvar|deadmem/);
    assert.match(dry.out, /nothing was removed/);
    assert.is(listSegments(`mb.${p}fn`).length, 1);

    const r = await run('reap', p);
    assert.is(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`removed mb\\.${p}half .*died while initialising it`));
    assert.match(r.out, new RegExp(`removed mb\\.${p}fn `));
    assert.match(r.out, new RegExp(`removed mbd\\.1\\.${p}grown .*replaced by generation 2`));
    assert.match(r.out, /Reaped 3 segments/);
    const left = (): string[] => [...listSegments(`mb.${p}`), ...listSegments('mbd.').filter((n) => n.includes(p))].sort();
    assert.equal(left(), [`mb.${p}deadmem`, `mb.${p}deadvar`, `mb.${p}grown`, `mb.${p}live`, `mbd.1.${p}deadmem`, `mbd.2.${p}grown`]);
    assert.match((await run('reap', p)).out, /Nothing to reap/);
    // The values go only when asked, and still not while a live process maps one.
    const holder = new Peer(other, ['hold', 'hv', p + 'deadvar'], {}, {}, 'valuesPeer');
    holders.push(holder);
    await holder.next(30_000);
    const values = await run('reap', '--values', '--json', p);
    assert.is(values.code, 0, values.err);
    assert.equal((JSON.parse(values.out) as { segments: Array<{ segment: string }> }).segments.map((s) => s.segment), [`mb.${p}deadmem`]);
    assert.equal(left(), [`mb.${p}deadvar`, `mb.${p}grown`, `mb.${p}live`, `mbd.2.${p}grown`]);
    holder.kill();
    await holder.done(10_000);
    assert.match((await run('reap', '--values', p)).out, new RegExp(`removed mb\\.${p}deadvar `));
  } finally {
    for (const h of holders) h.kill();
    live.close();
    grown.close();
    HostVariable.remove(p + 'live');
    HostVariable.remove(p + 'deadvar');
    SharedMemory.remove(p + 'deadmem');
    SharedMemory.remove(p + 'grown');
  }
});

test('write, then watch prints each new version another runtime writes', async () => {
  const p = prefix();
  try {
    const w = await run('write', p + 'cfg', '{"rate": 50, "big": 9007199254740993}');
    assert.is(w.code, 0, w.err);
    assert.match(w.out, new RegExp(`wrote named memory "${p}cfg", version 1`));
    const h = SharedMemory.open(p + 'cfg');
    assert.equal(h.read()?.value, { rate: 50, big: 9007199254740993n });
    h.close();
    new HostVariable(p + 'hv', { maxSize: 64 }).close();
    assert.match((await run('write', p + 'hv', '[1, 2]')).out, /wrote shared variable .*version 1/);
    // A writer in another runtime writes 3 more versions; watch shows the current one and then
    // the new ones (at least the last: versions written faster than printed may be skipped).
    const watching = run('watch', '--json', '--count', '2', '--timeout', '20000', p + 'cfg');
    const writer = new Peer(other, ['write', 'mem', p + 'cfg', '1', '300', '8', '16'], {}, {}, 'valuesPeer');
    const r = await watching;
    await writer.done(30_000);
    assert.is(r.code, 0, r.err);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { version: number; value: unknown });
    assert.is(lines.length, 2);
    assert.is(lines[0]!.version, 1);
    assert.equal(lines[0]!.value, { rate: 50, big: '9007199254740993' });
    assert.ok(lines[1]!.version > 1);
    const timedOut = await run('watch', '--timeout', '50', p + 'hv');
    assert.is(timedOut.code, 1);
    assert.match(timedOut.err, /TIMED_OUT/);
    assert.is((await run('watch', p + 'nothing')).code, 1);
    assert.is((await run('watch', '--count', 'many', p + 'cfg')).code, 2);
  } finally {
    SharedMemory.remove(p + 'cfg');
    HostVariable.remove(p + 'hv');
  }
});

test('call: a result, a remote error, a timeout, nobody serving', async () => {
  const p = prefix();
  const server = new Peer(other, ['serve', p + 'fn'], {}, {}, 'msgPeer');
  try {
    await server.next(30_000);
    const ok = await run('call', p + 'fn', '"add"', '2', '3');
    assert.is(ok.code, 0, ok.err);
    assert.is(ok.out, '5\n');
    const json = await run('call', '--json', p + 'fn', '"add"', '9007199254740993', '9007199254740993');
    assert.is(JSON.parse(json.out).result, '18014398509481986', json.err);
    const thrown = await run('call', p + 'fn', '"throw"', '"boom"');
    assert.is(thrown.code, 1);
    assert.match(thrown.err, /REMOTE_ERROR: .*RangeError: boom/);
    const slow = await run('call', '--timeout', '100', p + 'fn', '"sleep"', '2000');
    assert.is(slow.code, 1);
    assert.match(slow.err, /TIMED_OUT/);
    const nobody = await run('call', p + 'nobody');
    assert.is(nobody.code, 1);
    assert.match(nobody.err, /NOT_FOUND/);
    assert.is((await run('call', p + 'fn', '{oops')).code, 2);
  } finally {
    server.kill();
    await server.done();
    await run('reap', p);
  }
});

test('segment commands leave no segment behind', () => {
  assert.equal(takeValueLeftovers(), []);
});

test.run();
