// A peer that truncates a segment's file while others map it must not kill them with SIGBUS
// (issue #13, D4): the addon's truncation guard swaps the faulting window for private zeros,
// which every layer reports as a typed error. Peers on every host keep using the segment
// (test/fixtures/fuzzPeer.ts) while this process shrinks its file, several times.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { truncateSync } from 'node:fs';
import { HOSTS, Peer, type Host } from './helpers/hosts.ts';
import { peerReport } from './helpers/peerReport.ts';
import { testName } from './helpers/names.ts';
import { listSegments, unlinkSegment } from '../src/segments/SegmentMapping.ts';
import { objectSegmentName } from '../src/segments/segmentName.ts';
import { HostVariable } from '../src/values/HostVariable.ts';
import { writeMemory } from '../src/values/writeMemory.ts';

const MS = 1500;

interface Report {
  done: true;
  ops: number;
  errors: Record<string, number>;
  untyped: string[];
  hangs: number;
  sentinelsChanged: string[];
  guardFaults: number;
}

async function shrink(files: () => string[], until: number): Promise<number> {
  let cuts = 0;
  const sizes = [0, 64, 4096, 100];
  while (performance.now() < until) {
    await new Promise((r) => setTimeout(r, 150));
    for (const f of files()) {
      try {
        truncateSync(`/dev/shm/${f}`, sizes[cuts % sizes.length]);
        cuts++;
      } catch {
        // removed meanwhile
      }
    }
  }
  return cuts;
}

/** Checks every peer's report; returns how many truncated windows each peer's guard caught. */
async function collect(peers: Peer[], what: string): Promise<number[]> {
  const faults: number[] = [];
  for (const p of peers) {
    const report = await peerReport<Report>(p, MS + 20_000);
    const code = await p.done(10_000);
    assert.ok(report, `${what} peer on ${p.host} gave no report (exit ${code}, signal?): ${p.errors.slice(0, 1500)}`);
    assert.is(code, 0, `${what} peer on ${p.host} exited with ${code}: ${p.errors.slice(0, 1500)}`);
    assert.equal(report!.untyped, [], `${what} peer on ${p.host}: untyped errors`);
    assert.equal(report!.sentinelsChanged, [], `${what} peer on ${p.host}: other segments changed`);
    assert.is(report!.hangs, 0);
    console.log(`  ${what} ${p.host}: ${report!.ops} operations, ${report!.guardFaults} truncated windows caught, errors ${JSON.stringify(report!.errors)}`);
    faults.push(report!.guardFaults);
  }
  return faults;
}

function cleanup(name: string): void {
  for (const s of listSegments()) if (s.includes(name)) unlinkSegment(s);
}

test('truncating a HostVariable or named memory under its users gives them typed errors, never SIGBUS', async () => {
  for (const kind of ['hv', 'mem'] as const) {
    const name = testName(`tr${kind}`);
    if (kind === 'hv') new HostVariable(name, { maxSize: 64 }).close();
    else writeMemory(name, 1);
    const peers = HOSTS.map((h: Host) => new Peer(h, [kind, 'use', name, String(MS)], {}, {}, 'fuzzPeer'));
    try {
      for (const p of peers) assert.ok((await p.next()).ready);
      const cuts = await shrink(() => listSegments().filter((s) => s.includes(name) && !s.includes('-s')), performance.now() + MS);
      assert.ok(cuts > 0);
      await collect(peers, kind);
    } finally {
      for (const p of peers) p.kill();
      cleanup(name);
    }
  }
});

test('truncating a frame buffer under its clients gives them typed errors, never SIGBUS', async () => {
  const name = testName('trfb');
  const server = new Peer(HOSTS[0]!, ['fb', 'serve', name, String(MS + 500)], {}, {}, 'fuzzPeer');
  try {
    assert.ok((await server.next()).ready);
    const { key } = await server.next<{ key: string }>();
    const clients = HOSTS.map((h: Host) => new Peer(h, ['fb', 'use', name, String(MS), key], {}, {}, 'fuzzPeer'));
    try {
      for (const p of clients) assert.ok((await p.next()).ready);
      // The key names the frame buffer ("mbfb1:<name>:<generation>"); its file is that name's
      // segment (mb.<name>), not /dev/shm/<name>.
      const file = objectSegmentName(key.split(':')[1]!);
      const cuts = await shrink(() => [file], performance.now() + MS);
      assert.ok(cuts > 0, `no truncation of /dev/shm/${file}`);
      // Every client (one per host) touched truncated pages and its guard caught the fault: the
      // typed errors above come through the guard, not only through size checks.
      const faults = await collect([...clients, server], 'fb');
      clients.forEach((p, i) => assert.ok(faults[i]! > 0, `fb client on ${p.host}: no access reached the truncation guard`));
    } finally {
      for (const p of clients) p.kill();
    }
  } finally {
    server.kill();
    cleanup(name);
  }
});

test.run();
