// `npm run demo`: membridge's main job in under 30 s. Processes in Node, Deno and Bun
//   1. share a value and watch it change,
//   2. call a shared function one of them serves,
//   3. talk over a Channel (requests one way, notifications the other),
//   4. move frames through a FrameBuffer with checked (XXH64) reads,
// each step printing what happened and its latency beside a Unix socket measured in the same run.
// The processes are examples/demo/demoPeer.ts (public API only), bundled with esbuild.
// Whatever happens (an error, Ctrl-C, a child that dies), nothing of this run stays in /dev/shm:
// children remove what they made when told to stop, and this script sweeps its prefix at the end.
//
//   npm run demo -- [--calls N] [--prefix NAME-PREFIX]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({ options: { calls: { type: 'string', default: '2000' }, prefix: { type: 'string', default: `demo-${process.pid}-` }, help: { type: 'boolean' }, 'pause-in-step': { type: 'string' } } });
if (opts.help) {
  console.log('usage: npm run demo -- [--calls N] [--prefix NAME-PREFIX]');
  process.exit(0);
}
const calls = opts.calls;
const prefix = opts.prefix;
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s) => (color ? `\u001b[1m${s}\u001b[0m` : s);
const dim = (s) => (color ? `\u001b[2m${s}\u001b[0m` : s);

const exe = {
  node: process.execPath,
  deno: join(root, 'node_modules', '.bin', 'deno'),
  bun: join(root, 'node_modules', '.bin', 'bun'),
};
const label = { node: 'Node', deno: 'Deno', bun: 'Bun' };
for (const h of ['deno', 'bun']) if (!existsSync(exe[h])) exe[h] = h; // from PATH
const peerScript = join(root, 'build', 'examples', 'demoPeer.mjs');

/** membridge names this run made: "mb.<prefix>…", "mbd.<gen>.<prefix>…". */
function mine() {
  return readdirSync('/dev/shm').filter((n) => n.startsWith(`mb.${prefix}`) || (n.startsWith('mbd.') && n.includes(`.${prefix}`)));
}
function sweep() {
  const left = mine();
  for (const n of left) rmSync(join('/dev/shm', n), { force: true });
  return left;
}

const children = new Set();
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    // Children get the signal too (Ctrl-C reaches the whole group; kill(1) does not): they close
    // and remove what they made. Give them a moment, then make sure.
    for (const c of children) c.kill('SIGTERM');
    setTimeout(() => {
      for (const c of children) c.kill('SIGKILL');
      const left = sweep();
      console.log(`\nInterrupted; nothing left in /dev/shm${left.length ? ` (swept ${left.length} segments of killed processes)` : ''}.`);
      process.exit(130);
    }, 1500);
  });
}

