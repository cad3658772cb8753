#!/usr/bin/env node
// `npm run bench -- <name> [options]`: runs bench/<name>.mjs (codec today; later issues add more).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name = 'codec', ...rest] = process.argv.slice(2);
const script = join(root, 'bench', `${name}.mjs`);
if (!existsSync(script)) {
  console.error(`membridge bench: no benchmark "${name}" (expected bench/${name}.mjs)`);
  process.exit(2);
}
process.exit(spawnSync(process.execPath, [script, ...rest], { stdio: 'inherit' }).status ?? 1);
