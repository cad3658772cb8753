// `membridge/pybytes` in a browser: an IIFE bundle of test/browser/pybytesPage.ts inlined in an
// HTML page, loaded by headless Chromium (Debian's `chromium`), which prints the resulting DOM.
// Without chromium the test is skipped with the reason (test/helpers/optionalComponent.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { optionalComponent, skipTest } from './helpers/optionalComponent.ts';
import { loadVectors } from './helpers/vectors.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const chromium = optionalComponent('chromium');
const title = 'membridge/pybytes works in headless Chromium with the plain-memory codec';

if (!chromium.available) {
  skipTest(test, title, chromium);
} else {
  test(title, () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-browser-'));
    try {
      const bundle = execFileSync(join(root, 'node_modules', '.bin', 'esbuild'), [
        join(root, 'test', 'browser', 'pybytesPage.ts'), '--bundle', '--format=iife', '--platform=browser', '--target=es2022', '--log-level=warning',
      ], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const vectors = loadVectors().filter((v) => v.kind === 'roundtrip').map((v) => [v.name, v.hex]);
      const page = join(dir, 'page.html');
      writeFileSync(page, `<!doctype html><html><head><meta charset="utf-8"></head><body>PENDING<script>const VECTORS = ${JSON.stringify(vectors)};\n${bundle.replace(/<\/script/gi, '<\\/script')}</script></body></html>`);
      const dom = execFileSync(chromium.path, [
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
