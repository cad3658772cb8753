// `npm test`: the whole suite on Node, Deno and Bun.
//
// Test files (test/**/*.test.ts) and fixtures are bundled once with esbuild into build/test/, so
// every host runs exactly the same JavaScript. Each file runs in its own process per host under a
// watchdog. The last line is the combined count: "N passed, N failed, K skipped".
//
// Tests whose optional system component is missing (test/helpers/optionalComponent.ts) are skipped
// and their reasons listed at the end. MEMBRIDGE_REQUIRE_ALL=1 (set by .ci/run) makes every skip a
// failure, so CI runs everything.
//
//   node scripts/test.mjs [--host node|deno|bun]... [substring of a test file]...
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'test');
// Test segments are named mbt-<run>-…, so a run only ever judges (and removes) its own leftovers.
const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const FILE_TIMEOUT_MS = Number(process.env.MEMBRIDGE_TEST_TIMEOUT_MS ?? 300_000);
// A test file may ask for more with a line `// test-timeout-ms: N` (test/package.test.ts packs and
// builds the whole package); the environment variable still wins when larger.
function fileTimeout(file) {
  try {
    const m = /^\/\/ test-timeout-ms: (\d+)$/m.exec(readFileSync(join(root, 'test', relative(out, file)).replace(/\.mjs$/, '.ts'), 'utf8'));
    return m ? Math.max(Number(m[1]), FILE_TIMEOUT_MS) : FILE_TIMEOUT_MS;
  } catch {
    return FILE_TIMEOUT_MS;
  }
}
const REQUIRE_ALL = process.env.MEMBRIDGE_REQUIRE_ALL === '1';

const hosts = [];
const filters = [];
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--host') hosts.push(process.argv[++i]);
  else filters.push(process.argv[i]);
}
if (hosts.length === 0) hosts.push('node', 'deno', 'bun');

const executables = {
  node: process.execPath,
  deno: join(root, 'node_modules', '.bin', 'deno'),
  bun: join(root, 'node_modules', '.bin', 'bun'),
};

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

// Fresh WebAssembly, addon and dist/ bundles (cheap when up to date), then one bundle per test file
// and fixture.
// The README test runs the built package (dist/), which must match the addon just built: a stale
// dist/ fails with "ABI version" errors after an addon change.
execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'bundles'], { stdio: ['ignore', 'ignore', 'inherit'] });
rmSync(out, { recursive: true, force: true });
const sources = walk(join(root, 'test')).filter((f) => f.endsWith('.test.ts') || (f.includes('/fixtures/') && f.endsWith('.ts')));
const wanted = sources.filter((f) => !f.endsWith('.test.ts') || filters.length === 0 || filters.some((s) => f.includes(s)));
// One bundle per file, so that a file that does not compile fails alone.
const { build } = await import('esbuild');
const bundled = await Promise.allSettled(
  wanted.map((entry) =>
    build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'es2022',
      outfile: join(out, relative(join(root, 'test'), entry)).replace(/\.ts$/, '.mjs'),
      logLevel: 'silent',
      banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
    }).then(() => entry),
  ),
);
const brokenBundles = [];
bundled.forEach((r, i) => {
  if (r.status === 'rejected') brokenBundles.push([relative(root, wanted[i]), r.reason?.message ?? String(r.reason)]);
});
const tests = walk(out)
  .filter((f) => f.endsWith('.test.mjs'))
  .sort();

function command(host, file) {
  return host === 'deno' ? [executables.deno, ['run', '-A', file]] : [executables[host], [file]];
}

