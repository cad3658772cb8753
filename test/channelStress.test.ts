// Issue #11: a large message could stall a channel until its timeout. The cause was a waiter
// thread's late write into a window already reused for another segment (src/platform/futex.ts,
// settledWithin); this test is the load that showed it. Clients in every runtime exchange
// messages from 1 byte to 64 x the ring size both ways, with notifications interleaved, connecting
// and hanging up in rounds, while a pair in this process reopens channels in the same windows and
// other processes keep the cores busy. Every request must be answered and every byte right.
//
// MEMBRIDGE_STRESS_MS sets how long the traffic lasts (default 6 s); MEMBRIDGE_STRESS_CLIENTS the
// clients per runtime (default 1). scripts/chaos-channel.mjs runs it for longer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import process from 'node:process';
import { Channel } from '../src/messaging/Channel.ts';
import { emptyCounts, localPairs, serveStress, STRESS_RING, type StressCounts } from './helpers/channelStress.ts';
import { hostCommand, HOSTS, Peer } from './helpers/hosts.ts';
import { testName } from './helpers/names.ts';

const DURATION_MS = Number(process.env.MEMBRIDGE_STRESS_MS ?? 6000);
const PER_HOST = Number(process.env.MEMBRIDGE_STRESS_CLIENTS ?? 1);
const BURNERS = Number(process.env.MEMBRIDGE_STRESS_BURNERS ?? 2);

/** A process that keeps one core busy for `ms`, then ends by itself. */
function burner(ms: number): Promise<unknown> {
  const [cmd, args] = hostCommand('node', '-e', [`const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x++;`]);
  const child = spawn(cmd, args, { stdio: 'ignore' });
  return new Promise((r) => child.on('exit', r));
}

test(`Channel stress: ${PER_HOST} client(s) per runtime, local reopening pairs, busy cores, ${DURATION_MS} ms`, async () => {
  const seed = Number(process.env.MEMBRIDGE_STRESS_SEED ?? Date.now() % 1_000_000);
  const name = testName('stress');
  const server = new Channel(name, 'server', { ringSize: STRESS_RING, maxClients: 16 }).open();
  const serverCounts = emptyCounts();
  const localCounts = emptyCounts();
  const peers: Peer[] = [];
  const burners: Promise<unknown>[] = [];
  try {
    serveStress(server, serverCounts, seed);
    for (let i = 0; i < BURNERS; i++) burners.push(burner(DURATION_MS + 2000));
    let k = 0;
    for (const host of HOSTS) for (let i = 0; i < PER_HOST; i++) peers.push(new Peer(host, [name, String(seed + ++k), String(DURATION_MS)], {}, {}, 'stressPeer'));
    // Two loops of local pairs, so that windows change hands while the other loop's waits are out.
    const until = performance.now() + DURATION_MS;
    await Promise.all([localPairs(testName('stress-local'), localCounts, seed, until), localPairs(testName('stress-local'), localCounts, seed + 7, until)]);
    // A client that lost a wake-up times out after STRESS_TIMEOUT_MS; allow for that and start-up.
    const results = await Promise.all(peers.map((p) => p.next<StressCounts>(DURATION_MS + 90_000).catch((e: Error) => ({ ...emptyCounts(), errors: [e.message] }))));
    const report = results.map((r, i) => `${peers[i]!.host}: ${r.rounds} rounds, ${r.requests} requests, ${r.notifications} notifications, ${(r.bytes / 1e6).toFixed(1)} MB`);
    report.push(`local pairs: ${localCounts.rounds} rounds, ${localCounts.requests} requests`);
    console.log(`  seed ${seed}: ${report.join('; ')}`);
    const errors = [...results.flatMap((r, i) => r.errors.map((e) => `${peers[i]!.host}: ${e}`)), ...localCounts.errors, ...serverCounts.errors];
    assert.equal(errors.slice(0, 10), [], `seed ${seed}: every request answered and every byte right`);
    // Chunked messages included: at least ~one ring's worth per request on average.
    for (const [i, r] of results.entries()) assert.ok(r.rounds > 0 && r.requests > 0 && r.bytes > r.requests * STRESS_RING, `the ${peers[i]!.host} client got work done`);
    assert.ok(localCounts.rounds > 0, 'the local pairs got work done');
    for (const p of peers) assert.is(await p.done(10_000), 0, `client on ${p.host} exited cleanly: ${p.errors}`);
  } finally {
    for (const p of peers) p.kill();
    server.close();
    await Promise.all(burners);
  }
});

test.run();
