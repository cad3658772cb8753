// `npm run demo` must finish, and must leave no segment in /dev/shm, also when interrupted (SIGINT,
// as Ctrl-C sends it). No timing asserts: the demo's numbers are printed, never judged here.
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
  return readdirSync('/dev/shm').filter((f) => f.startsWith(prefix) || f.startsWith('mb.' + prefix) || (f.startsWith('mbd.') && f.includes('.' + prefix)));
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
        setTimeout(() => child.kill('SIGINT'), 100);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('exit', (code) => {
      clearTimeout(watchdog);
      resolve({ code, output });
    });
  });
}

test('npm run demo runs every step (values, functions, channels, frame buffers) and leaves no segment', async () => {
  const prefix = `mbt-demo-${process.pid}-${++n}-`;
  const r = await demo(prefix, ['--calls', '200']);
  assert.is(r.code, 0, r.output);
  for (const step of ['Step 1/4', 'Step 2/4', 'Step 3/4', 'Step 4/4']) assert.match(r.output, step);
  assert.match(r.output, /Deno saw \d+ of 300 versions/);
  assert.match(r.output, /Deno → Bun: [\d.]+ µs per call/);
  assert.match(r.output, /Unix socket, Node → Bun, .*: [\d.]+ µs per round trip/);
  assert.match(r.output, /notifications Deno → Node: 200 received/);
  assert.match(r.output, /Bun read 200 frames \(200 MiB\), each checked/);
  assert.not.match(r.output, /failed/);
  assert.equal(leftovers(prefix), []);
});

// --pause-in-step holds a step with its processes running and their segments made, so that the
// interrupt lands there and not after the step.
for (const step of ['1', '2', '3', '4']) {
  test(`npm run demo interrupted with SIGINT in step ${step} leaves no segment`, async () => {
    const prefix = `mbt-demo-${process.pid}-${++n}-`;
    const r = await demo(prefix, ['--calls', '100', '--pause-in-step', step], '(paused');
    assert.match(r.output, `Step ${step}/4`);
    assert.match(r.output, 'Interrupted; nothing left in /dev/shm');
    assert.not.match(r.output, 'Done in');
    assert.equal(leftovers(prefix), []);
  });
}

test.run();
