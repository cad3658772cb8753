// `npm run demo` must finish, and must leave no segment in /dev/shm, also when interrupted.
// No timing asserts (style.md 13): the demo's numbers are printed, never judged here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const node = process.env.MEMBRIDGE_HOST_NODE ?? 'node';
let n = 0;

function leftovers(prefix: string): string[] {
  return readdirSync('/dev/shm').filter((f) => f.startsWith(prefix));
}

interface Run {
  code: number | null;
  output: string;
}

/** Runs the demo; `interruptWhen` sends SIGINT once the output contains that text. */
function demo(prefix: string, args: string[], interruptWhen?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(node, [join(root, 'scripts', 'demo.mjs'), '--prefix', prefix, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    let sent = false;
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (interruptWhen && !sent && output.includes(interruptWhen)) {
        sent = true;
        // Let the step get into its round trips before the interrupt arrives.
        setTimeout(() => child.kill('SIGINT'), 300);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      clearTimeout(watchdog);
      resolve({ code, output });
    });
  });
}

test('npm run demo completes both steps and leaves no segment', async () => {
  const prefix = `mb-demo-t${process.pid}-${++n}-`;
  const r = await demo(prefix, ['--iterations', '300']);
  assert.is(r.code, 0, r.output);
  assert.match(r.output, 'Step 2/2');
  assert.match(r.output, /300 round trips, median/);
  assert.equal(leftovers(prefix), []);
});

// Enough round trips that the interrupt lands while the step still runs, few enough that step 1
// (blocking waits, ≈ 1–10 µs each) does not hold up the test of step 2 (async, ≈ 30–50 µs).
for (const [step, iterations] of [['Step 1/2', '5000000'], ['Step 2/2', '200000']] as const) {
  test(`npm run demo interrupted during "${step}" leaves no segment`, async () => {
    const prefix = `mb-demo-t${process.pid}-${++n}-`;
    const r = await demo(prefix, ['--iterations', iterations], step);
    // Deno reports a child's exit status 130 as a signal, so check what the demo says instead.
    assert.match(r.output, 'Interrupted; nothing left in /dev/shm.');
    assert.not.match(r.output, 'Done;');
    assert.equal(leftovers(prefix), []);
  });
}

test.run();