/** Starts a demo process; `.next()` resolves with its next JSON line, `.done` with its exit code. */
function start(host, ...args) {
  const [cmd, argv] = host === 'deno' ? [exe.deno, ['run', '-A', peerScript, ...args]] : [exe[host], [peerScript, ...args]];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  children.add(child);
  const lines = [];
  const waiters = [];
  let buf = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w.resolve(line);
      else lines.push(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const done = new Promise((resolve) => child.on('exit', (code) => {
    children.delete(child);
    for (const w of waiters.splice(0)) w.reject(new Error(`${label[host]} ${args[0]} exited (${code}) ${stderr.trim()}`));
    resolve(code);
  }));
  return {
    done,
    stop: () => child.kill('SIGTERM'),
    next: () => (lines.length ? Promise.resolve(lines.shift()) : new Promise((resolve, reject) => waiters.push({ resolve, reject }))),
  };
}

const sock = join(tmpdir(), `membridge-${prefix}sock`);
/** The baseline: `calls` round trips over a Unix socket from `client` to `server`. */
async function socketBaseline(server, client) {
  const s = start(server, 'sock-serve', sock);
  await s.next();
  const c = start(client, 'sock-call', sock, calls);
  const r = await c.next();
  s.stop();
  await s.done;
  return r.medianUs;
}

const fmt = (x) => `${x} µs`;
let stepNumber = 0;
/** For test/demo.test.ts: --pause-in-step N holds step N with its processes running, until a signal. */
async function checkpoint() {
  if (opts['pause-in-step'] === String(stepNumber)) {
    console.log('  (paused with its processes running, for a test; Ctrl-C ends it)');
    await new Promise(() => setInterval(() => {}, 1 << 30));
  }
}
const steps = [
  {
    title: 'Shared value: Node writes a value 300 times; Deno and Bun watch it change',
    async run() {
      const name = `${prefix}pose`;
      const watchers = ['deno', 'bun'].map((h) => [h, start(h, 'value-watch', name, '300')]);
      for (const [, w] of watchers) await w.next();
      await checkpoint();
      const writer = start('node', 'value-write', name, '300');
      await writer.next();
      for (const [h, w] of watchers) {
        const r = await w.next();
        console.log(`  ${label[h]} saw ${r.seen} of 300 versions (a watcher skips versions it is too late for), each ${fmt(r.medianUs)} after the write (median)`);
      }
      await start('node', 'value-remove', name).done;
    },
  },
  {
    title: `Shared function: Bun serves add(a, b); Node and Deno call it ${calls} times each`,
    async run() {
      const name = `${prefix}add`;
      const server = start('bun', 'fn-serve', name);
      await server.next();
      await checkpoint();
      for (const h of ['node', 'deno']) {
        const r = await start(h, 'fn-call', name, calls).next();
        console.log(`  ${label[h]} → Bun: ${fmt(r.medianUs)} per call (median)`);
      }
      console.log(dim(`  Unix socket, Node → Bun, same arguments as JSON: ${fmt(await socketBaseline('bun', 'node'))} per round trip`));
      server.stop();
      await server.done;
    },
  },
  {
    title: `Channel: Deno serves; a Node client sends ${calls} requests and gets 200 notifications`,
    async run() {
      const name = `${prefix}chan`;
      const server = start('deno', 'chan-serve', name);
      await server.next();
      await checkpoint();
      const r = await start('node', 'chan-client', name, calls).next();
      console.log(`  requests Node → Deno: ${fmt(r.requestMedianUs)} per round trip (median)`);
      console.log(`  notifications Deno → Node: ${r.notifications} received, each ${fmt(r.notificationMedianUs)} after it was sent (median)`);
      console.log(dim(`  Unix socket, Node → Deno: ${fmt(await socketBaseline('deno', 'node'))} per round trip`));
      server.stop();
      await server.done;
    },
  },
  {
    title: 'FrameBuffer: Node produces 200 frames of 1 MiB; Bun reads each with a checked read',
    async run() {
      const name = `${prefix}cam`;
      const producer = start('node', 'fb-produce', name, '200', String(1 << 20));
      await producer.next();
      await checkpoint();
      const r = await start('bun', 'fb-consume', name).next();
      console.log(`  Bun read ${r.frames} frames (${Math.round(r.bytes / 2 ** 20)} MiB), each checked against its XXH64 checksum and content: ${fmt(r.readMedianUs)} per frame (median), ${r.gbPerS} GB/s`);
      producer.stop();
      await producer.done;
    },
  },
];

const started = performance.now();
// Build what the demo process imports (cheap when up to date), then bundle it.
// The WebAssembly modules are rebuilt only when an assembly/ source is newer than them (compiling
// AssemblyScript takes seconds).
const newest = (dir) => Math.max(...readdirSync(dir, { recursive: true }).map((f) => statSync(join(dir, f)).mtimeMs));
const generated = ['src/platform/coreWasm.generated.ts', 'src/platform/coreAbi.generated.ts', 'src/platform/nativeAbi.generated.ts', 'src/pybytes/codecWasm.generated.ts', 'src/pybytes/codecAbi.generated.ts'].map((f) => join(root, f));
if (!generated.every(existsSync) || Math.min(...generated.map((f) => statSync(f).mtimeMs)) < newest(join(root, 'assembly'))) {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'wasm'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
execFileSync(process.execPath, [join(root, 'scripts/build-addon.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
const { build } = await import('esbuild');
await build({
  entryPoints: [join(root, 'examples', 'demo', 'demoPeer.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'es2022',
  outdir: join(root, 'build', 'examples'),
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
  banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
});

console.log(bold('membridge demo: Node, Deno and Bun processes working over shared memory\n'));
let failed = 0;
for (const [i, step] of steps.entries()) {
  if (interrupted) break;
  stepNumber = i + 1;
  console.log(bold(`Step ${i + 1}/${steps.length}: ${step.title}`));
  const t = performance.now();
  try {
    await step.run();
  } catch (err) {
    if (interrupted) break;
    failed++;
    console.log(`  step ${i + 1} failed: ${err.message}`);
    for (const c of children) c.kill('SIGKILL');
  }
  console.log(dim(`  (${((performance.now() - t) / 1000).toFixed(1)} s)\n`));
}
if (!interrupted) {
  const left = sweep();
  rmSync(sock, { force: true });
  console.log(`${failed ? `${failed} step(s) failed. ` : ''}Done in ${((performance.now() - started) / 1000).toFixed(1)} s; nothing left in /dev/shm${left.length ? ` (swept ${left.join(', ')})` : ''}.`);
  console.log('For careful numbers against sockets, child_process IPC and C: npm run bench');
  process.exit(failed ? 1 : 0);
}
