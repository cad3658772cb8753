// Builds native/membridge.cc into a .node binary with the system C++ compiler against the headers
// that npm installed (node-api-headers, node-addon-api). Nothing is downloaded: node-gyp would
// fetch Node's headers, which a machine without internet access cannot do.
//
//   node scripts/build-addon.mjs                 -> build/membridge.node (when older than the source)
//   node scripts/build-addon.mjs --force         -> rebuild even when up to date
//   node scripts/build-addon.mjs --out FILE      -> FILE (scripts/prebuild.mjs), always rebuilt
//
// The same binary loads in Node, Deno and Bun because N-API symbols resolve against the host
// executable at dlopen time. On failure it prints one line saying why, exits 1, and leaves the
// reason in build/install-failure.txt for the run-time NATIVE_UNAVAILABLE message
// (src/platform/addon.ts); scripts/install.mjs decides whether that failure stops an install.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const source = join(root, 'native', 'membridge.cc');
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(root, 'build', 'membridge.node');
const force = process.argv.includes('--force') || outArg > 0;
const failureFile = join(root, 'build', 'install-failure.txt');

function fail(reason) {
  mkdirSync(dirname(failureFile), { recursive: true });
  writeFileSync(failureFile, `${reason}\n`);
  console.warn(`membridge: ${reason}`);
  process.exit(1);
}

if (process.platform !== 'linux') {
  fail(`the native addon needs Linux (this is ${process.platform}); only membridge/pybytes will work`);
}
// membridge.cc and the ABI header it includes (native/abi.h) decide whether the binary is current.
const newestSource = Math.max(statSync(source).mtimeMs, statSync(join(root, 'native', 'abi.h')).mtimeMs);
if (!force && existsSync(out) && statSync(out).mtimeMs >= newestSource) {
  process.exit(0);
}

const napiHeaders = dirname(require.resolve('node-api-headers/package.json'));
const addonApi = dirname(require.resolve('node-addon-api/package.json'));
const cxx = process.env.CXX || 'c++';
const tmp = `${out}.${process.pid}.tmp`;
const args = [
  '-O2', '-std=c++17', '-fPIC', '-shared', '-fvisibility=hidden', '-Wall', '-Wextra', '-Wno-unused-parameter',
  '-DNAPI_VERSION=8', '-DNODE_ADDON_API_DISABLE_DEPRECATED', '-DNAPI_CPP_EXCEPTIONS',
  `-I${join(napiHeaders, 'include')}`, `-I${addonApi}`,
  source, '-o', tmp, '-pthread', '-s',
];
mkdirSync(dirname(out), { recursive: true });
try {
  execFileSync(cxx, args, { stdio: 'inherit' });
  renameSync(tmp, out);
  rmSync(failureFile, { force: true });
} catch (err) {
  rmSync(tmp, { force: true });
  fail(err.code === 'ENOENT'
    ? `no C++ compiler was found (${cxx} is not on PATH; set CXX to use another)`
    : `compiling native/membridge.cc with ${cxx} failed (${err.message.split('\n')[0]})`);
}
