// The long mode of the channel stress test (test/channelStress.test.ts, issue #11): runs it on
// each host for longer, with more clients per runtime, several times, and counts the runs that
// failed. Meant for a quiet moment or a CI nightly, not for every change.
//
//   node scripts/chaos-channel.mjs [--minutes M] [--runs N] [--clients C] [--host node|deno|bun]...
//
// Defaults: 2 minutes per run, 3 runs, 2 clients per runtime, all three hosts as the server's host.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const opts = { minutes: 2, runs: 3, clients: 2, hosts: [] };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--minutes') opts.minutes = Number(process.argv[++i]);
  else if (a === '--runs') opts.runs = Number(process.argv[++i]);
  else if (a === '--clients') opts.clients = Number(process.argv[++i]);
  else if (a === '--host') opts.hosts.push(process.argv[++i]);
  else {
    console.error(`unknown option ${a}`);
    process.exit(2);
  }
}
if (opts.hosts.length === 0) opts.hosts.push('node', 'deno', 'bun');
const ms = Math.round(opts.minutes * 60_000);
let failed = 0;
let total = 0;
for (let run = 1; run <= opts.runs; run++) {
  for (const host of opts.hosts) {
    total++;
    const started = Date.now();
    const r = spawnSync(process.execPath, [join(root, 'scripts/test.mjs'), '--host', host, 'channelStress'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        MEMBRIDGE_STRESS_MS: String(ms),
        MEMBRIDGE_STRESS_CLIENTS: String(opts.clients),
        // The test's own bound: traffic, then the slowest client's last timeout and exit.
        MEMBRIDGE_TEST_TIMEOUT_MS: String(ms + 180_000),
      },
    });
    const out = `${r.stdout}${r.stderr}`;
    const ok = r.status === 0;
    if (!ok) failed++;
    const seed = /seed \d+:[^\n]*/.exec(out)?.[0] ?? '';
    console.log(`${ok ? 'ok  ' : 'FAIL'} run ${run} server on ${host} (${((Date.now() - started) / 1000).toFixed(0)} s) ${seed}`);
    if (!ok) console.log(out.replace(/^/gm, '    | '));
  }
}
console.log(`${total - failed} of ${total} runs passed`);
process.exit(failed ? 1 : 0);
