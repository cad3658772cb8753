// A full /dev/shm gives IpcError NO_SPACE with the sizes involved, never SIGBUS, and leaves no
// half-made segment (issue #13, D3). Runs each host in a private mount namespace whose /dev/shm is
// an 8 MiB tmpfs: needs root and unshare(1); skipped with the reason elsewhere.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';
import { HOSTS, hostCommand } from './helpers/hosts.ts';

const here = dirname(fileURLToPath(import.meta.url));

function namespaceProblem(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (a private mount namespace with its own /dev/shm)';
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=8m tmpfs /dev/shm'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `unshare -m with a tmpfs mount is not allowed here: ${r.error?.message ?? r.stderr.trim()}`;
  return undefined;
}

const problem = namespaceProblem();

for (const host of HOSTS) {
  const title = `${host}: segments that do not fit an 8 MiB /dev/shm fail with NO_SPACE and leave nothing behind`;
  if (problem) {
    test(title, () => {
      console.log(`  skipped: ${problem}`);
    });
    continue;
  }
  test(title, () => {
    const [cmd, args] = hostCommand(host, join(here, 'fixtures', 'spacePeer.mjs'), []);
    const script = 'mount -t tmpfs -o size=8m tmpfs /dev/shm && exec "$@"';
    const r = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', cmd, ...args], { encoding: 'utf8', timeout: 60_000 });
    assert.is(r.signal, null, `${host} was killed by ${r.signal}: ${r.stderr}`);
    assert.is(r.status, 0, `${host} failed: ${r.stderr}`);
    const { results, left } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { results: Record<string, string>; left: string[] };
    for (const what of ['variable', 'memory', 'frameBuffer', 'function']) {
      assert.match(results[what]!, /^NO_SPACE: .* of \d+ bytes: \/dev\/shm has \d+ bytes free of \d+/, `${what}: ${results[what]}`);
    }
    assert.is(results.memorySmall, 'ok');
    assert.is(results.memoryRead, 'ok');
    // The filler and the memory that was written; no half-made segment.
    assert.equal(left.filter((n) => !n.startsWith('mbd.')), ['mb.filler', 'mb.mem']);
    assert.is(left.filter((n) => n.startsWith('mbd.')).length, 1, `data generations left: ${left.join(', ')}`);
  });
}

test.run();
