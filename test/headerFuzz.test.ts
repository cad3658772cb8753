// Header-lie fuzz test (issue #13, D1/D2): while peers in Node, Deno and Bun use a segment, this
// process rewrites random bytes of it (header, slot table, ring counters, record headers, the
// frame arena's control block, lock words). Each peer maps sentinel segments around it and checks
// them at the end. Assertions: no sentinel byte changed, every error a peer saw was typed, no
// promise outlived its own timeout, every peer exited on its own (no crash, no hang).
// Bounded: MEMBRIDGE_FUZZ_MS per segment kind (default 2500 ms).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import process from 'node:process';
import { HOSTS, Peer, type Host } from './helpers/hosts.ts';
import { peerReport } from './helpers/peerReport.ts';
import { testName } from './helpers/names.ts';
import { listSegments, SegmentMapping, unlinkSegment } from '../src/segments/SegmentMapping.ts';
import { HostVariable } from '../src/values/HostVariable.ts';
import { removeMemory } from '../src/values/removeMemory.ts';
import { writeMemory } from '../src/values/writeMemory.ts';
import { IpcError } from '../src/errors/IpcError.ts';

const MS = Number(process.env.MEMBRIDGE_FUZZ_MS ?? 2500);

let seed = 0x9e3779b9;
function random(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

// Values a lie likes: sizes and indexes at and past every boundary.
const INTERESTING = [0, 1, 2, 15, 16, 63, 64, 65, 127, 128, 255, 256, 4095, 4096, 65535, 65536, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];

interface Report {
  done: true;
  ops: number;
  errors: Record<string, number>;
  untyped: string[];
  hangs: number;
  sentinelsChanged: string[];
}

// Rewrites random words of the segments whose names `targets()` returns, until `until`.
async function scribble(targets: () => string[], until: number): Promise<{ writes: number }> {
  let writes = 0;
  const originals = new Map<string, Uint8Array>();
  while (performance.now() < until) {
    for (const name of targets()) {
      let m: SegmentMapping;
      try {
        m = SegmentMapping.open(name);
      } catch {
        continue;
      }
      try {
        const bytes = m.bytes();
        if (!originals.has(name)) originals.set(name, bytes.slice());
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        // Now and then put everything back, so the peers get working stretches between lies.
        if (random() < 0.08) {
          const o = originals.get(name)!;
          bytes.set(o.subarray(0, Math.min(o.length, bytes.length)));
          continue;
        }
        const n = 1 + Math.floor(random() * 3);
        for (let i = 0; i < n; i++) {
          // Mostly the header and the first lines of the payload (geometry, counters, slot and
          // ring headers, lock words), sometimes anywhere.
          const span = random() < 0.7 ? Math.min(bytes.length, 64 + 512) : bytes.length;
          const at = Math.floor(random() * (span - 8)) & ~3;
          const r = random();
          if (r < 0.4) dv.setUint32(at, pick(INTERESTING), true);
          else if (r < 0.6) dv.setUint32(at, (random() * 2 ** 32) >>> 0, true);
          else if (r < 0.8) dv.setBigUint64(at & ~7, BigInt(Math.floor(random() * 2 ** 40)) << BigInt(Math.floor(random() * 24)), true);
          else bytes[at + Math.floor(random() * 4)] = Math.floor(random() * 256);
          writes++;
        }
      } finally {
        m.unmap();
      }
    }
    await new Promise((r) => setTimeout(r, 1 + Math.floor(random() * 4)));
  }
  return { writes };
}

async function collect(peers: Peer[], kind: string): Promise<void> {
  for (const p of peers) {
    const report = await peerReport<Report>(p, MS + 20_000);
    const code = await p.done(10_000);
    assert.ok(report, `${kind} peer on ${p.host} gave no report (exit ${code}); stderr: ${p.errors.slice(0, 2000)}`);
    assert.is(code, 0, `${kind} peer on ${p.host} exited with ${code}: ${p.errors.slice(0, 2000)}`);
    assert.equal(report!.sentinelsChanged, [], `${kind} peer on ${p.host}: bytes of other segments changed`);
    assert.equal(report!.untyped, [], `${kind} peer on ${p.host}: untyped errors`);
    assert.is(report!.hangs, 0, `${kind} peer on ${p.host}: a promise outlived its timeout`);
    console.log(`  ${kind} ${p.host}: ${report!.ops} operations, errors ${JSON.stringify(report!.errors)}`);
  }
}

async function ready(p: Peer): Promise<void> {
  const line = await p.next(20_000);
  assert.ok(line.ready, `peer on ${p.host} did not start: ${JSON.stringify(line)} ${p.errors}`);
}

function cleanup(prefix: string): void {
  for (const s of listSegments()) {
    if (s === prefix || s.includes(prefix)) {
      try {
        unlinkSegment(s);
      } catch {
        // gone already
      }
    }
  }
}

test(`a HostVariable under header lies: peers on ${HOSTS.join(', ')} touch no other segment and see typed errors only`, async () => {
  const name = testName('fzhv');
  const v = new HostVariable(name, { maxSize: 64, slots: 4 });
  v.data = new Uint8Array([1]);
  const peers = HOSTS.map((h: Host) => new Peer(h, ['hv', 'use', name, String(MS)], {}, {}, 'fuzzPeer'));
  try {
    for (const p of peers) await ready(p);
    await scribble(() => [`mb.${name}`], performance.now() + MS);
    await collect(peers, 'hv');
  } finally {
    for (const p of peers) p.kill();
    v.close();
    cleanup(name);
  }
});

test(`named memory under header lies (directory, grow lock, data generations)`, async () => {
  const name = testName('fzmem');
  writeMemory(name, new Uint8Array(10));
  const peers = HOSTS.map((h: Host) => new Peer(h, ['mem', 'use', name, String(MS)], {}, {}, 'fuzzPeer'));
  try {
    for (const p of peers) await ready(p);
    await scribble(() => listSegments().filter((s) => s === `mb.${name}` || s.endsWith(`.${name}`) && s.startsWith('mbd.')), performance.now() + MS);
    await collect(peers, 'mem');
  } finally {
    for (const p of peers) p.kill();
    try {
      removeMemory(name);
    } catch (err) {
      if (!(err instanceof IpcError)) throw err;
    }
    cleanup(name);
  }
});

test(`a shared function under header lies: its server settles its promise, callers settle theirs`, async () => {
  const name = testName('fzfn');
  const [serverHost, ...callerHosts] = HOSTS;
  const server = new Peer(serverHost!, ['fn', 'serve', name, String(MS)], {}, {}, 'fuzzPeer');
  const callers = [...callerHosts, serverHost!].map((h: Host) => new Peer(h, ['fn', 'call', name, String(MS)], {}, {}, 'fuzzPeer'));
  try {
    await ready(server);
    assert.ok((await server.next()).serving);
    for (const p of callers) await ready(p);
    await scribble(() => [name], performance.now() + MS);
    await collect([server, ...callers], 'fn');
  } finally {
    server.kill();
    for (const p of callers) p.kill();
    cleanup(name);
  }
});

test(`a frame buffer under header lies (control block, frame headers)`, async () => {
  const name = testName('fzfb');
  const [serverHost] = HOSTS;
  const server = new Peer(serverHost!, ['fb', 'serve', name, String(MS + 500)], {}, {}, 'fuzzPeer');
  try {
    await ready(server);
    const { key } = await server.next<{ key: string }>();
    const clients = HOSTS.map((h: Host) => new Peer(h, ['fb', 'use', name, String(MS), key], {}, {}, 'fuzzPeer'));
    try {
      for (const p of clients) await ready(p);
      const segName = key.split(':')[1]!;
      await scribble(() => [segName], performance.now() + MS);
      await collect([...clients, server], 'fb');
    } finally {
      for (const p of clients) p.kill();
    }
  } finally {
    server.kill();
    cleanup(name);
  }
});

test.run();
