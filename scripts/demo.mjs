// `npm run demo`: membridge in action, as a list of steps that later issues extend.
//
// Each step runs an example from examples/ (bundled with esbuild into build/examples/, like the
// tests) in a fresh Node process that talks to a child in another runtime. Whatever happens to
// them (error, Ctrl-C, a child that dies), no segment of this demo stays in /dev/shm: the examples
// unlink their segment as soon as both sides have mapped it, and this script sweeps its own prefix
// after every step.
//
//   npm run demo -- [--iterations N] [--child-host bun|deno|node]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (flag, fallback) => {
  const i = argv.indexOf(flag);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
if (argv.includes('--help')) {
  console.log('usage: npm run demo -- [--iterations N] [--child-host bun|deno|node] [--prefix mb-demo-…]');
  process.exit(0);
}
const iterations = opt('--iterations', '5000');
// Everything this demo run creates starts with this prefix, so the sweep never touches others'.
const prefix = opt('--prefix', `mb-demo-${process.pid}-`);

function sweep() {
  const left = readdirSync('/dev/shm').filter((n) => n.startsWith(prefix));
  for (const n of left) rmSync(join('/dev/shm', n), { force: true });
  return left;
}

// The child's runtime: Bun or Deno from node_modules/.bin (devDependencies), whichever runs.
function version(exe) {
  const r = spawnSync(exe, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 ? r.stdout.trim().split('\n')[0] : undefined;
}
function pickChild() {
  const wanted = opt('--child-host', undefined);
  for (const host of wanted ? [wanted] : ['bun', 'deno']) {
    const exe = host === 'node' ? process.execPath : join(root, 'node_modules', '.bin', host);
    const v = (host === 'node' || existsSync(exe)) && version(exe);
    if (v) return { host, exe, label: host === 'node' ? `Node ${process.versions.node}` : `${host === 'bun' ? 'Bun' : 'Deno'} ${v.replace(/^deno /, '').replace(/ \(.*$/, '')}` };
  }
  console.log('  (neither bun nor deno runs here; the child runs in Node instead)');
  return { host: 'node', exe: process.execPath, label: `Node ${process.versions.node}` };
}

let current;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    // Pass it on (a terminal's Ctrl-C reaches the step anyway; a kill(1) does not), give the
    // step a moment to clean up, then make sure.
    interrupted = true;
    if (current) {
      current.kill(signal);
      const step = current;
      setTimeout(() => step.kill('SIGKILL'), 3000).unref();
    }
    else process.exit(130);
  });
}

function runExample(name, args) {
  return new Promise((resolve) => {
    current = spawn(process.execPath, [join(root, 'build', 'examples', `${name}.mjs`), ...args], { cwd: root, stdio: 'inherit' });
    current.on('exit', (code, signal) => {
      current = undefined;
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

// Build what the examples import (cheap when up to date), then bundle the examples.
execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'wasm'], { stdio: ['ignore', 'ignore', 'inherit'] });
execFileSync(process.execPath, [join(root, 'scripts/build-addon.mjs')], { stdio: 'inherit' });
const { build } = await import('esbuild');
await build({
  entryPoints: [join(root, 'examples', 'pingpong.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'es2022',
  outdir: join(root, 'build', 'examples'),
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
  banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
});

const child = pickChild();
const common = ['--child-host', child.host, '--child-exe', child.exe, '--child-label', child.label, '--iterations', iterations, '--prefix', prefix];
const steps = [
  {
    title: 'Ping-pong with blocking waits (a short spin, then a futex sleep)',
    why: 'for workers and scripts that can afford to block their thread',
    run: () => runExample('pingpong', [...common, '--wait', 'sync']),
  },
  {
    title: 'Ping-pong with async waits (a native waiter thread; the event loop stays free)',
    why: 'for the main thread of a server',
    run: () => runExample('pingpong', [...common, '--wait', 'async']),
  },
];

console.log(`membridge demo: two runtimes, one shared-memory segment (examples/pingpong.ts)\n`);
let failed = 0;
for (const [i, step] of steps.entries()) {
  if (interrupted) break;
  console.log(`Step ${i + 1}/${steps.length}: ${step.title}\n  ${step.why}`);
  const code = await step.run();
  const left = sweep();
  if (left.length) console.log(`  (removed leftover segment ${left.join(', ')})`);
  if (code !== 0 && !interrupted) {
    failed++;
    console.log(`  step ${i + 1} failed (exit ${code})`);
  }
  console.log('');
}
console.log(interrupted ? 'Interrupted; nothing left in /dev/shm.' : 'Done; nothing left in /dev/shm. For the full comparison with sockets, IPC and C: npm run bench -- pingpong');
process.exit(interrupted ? 130 : failed ? 1 : 0);
