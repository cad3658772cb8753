// `membridge/pybytes` in a browser: an IIFE bundle of test/browser/pybytesPage.ts inlined in an
// HTML page, loaded by headless Chromium (Debian's `chromium`), which prints the resulting DOM.
// Without chromium this fails unless MEMBRIDGE_SKIP_BROWSER=1.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { loadVectors } from './helpers/vectors.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const chromium = [process.env.MEMBRIDGE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p !== undefined && existsSync(p));

if (process.env.MEMBRIDGE_SKIP_BROWSER === '1') {
  test.skip('membridge/pybytes works in headless Chromium (skipped: MEMBRIDGE_SKIP_BROWSER=1)', () => {});
} else {
  test('membridge/pybytes works in headless Chromium with the plain-memory codec', () => {
    assert.ok(chromium, 'chromium is not installed (apt-get install -y chromium), or set MEMBRIDGE_SKIP_BROWSER=1 to skip the browser test');
    const dir = mkdtempSync(join(tmpdir(), 'mb-browser-'));
    try {
      const bundle = execFileSync(join(root, 'node_modules', '.bin', 'esbuild'), [
        join(root, 'test', 'browser', 'pybytesPage.ts'), '--bundle', '--format=iife', '--platform=browser', '--target=es2022', '--log-level=warning',
      ], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const vectors = loadVectors().filter((v) => v.kind === 'roundtrip').map((v) => [v.name, v.hex]);
      const page = join(dir, 'page.html');
      writeFileSync(page, `<!doctype html><html><head><meta charset="utf-8"></head><body>PENDING<script>const VECTORS = ${JSON.stringify(vectors)};\n${bundle.replace(/<\/script/gi, '<\\/script')}</script></body></html>`);
      const dom = execFileSync(chromium!, [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`, '--dump-dom', `file://${page}`,
      ], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
      const body = /<body>([\s\S]*?)<script/.exec(dom)?.[1] ?? dom.slice(0, 500);
      assert.match(body, new RegExp(`PYBYTES-BROWSER-OK ${vectors.length}`), body);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
