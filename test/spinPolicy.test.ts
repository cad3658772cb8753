import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SpinPolicy } from '../src/platform/spinPolicy.ts';

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

test('successes widen the budget up to 30 us, failures narrow it down to 0.5 us', () => {
  const p = new SpinPolicy(undefined, 4, quiet);
  assert.is(p.spinNs, 4000);
  run(p, 10, true);
  assert.is(p.spinNs, 30_000);
  run(p, 20, false);
  assert.is(p.spinNs, 500);
});

test('a narrowed budget is probed with the full one, and a successful probe restores it', () => {
  const p = new SpinPolicy(undefined, 4, quiet);
  run(p, 20, false);
  assert.is(p.spinNs, 500);
  // The peer now answers after ~5 us: only spins of 20 us succeed.
  let probes = 0;
  for (let i = 0; i < 200 && p.spinNs < 20_000; i++) {
    const budget = p.next();
    if (budget === 30_000) probes++;
    p.record(budget >= 5000);
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
  assert.is(budgets.at(-1), 500);
});

test('learn(): an answer that came soon after a failed spin sets the budget to catch the next one', () => {
  const p = new SpinPolicy(undefined, 4, quiet);
  run(p, 20, false);
  assert.is(p.spinNs, 500);
  // Both sides slept on each other: answers took 12 us, longer than the narrowed budget.
  p.next();
  p.record(false);
  p.learn(12_000);
  assert.is(p.spinNs, 18_000, 'one and a half times the answer time');
  // An answer too slow to be worth a spin (the peer was idle) teaches nothing.
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

test.run();