function runFile(host, file) {
  return new Promise((resolve) => {
    const [cmd, args] = command(host, file);
    const started = Date.now();
    const child = spawn(cmd, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NO_COLOR: '1',
        FORCE_COLOR: '0',
        MEMBRIDGE_HOST_NODE: executables.node,
        MEMBRIDGE_HOST_DENO: executables.deno,
        MEMBRIDGE_HOST_BUN: executables.bun,
        MEMBRIDGE_TEST_RUN: runId,
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, fileTimeout(file));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const total = Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? NaN);
      const passed = Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? NaN);
      const skipped = Number(/Skipped:\s+(\d+)/.exec(output)?.[1] ?? 0);
      let pass = 0;
      let fail = 0;
      if (Number.isNaN(total) || Number.isNaN(passed)) fail = 1;
      else {
        pass = passed;
        // uvu's Total counts the tests that ran; skipped ones are apart.
        fail = total - passed;
        // A file that crashed or hung after its tests still failed.
        if ((code !== 0 || timedOut) && fail === 0) fail = 1;
      }
      const reasons = [...output.matchAll(/^SKIP: (.*)$/gm)].map((m) => m[1]);
      resolve({ pass, fail, skipped, reasons, output, code, signal, timedOut, ms: Date.now() - started });
    });
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;
const skipReasons = new Map(); // reason -> hosts
// Strict types are part of the suite: esbuild strips them without checking.
if (filters.length === 0) {
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: root, stdio: 'pipe' });
    console.log('ok   tsc  strict type check');
    passed++;
  } catch (err) {
    console.log(`FAIL tsc  strict type check\n${String(err.stdout ?? err.message).replace(/^/gm, '    | ')}`);
    failed++;
  }
}
for (const [file, message] of brokenBundles) {
  console.log(`FAIL bundling ${file}:\n${message.replace(/^/gm, '    | ')}`);
  failed++;
}
const summaries = [];
for (const host of hosts) {
  if (host !== 'node' && !existsSync(executables[host])) {
    console.log(`${host}: not installed (${executables[host]}); counted as one failure`);
    failed++;
    continue;
  }
  let hp = 0;
  let hf = 0;
  let hs = 0;
  for (const file of tests) {
    const r = await runFile(host, file);
    // Under REQUIRE_ALL a skip is a failure: CI must run every test.
    if (REQUIRE_ALL && r.skipped) {
      r.fail += r.skipped;
      r.skipped = 0;
    }
    hp += r.pass;
    hf += r.fail;
    hs += r.skipped;
    for (const reason of r.reasons) skipReasons.set(reason, [...(skipReasons.get(reason) ?? []), host]);
    const name = relative(out, file);
    const status = r.fail ? 'FAIL' : r.skipped ? 'skip' : 'ok  ';
    const skipNote = r.skipped ? ` ${r.skipped} skipped` : '';
    console.log(`${status} ${host.padEnd(4)} ${name.padEnd(36)} ${String(r.pass).padStart(3)} passed ${String(r.fail).padStart(2)} failed${skipNote}  ${(r.ms / 1000).toFixed(1)}s${r.timedOut ? ' (killed by the watchdog)' : ''}`);
    if (r.fail) console.log(r.output.replace(/^/gm, '    | '));
  }
  summaries.push(`${host}: ${hp} passed, ${hf} failed, ${hs} skipped`);
  passed += hp;
  failed += hf;
  skipped += hs;
}

// No test may leave a segment behind.
// Channels, functions and frame buffers live at "mb.<name>" (src/segments/segmentName.ts).
// Every membridge name form: bare (sysframe), mb.<name>, and named memory's data generations mbd.<n>.<name>.
const ours = new RegExp(`^(mb\\.|mbd\\.\\d+\\.)?mbt-${runId}-`);
const leaked = readdirSync('/dev/shm').filter((n) => ours.test(n));
if (leaked.length) {
  console.log(`FAIL segments left in /dev/shm: ${leaked.join(', ')}`);
  failed++;
  for (const n of leaked) rmSync(join('/dev/shm', n), { force: true });
}

if (skipReasons.size) {
  console.log('Skipped (an optional system component is missing; .ci/run installs them all):');
  for (const [reason, on] of skipReasons) console.log(`  - ${reason} [${on.join(', ')}]`);
}
for (const s of summaries) console.log(s);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
