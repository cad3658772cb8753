// npm drops lock entries for optional platform packages it cannot resolve, and `npm ci` then
// refuses the lock ("Missing: @deno/darwin-arm64 from lock file"). The registry this project is
// built against serves only Deno's linux-x64 binary, so after any `npm install` that rewrote
// package-lock.json, run this to put the other platforms' entries back. They are optional and
// platform-bound, so npm never fetches them on Linux x64.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const entry of Object.values(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (packages[key]) continue;
    const m = /-(darwin|linux|win32|freebsd)-(arm64|x64|aarch64)(?:-(glibc|musl))?$/.exec(dep);
    if (!m) continue;
    packages[key] = { version, cpu: [m[2] === 'aarch64' ? 'arm64' : m[2]], dev: true, license: 'MIT', optional: true, os: [m[1]], ...(m[3] ? { libc: [m[3]] } : {}) };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: added ${added} platform entries`);
