// The dependency rule of src/ (docs/architecture.md): each folder may import only from the layers
// below it, never upward and never sideways between concept folders.
//
//   errors  ←  pybytes  ←  platform  ←  segments  ←  { values, messaging, framebuffer }  ←  barrels
//
// pybytes (the codec) depends on nothing shared-memory; nats (the NATS bridge) sits beside the
// barrels: it may import only the public barrels, pybytes and errors, and nothing on the
// shared-memory path may import it. Barrels are src/index.ts, src/pybytes.ts, src/cli.ts, src/cli/
// and any other top-level src/<name>.ts entry point.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = join(root, 'src');

type Layer = 'errors' | 'pybytes' | 'platform' | 'segments' | 'values' | 'messaging' | 'framebuffer' | 'nats' | 'barrel';

/** What each layer may import (besides itself). */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  errors: [],
  pybytes: ['errors'],
  platform: ['errors', 'pybytes'],
  segments: ['errors', 'pybytes', 'platform'],
  values: ['errors', 'pybytes', 'platform', 'segments'],
  messaging: ['errors', 'pybytes', 'platform', 'segments'],
  framebuffer: ['errors', 'pybytes', 'platform', 'segments'],
  // Only through the public barrels (checked by file below), pybytes and errors.
  nats: ['errors', 'pybytes', 'barrel'],
  barrel: ['errors', 'pybytes', 'platform', 'segments', 'values', 'messaging', 'framebuffer', 'nats', 'barrel'],
};

/** The public barrels nats may use: what a user of the package could import too. */
const PUBLIC_BARRELS = new Set(['index.ts', 'pybytes.ts']);
/** Barrels that must stay free of nats (the shared-memory and codec entry points). */
const NATS_FREE_BARRELS = new Set(['index.ts', 'pybytes.ts']);

function layerOf(file: string): Layer {
  const rel = relative(src, file).split(sep);
  if (rel.length === 1) return 'barrel';
  const folder = rel[0]!;
  if (folder === 'cli') return 'barrel';
  if (folder in ALLOWED) return folder as Layer;
  throw new Error(`src/${rel.join('/')} is in a folder the dependency rule does not know (${folder}/): add it to test/dependencyRule.test.ts and docs/architecture.md`);
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative module specifiers of a file: static imports and re-exports, type-only ones, and import(). */
export function importsOf(text: string): string[] {
  const specs: string[] = [];
  const patterns = [/(?:^|\n)\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/g, /(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of text.matchAll(re)) specs.push(m[1]!);
  return specs.filter((s) => s.startsWith('.'));
}

function violations(): string[] {
  const found: string[] = [];
  for (const file of walk(src)) {
    const from = layerOf(file);
    const text = readFileSync(file, 'utf8');
    for (const spec of importsOf(text)) {
      const target = resolve(dirname(file), spec);
      const where = `src/${relative(src, file)} imports ${spec}`;
      if (!target.startsWith(src + sep)) {
        found.push(`${where}: outside src/`);
        continue;
      }
      const to = layerOf(target);
      const targetRel = relative(src, target);
      if (to !== from && !ALLOWED[from].includes(to)) found.push(`${where}: ${from} may not import ${to}`);
      if (from === 'nats' && to === 'barrel' && !PUBLIC_BARRELS.has(targetRel)) found.push(`${where}: nats may use only the public barrels (${[...PUBLIC_BARRELS].join(', ')})`);
      if (to === 'nats' && from === 'barrel' && NATS_FREE_BARRELS.has(relative(src, file))) found.push(`${where}: the shared-memory barrels may not import nats`);
    }
  }
  return found;
}

test('no file in src/ imports upward or sideways (errors ← pybytes ← platform ← segments ← concepts ← barrels)', () => {
  const found = violations();
  assert.equal(found, [], `\n${found.join('\n')}`);
});

test('the import reader sees static, type-only, re-exported and dynamic imports', () => {
  const text = [
    "import { a } from './a.ts';",
    "import type { B } from '../b/B.ts';",
    "export { c } from './c.ts';",
    'import {\n  d,\n  e,\n} from "./de.ts";',
    "const f = await import('./f.ts');",
    "import './side.ts';",
    "import process from 'node:process';",
  ].join('\n');
  assert.equal(importsOf(text).sort(), ['../b/B.ts', './a.ts', './c.ts', './de.ts', './f.ts', './side.ts'].sort());
});

test('the rule rejects an upward import and a sideways one', () => {
  // platform → segments is upward; values → messaging is sideways.
  assert.not.ok(ALLOWED.platform.includes('segments'));
  assert.not.ok(ALLOWED.values.includes('messaging'));
  assert.not.ok(ALLOWED.pybytes.includes('platform'));
  assert.not.ok(ALLOWED.nats.includes('messaging'));
});

test.run();
