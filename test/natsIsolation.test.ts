// The shared-memory path never loads NATS: a bundle of `membridge` (src/index.ts) holds no file
// of the NATS client and none of src/nats/, and the built entries say the same.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function bundleInputs(entry: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'mbt-bundle-'));
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'esbuild'), [entry, '--bundle', '--platform=node', '--format=esm', `--outfile=${join(dir, 'out.js')}`, `--metafile=${join(dir, 'meta.json')}`, '--log-level=error'], { cwd: root, stdio: 'pipe' });
    return Object.keys((JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { inputs: Record<string, unknown> }).inputs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a bundle of src/index.ts contains no NATS package and nothing of src/nats', () => {
  const inputs = bundleInputs('src/index.ts');
  assert.ok(inputs.some((f) => f.includes('src/values/')), 'the bundle was made from the sources');
  const nats = inputs.filter((f) => f.includes('@nats-io') || f.includes('src/nats'));
  assert.equal(nats, [], `NATS code in the shared-memory bundle: ${nats.join(', ')}`);
});

test('a bundle of src/nats.ts does hold the NATS client (the check above can see it)', () => {
  const inputs = bundleInputs('src/nats.ts');
  assert.ok(inputs.some((f) => f.includes('@nats-io/transport-node')));
});

test('the built dist/index.js and dist/index.cjs import no NATS package', () => {
  for (const f of ['dist/index.js', 'dist/index.cjs']) {
    if (!existsSync(join(root, f))) continue;
    assert.not.match(readFileSync(join(root, f), 'utf8'), /@nats-io\//, f);
  }
});

test.run();
