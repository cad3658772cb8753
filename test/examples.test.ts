// Every example pair in examples/ runs headless, its two sides in two different runtimes: this
// file's host and the next one (node → deno → bun → node), so the three hosts' runs cover the
// three pairs. The examples import 'membridge' itself (the package's self-reference to dist/).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentHost, HOSTS, hostCommand, type Host } from './helpers/hosts.ts';
import { testName } from './helpers/names.ts';
import { takeValueLeftovers } from './helpers/valueSegments.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const here = currentHost();
const there = HOSTS[(HOSTS.indexOf(here) + 1) % HOSTS.length]!;

interface Ran {
  code: number | null;
  signal: string | null;
  out: string;
}

/** Starts examples/<script> on `host`; resolves when it exits (killed after 60 s). */
function example(host: Host, script: string, ...args: string[]): { done: Promise<Ran>; output: () => string } {
  const [cmd, argv] = hostCommand(host, join(root, script), args);
  const child = spawn(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<Ran>((resolve) => child.on('exit', (code, signal) => {
    clearTimeout(timer);
    // Deno colours console.log's values even without a terminal: compare plain text.
    resolve({ code, signal, out: out.replace(/\u001b\[[0-9;]*m/g, '') });
  }));
  return { done, output: () => out.replace(/\u001b\[[0-9;]*m/g, '') };
}

/** Waits until the running example has printed `text`. */
async function until(ex: { output: () => string }, text: string): Promise<void> {
  const end = Date.now() + 30_000;
  while (!ex.output().includes(text)) {
    if (Date.now() > end) throw new Error(`never printed "${text}":\n${ex.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test(`values: watcher on ${here}, writer on ${there}`, async () => {
  const name = testName('ex-values');
  const watcher = example(here, 'examples/values/watcher.mjs', name);
  await until(watcher, 'watching');
  const writer = await example(there, 'examples/values/writer.mjs', name).done;
  assert.is(writer.code, 0, writer.out);
  assert.match(writer.out, 'wrote pose 10');
  const w = await watcher.done;
  assert.is(w.code, 0, w.out);
  assert.match(w.out, /version \d+: \{"x":10,"y":20,"at":"20/);
  assert.match(w.out, /version \d+: "done"/);
  assert.match(w.out, 'the shared variable says 10');
});

test(`functions: server on ${there}, client on ${here}`, async () => {
  const p = testName('ex-fn');
  const server = example(there, 'examples/functions/server.mjs', p);
  await until(server, 'serving');
  const client = await example(here, 'examples/functions/client.mjs', p).done;
  assert.is(client.code, 0, client.out);
  assert.match(client.out, 'add(2, 3) = 5');
  assert.match(client.out, 'divide(1, 0) threw in the server: RangeError: division by zero');
  assert.match(client.out, 'slow(2000) timed out after 100 ms');
  assert.match(client.out, 'removeFunction(slow) = 1');
  const s = await server.done;
  assert.is(s.code, 0, s.out);
  assert.ok(s.out.includes('add removed: true'), s.out);
});

test(`channel: server on ${here}, client on ${there}`, async () => {
  const name = testName('ex-chan');
  const server = example(here, 'examples/channel/server.mjs', name);
  await until(server, 'serving channel');
  const client = await example(there, 'examples/channel/client.mjs', name).done;
  assert.is(client.code, 0, client.out);
  assert.match(client.out, /welcome\n/);
  assert.match(client.out, /server says: hello, client \d+/);
  assert.match(client.out, 'SHARED MEMORY');
  const s = await server.done;
  assert.is(s.code, 0, s.out);
  assert.match(s.out, 'client says: thanks');
  assert.match(s.out, 'closed');
});

test(`dispatcher on ${there}, caller on ${here}`, async () => {
  const p = testName('ex-disp');
  const dispatcher = example(there, 'examples/dispatcher/dispatcher.mjs', p);
  await until(dispatcher, 'dispatching');
  const caller = await example(here, 'examples/dispatcher/caller.mjs', p).done;
  assert.is(caller.code, 0, caller.out);
  assert.match(caller.out, 'squares: 1 4 9');
  assert.match(caller.out, 'too large an argument: TOO_LARGE');
  assert.match(caller.out, 'hello, world');
  const d = await dispatcher.done;
  assert.is(d.code, 0, d.out);
  assert.match(d.out, 'stopped');
});

test(`framebuffer: consumer on ${here}, producer on ${there}`, async () => {
  const name = testName('ex-fb');
  const consumer = example(here, 'examples/framebuffer/consumer.mjs', name);
  await until(consumer, 'waiting for frames');
  const producer = await example(there, 'examples/framebuffer/producer.mjs', name).done;
  assert.is(producer.code, 0, producer.out);
  const c = await consumer.done;
  assert.is(c.code, 0, c.out);
  // Each frame it saw was either checked (content, XXH64, a valid view) or refused as overwritten.
  const checked = Number(/(\d+) frames checked/.exec(c.out)?.[1]);
  assert.ok(checked >= 1, c.out);
  assert.ok(/frame 29: (4194304 bytes, checksum ok|overwritten)/.test(c.out), c.out);
});

test(`crash cleanup: crasher on ${there}, the CLI on ${here}`, async () => {
  const p = testName('ex-crash');
  const crash = await example(there, 'examples/crash-cleanup/crasher.mjs', p).done;
  assert.is(crash.signal, 'SIGKILL', crash.out);
  const cli = (...args: string[]): Promise<Ran> => example(here, 'dist/cli.js', ...args).done;
  const ls = await cli('ls', p);
  assert.match(ls.out, new RegExp(`mb\\.${p}\\.ping .*function .*\\(dead\\)`));
  const dry = await cli('reap', '--dry-run', p);
  assert.match(dry.out, new RegExp(`would remove mb\\.${p}\\.events `));
  assert.not.match(dry.out, /settings/);
  const reap = await cli('reap', p);
  assert.is(reap.code, 0, reap.out);
  assert.match(reap.out, 'Reaped 2 segments');
  assert.match((await cli('inspect', `${p}.settings`)).out, /Value\s+\{ gain: 3 \}/);
  const rm = await cli('rm', `${p}.settings`);
  assert.is(rm.code, 0, rm.out);
});

test('examples leave no value behind', () => {
  assert.equal(takeValueLeftovers(), []);
});

test.run();
