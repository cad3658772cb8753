// `npm run bench -- [name] [args...]`: runs bench/<name>.ts (bundled with esbuild into
// build/bench/<name>.mjs, exactly like the tests, so every host runs the same JavaScript) or
// bench/<name>.mjs as is. Without a name, runs every benchmark in bench/ with default options.
//
//   npm run bench                    all benchmarks
//   npm run bench -- pingpong --help
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'bench');
const out = join(root, 'build', 'bench');

const available = readdirSync(benchDir)
  .filter((f) => /\.(ts|mjs)$/.test(f) && !f.endsWith('.d.ts'))
  .map((f) => f.replace(/\.(ts|mjs)$/, ''))
  .sort();

const [first, ...rest] = process.argv.slice(2);
if (first === '--help' || first === '-h') {
  console.log(`usage: npm run bench -- [name] [args...]\n\nbenchmarks: ${available.join(', ')}\n"npm run bench -- <name> --help" describes one.`);
  process.exit(0);
}
const names = first === undefined ? available : [first];
const args = first === undefined ? [] : rest;
for (const name of names) {
  if (!available.includes(name)) {
    console.error(`no benchmark "${name}" (bench/${name}.ts or bench/${name}.mjs); available: ${available.join(', ')}`);
    process.exit(2);
  }
}

// Benchmarks import src/, which needs the generated WebAssembly module and the addon.
execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'wasm'], { stdio: ['ignore', 'ignore', 'inherit'] });
execFileSync(process.execPath, [join(root, 'scripts/build-addon.mjs')], { stdio: 'inherit' });

const { build } = await import('esbuild');
let failed = 0;
for (const name of names) {
  let script = join(benchDir, `${name}.mjs`);
  if (existsSync(join(benchDir, `${name}.ts`))) {
    script = join(out, `${name}.mjs`);
    await build({
      entryPoints: [join(benchDir, `${name}.ts`)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'es2022',
      outfile: script,
      logLevel: 'warning',
      banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
    });
  }
  if (names.length > 1) console.log(`\n=== bench/${name} ===`);
  const r = spawnSync(process.execPath, [script, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
