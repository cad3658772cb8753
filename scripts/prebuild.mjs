// Builds the prebuilt addon that the package ships, prebuilds/<platform>-<arch>/membridge.napi.<libc>.node
// (prebuildify's layout and file names), from native/membridge.cc with this machine's compiler
// (scripts/build-addon.mjs). `npm pack` and `npm publish` run it (prepack). One N-API build serves
// every Node >= 20, Deno and Bun on the same platform, architecture and C library.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.platform !== 'linux') {
  console.error(`membridge: prebuilds are made on Linux (this is ${process.platform})`);
  process.exit(1);
}
const libc = existsSync('/etc/alpine-release') ? 'musl' : 'glibc';
const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
rmSync(dir, { recursive: true, force: true });
const out = join(dir, `membridge.napi.${libc}.node`);
execFileSync(process.execPath, [join(root, 'scripts', 'build-addon.mjs'), '--out', out], { stdio: 'inherit' });
console.log(`membridge: prebuilt ${out.slice(root.length + 1)}`);
