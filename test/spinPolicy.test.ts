import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SpinPolicy } from '../src/platform/spinPolicy.ts';
import { SpinContention } from '../src/platform/SpinContention.ts';

const quiet = (): boolean => false;

/** Runs `n` spins that all fail (or all succeed) and returns the budgets next() handed out. */
function run(p: SpinPolicy, n: number, ok: boolean): number[] {
  const seen: number[] = [];
  for (let i = 0; i < n; i++) {
    seen.push(p.next());
    p.record(ok);
  }
  return seen;
}

test('a fixed budget never moves and never probes', () => {
  const p = new SpinPolicy('1500', 8, quiet);
  assert.equal(new Set(run(p, 100, false)), new Set([1500]));
  assert.equal(new Set(run(p, 100, true)), new Set([1500]));
  assert.equal(new Set(run(new SpinPolicy('0', 8, quiet), 10, true)), new Set([0]));
});

test('one CPU: no spinning at all', () => {
  assert.equal(new Set(run(new SpinPolicy(undefined, 1, quiet), 100, true)), new Set([0]));
});

test('successes widen the budget up to the cap (30 us before any sleep), failures narrow it down to 10 us', () => {
  const p = new SpinPolicy(undefined, 4, quiet);
  assert.is(p.spinNs, 10_000);
  run(p, 10, true);
  assert.is(p.spinNs, 30_000);
  run(p, 20, false);
  assert.is(p.spinNs, 10_000);
});

test('the cap follows what sleeping costs: 1.25x the answer time of waits that slept, 30 to 300 us', () => {
  const p = new SpinPolicy(undefined, 4, quiet);
  run(p, 20, false);
  // Answers that came after a sleep took 150 us (the peer's wake-up on a quiet VM).
  for (let i = 0; i < 30; i++) p.observe(150_000);
  const budgets = run(p, 64, true);
  assert.ok(Math.abs(Math.max(...budgets) - 187_500) < 100, `cap ${Math.max(...budgets)}`);
  assert.ok(Math.abs(p.spinNs - 187_500) < 100, 'successes widen up to it');
  for (let i = 0; i < 30; i++) p.observe(2_000_000);
  assert.equal(run(p, 4, true), [187_500, 300_000, 300_000, 300_000], 'never past 300 us, however slow sleeping is');
});

test('a narrowed budget is probed with the full one, and a successful probe restores it', () => {
  const p = new SpinPolicy(undefined, 4, quiet);
  run(p, 20, false);
  assert.is(p.spinNs, 10_000);
  // The peer now answers after ~20 us: only spins longer than the narrowed budget succeed.
  let probes = 0;
  for (let i = 0; i < 200 && p.spinNs < 20_000; i++) {
    const budget = p.next();
    if (budget === 30_000) probes++;
    p.record(budget >= 20_000);
  }
  assert.is(probes, 1, 'one probe was enough');
  assert.is(p.spinNs, 30_000);
});

test('failed probes become rarer, so spinning that never pays costs little', () => {
  const p = new SpinPolicy(undefined, 4, quiet);
  const budgets = run(p, 20_000, false);
  const probes = budgets.filter((b) => b === 30_000).length;
  // Intervals 16, 32, 64, then every 64th: one probe in 64 spins, not one in 16.
  assert.ok(probes > 290 && probes < 320, `${probes} probes in 20000 failed spins`);
  assert.is(budgets.at(-1), 10_000);
});

test('learn(): an answer that came soon after a failed spin sets the budget to catch the next one', () => {
  const p = new SpinPolicy(undefined, 4, quiet);
  run(p, 20, false);
  assert.is(p.spinNs, 10_000);
  // Both sides slept on each other: answers took 12 us, longer than the narrowed budget.
  p.next();
  p.record(false);
  p.learn(12_000);
  assert.is(p.spinNs, 18_000, 'one and a half times the answer time');
  // An answer slower than what sleeping usually costs (the peer was idle) teaches nothing.
  p.learn(200_000);
  assert.is(p.spinNs, 18_000);
  const fixed = new SpinPolicy('1000', 4, quiet);
  fixed.learn(12_000);
  assert.is(fixed.spinNs, 1000, 'a fixed budget stays fixed');
  const single = new SpinPolicy(undefined, 1, quiet);
  single.learn(12_000);
  assert.is(single.spinNs, 0, 'one CPU: still no spinning');
});

test('no spinning while the machine is oversubscribed, the learned budget back once it is not', () => {
  let busy = false;
  const p = new SpinPolicy(undefined, 4, () => busy);
  run(p, 10, true);
  assert.is(p.spinNs, 30_000);
  busy = true;
  assert.equal(new Set(run(p, 200, false)), new Set([0]), 'a peer that cannot run only loses time to our spin');
  busy = false;
  assert.is(p.next(), 30_000);
});

test('the hot sleep lengthens to twice a typical answer under 250 us, and backs off when it misses', () => {
  const p = new SpinPolicy(undefined, 4, quiet);
  assert.is(p.hotSleepNs(50_000), 50_000, 'nothing learnt yet');
  for (let i = 0; i < 20; i++) p.observe(80_000);
  assert.ok(Math.abs(p.hotSleepNs(50_000) - 160_000) < 1, 'twice the answer time');
  p.hotSleepMissed(160_000, 50_000);
  for (let i = 0; i < 64; i++) assert.is(p.hotSleepNs(50_000), 50_000, 'a missed long sleep is not repeated soon');
  assert.ok(p.hotSleepNs(50_000) > 50_000);
  for (let i = 0; i < 40; i++) p.observe(1_000_000);
  assert.is(p.hotSleepNs(50_000), 50_000, 'answers too slow to wait for on the thread');
});

test('descheduled spins: a few change nothing, half of the recent ones pause spinning, and pauses grow while it lasts', () => {
  let now = 0;
  const contention = new SpinContention(() => now);
  const p = new SpinPolicy(undefined, 4, quiet, contention);
  run(p, 10, true);
  // One spin in six descheduled (a timer, our own compiler thread): spinning goes on.
  for (let i = 0; i < 120; i++) {
    assert.ok(p.next() > 0, `spin ${i} paused`);
    if (i % 6 === 0) p.preempted(now);
    else p.record(true);
    now += 0.05;
  }
  // Every spin descheduled (a CPU-bound process beside us): a pause of 10 ms.
  let spins = 0;
  while (p.next() > 0) {
    p.preempted(now);
    spins++;
  }
  assert.ok(spins >= 8 && spins <= 16, `${spins} descheduled spins before the pause`);
  assert.is(contention.pauseLengthMs, 10);
  now += 9;
  assert.is(p.next(), 0, 'still paused');
  p.record(false);
  now += 2;
  assert.ok(p.next() > 0, 'spinning again after 10 ms');
  // Contention is back at once: one more descheduled spin pauses for twice as long.
  p.preempted(now);
  assert.is(p.next(), 0);
  assert.is(contention.pauseLengthMs, 20);
  // After a quiet second, a new pause starts at 10 ms again.
  now += 2000;
  for (let i = 0; i < 200; i++) {
    p.next();
    p.record(true);
  }
  while (p.next() > 0) p.preempted(now);
  assert.is(contention.pauseLengthMs, 10);
  const fixed = new SpinPolicy('5000', 4, quiet, contention);
  assert.is(fixed.next(), 5000, 'a budget the user fixed is not paused');
});

test.run();
