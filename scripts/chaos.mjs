// Long chaos runs (issue #13): test/chaos.test.ts for N minutes per part, printing its figures
// (writer kills and verified reads; server kills, caller kills, verified calls and the PEER_GONE
// latency after a server's death). CI runs the same test for a few seconds.
//
//   node scripts/chaos.mjs --minutes N [--host node|deno|bun]
//
// Builds the test bundles with scripts/test.mjs (a 1-second run), then runs the bundle directly so
// that its output is shown.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let minutes = 2;
let host = 'node';
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--minutes') minutes = Number(process.argv[++i]);
  else if (a === '--host') host = process.argv[++i];
  else {
    console.error(`unknown option ${a}; usage: node scripts/chaos.mjs --minutes N [--host node|deno|bun]`);
    process.exit(2);
  }
}
if (!(minutes > 0)) {
  console.error('--minutes must be a positive number');
  process.exit(2);
}
const build = spawnSync(process.execPath, [join(root, 'scripts/test.mjs'), '--host', host, 'chaos.test'], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, MEMBRIDGE_CHAOS_MS: '1000' },
});
if (build.status !== 0) {
  console.log(`${build.stdout}${build.stderr}`);
  process.exit(1);
}
const ms = Math.round(minutes * 60_000);
const exe = { node: process.execPath, deno: join(root, 'node_modules/.bin/deno'), bun: join(root, 'node_modules/.bin/bun') }[host];
const args = host === 'deno' ? ['run', '-A', join(root, 'build/test/chaos.test.mjs')] : [join(root, 'build/test/chaos.test.mjs')];
const started = Date.now();
const r = spawnSync(exe, args, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, MEMBRIDGE_CHAOS_MS: String(ms), MEMBRIDGE_TEST_RUN: `chaos${process.pid}` },
});
console.log(`chaos: ${r.status === 0 ? 'passed' : 'FAILED'} after ${((Date.now() - started) / 1000).toFixed(0)} s (${minutes} min per part, runner ${host})`);
process.exit(r.status ?? 1);
