// Chaos, bounded (issue #13): SIGKILLs value writers, function servers and function callers in
// Node, Deno and Bun while others keep reading and calling, and checks every value read and every
// answer. MEMBRIDGE_CHAOS_MS sets the length (default 4000 ms, what CI runs);
// `node scripts/chaos.mjs --minutes N` runs it longer and prints the figures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import process from 'node:process';
import { HOSTS, Peer, type Host } from './helpers/hosts.ts';
import { testName } from './helpers/names.ts';
import { HostVariable } from '../src/values/HostVariable.ts';
import { listSegments, unlinkSegment } from '../src/segments/SegmentMapping.ts';

const MS = Number(process.env.MEMBRIDGE_CHAOS_MS ?? 4000);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test(`value writers killed at random: readers on every host see only complete values (${MS} ms)`, async () => {
  const name = testName('chaoshv');
  new HostVariable(name, { maxSize: 4096, slots: 4 }).close();
  const spawnWriter = (host: Host, n: number): Peer => new Peer(host, ['spin', 'hv', name, `w${n}`, '16', '4000'], {}, {}, 'valuesPeer');
  let n = 0;
  const writers = HOSTS.map((h) => spawnWriter(h, n++));
  const readers = HOSTS.map((h) => new Peer(h, ['read', 'hv', name, String(MS)], {}, {}, 'valuesPeer'));
  let kills = 0;
  try {
    const end = performance.now() + MS;
    while (performance.now() < end) {
      await sleep(20 + Math.random() * 80);
      const i = Math.floor(Math.random() * writers.length);
      writers[i]!.kill();
      kills++;
      writers[i] = spawnWriter(pick(HOSTS), n++);
    }
    let reads = 0;
    for (const r of readers) {
      const got = await r.next<{ reads: number; bad: number; backwards: number }>(MS + 30_000);
      assert.is(got.bad, 0, `${r.host} read torn or wrong values`);
      assert.is(got.backwards, 0, `${r.host} saw versions go backwards`);
      reads += got.reads;
    }
    console.log(`  chaos values: ${kills} writer kills, ${reads} verified reads, 0 bad`);
  } finally {
    for (const w of writers) w.kill();
    for (const r of readers) r.kill();
    HostVariable.remove(name);
  }
});

test(`function servers and callers killed at random: no wrong answer, no hang, PEER_GONE typed (${MS} ms)`, async () => {
  const name = testName('chaosfn');
  const spawnServer = (): Peer => new Peer(pick(HOSTS), ['server', name], {}, {}, 'chaosPeer');
  let server = spawnServer();
  await server.next();
  const callers = HOSTS.map((h) => new Peer(h, ['caller', name, String(MS)], {}, {}, 'chaosPeer'));
  const victims: Peer[] = [];
  let serverKills = 0;
  let callerKills = 0;
  const killTimes: number[] = [];
  try {
    const end = performance.now() + MS;
    while (performance.now() < end) {
      await sleep(150 + Math.random() * 250);
      if (Math.random() < 0.6) {
        killTimes.push(Date.now());
        server.kill();
        serverKills++;
        server = spawnServer();
      } else {
        // A caller that dies mid-call must not hurt the server or the others.
        const v = new Peer(pick(HOSTS), ['caller', name, '10000'], {}, {}, 'chaosPeer');
        victims.push(v);
        await sleep(30 + Math.random() * 50);
        v.kill();
        callerKills++;
      }
    }
    let calls = 0;
    const gone: number[] = [];
    for (const c of callers) {
      let got: { done?: boolean; calls: number; wrong: number; untyped: string[]; peerGone: number[]; errors: Record<string, number> } | undefined;
      for (;;) {
        const line = await c.next<NonNullable<typeof got>>(MS + 30_000);
        if (line.done) {
          got = line;
          break;
        }
      }
      assert.is(got.wrong, 0, `${c.host}: wrong answers`);
      assert.equal(got.untyped, [], `${c.host}: untyped errors`);
      assert.is(await c.done(10_000), 0, `${c.host} caller did not finish: ${c.errors}`);
      calls += got.calls;
      gone.push(...got.peerGone);
    }
    // PEER_GONE latency: from each kill to the first PEER_GONE a caller saw after it.
    const lat: number[] = [];
    for (const k of killTimes) {
      const first = gone.filter((g) => g >= k).sort((a, b) => a - b)[0];
      if (first !== undefined && first - k < 5000) lat.push(first - k);
    }
    lat.sort((a, b) => a - b);
    const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
    console.log(`  chaos functions: ${serverKills} server kills, ${callerKills} caller kills, ${calls} verified calls, 0 wrong; PEER_GONE after kill p50 ${q(0.5)} p99 ${q(0.99)} max ${lat[lat.length - 1]} ms (${lat.length} samples)`);
  } finally {
    server.kill();
    for (const c of callers) c.kill();
    for (const v of victims) v.kill();
    for (const s of listSegments()) if (s.includes(name)) unlinkSegment(s);
  }
});

test.run();
