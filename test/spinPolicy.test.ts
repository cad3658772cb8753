import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SpinPolicy } from '../src/platform/spinPolicy.ts';

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
  const p = new SpinPolicy('1500', 8);
  assert.equal(new Set(run(p, 100, false)), new Set([1500]));
  assert.equal(new Set(run(p, 100, true)), new Set([1500]));
  assert.equal(new Set(run(new SpinPolicy('0', 8), 10, true)), new Set([0]));
});

test('one CPU: no spinning at all', () => {
  assert.equal(new Set(run(new SpinPolicy(undefined, 1), 100, true)), new Set([0]));
});

test('successes widen the budget up to 20 us, failures narrow it down to 0.5 us', () => {
  const p = new SpinPolicy(undefined, 4);
  assert.is(p.spinNs, 4000);
  run(p, 10, true);
  assert.is(p.spinNs, 20_000);
  run(p, 20, false);
  assert.is(p.spinNs, 500);
});

test('a narrowed budget is probed with the full one, and a successful probe restores it', () => {
  const p = new SpinPolicy(undefined, 4);
  run(p, 20, false);
  assert.is(p.spinNs, 500);
  // The peer now answers after ~5 us: only spins of 20 us succeed.
  let probes = 0;
  for (let i = 0; i < 200 && p.spinNs < 20_000; i++) {
    const budget = p.next();
    if (budget === 20_000) probes++;
    p.record(budget >= 5000);
  }
  assert.is(probes, 1, 'one probe was enough');
  assert.is(p.spinNs, 20_000);
});

test('failed probes become rarer, so spinning that never pays costs little', () => {
  const p = new SpinPolicy(undefined, 4);
  const budgets = run(p, 20_000, false);
  const probes = budgets.filter((b) => b === 20_000).length;
  // Intervals 16, 32, 64, then every 64th: one probe in 64 spins, not one in 16.
  assert.ok(probes > 290 && probes < 320, `${probes} probes in 20000 failed spins`);
  assert.is(budgets.at(-1), 500);
});

test.run();
