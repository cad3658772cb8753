// Builds native/membridge.cc into build/membridge.node with the system C++ compiler against the
// headers that npm installed (node-api-headers, node-addon-api). Nothing is downloaded: node-gyp
// would fetch Node's headers, which a machine without internet access cannot do.
//
// The same binary loads in Node, Deno and Bun because N-API symbols resolve against the host
// executable at dlopen time. A missing compiler is not fatal: the codec (membridge/pybytes) works
// without the addon, and the shared-memory API then throws IpcError NATIVE_UNAVAILABLE.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const source = join(root, 'native', 'membridge.cc');
const out = join(root, 'build', 'membridge.node');
const force = process.argv.includes('--force');

if (process.platform !== 'linux') {
  console.warn(`membridge: the native addon needs Linux (this is ${process.platform}); only membridge/pybytes will work`);
  process.exit(0);
}
if (!force && existsSync(out) && statSync(out).mtimeMs >= statSync(source).mtimeMs) {
  process.exit(0);
}

const napiHeaders = dirname(require.resolve('node-api-headers/package.json'));
const addonApi = dirname(require.resolve('node-addon-api/package.json'));
const cxx = process.env.CXX || 'c++';
const args = [
  '-O2', '-std=c++17', '-fPIC', '-shared', '-fvisibility=hidden', '-Wall', '-Wextra', '-Wno-unused-parameter',
  '-DNAPI_VERSION=8', '-DNODE_ADDON_API_DISABLE_DEPRECATED', '-DNAPI_CPP_EXCEPTIONS',
  `-I${join(napiHeaders, 'include')}`, `-I${addonApi}`,
  source, '-o', out, '-pthread',
];
mkdirSync(dirname(out), { recursive: true });
try {
  execFileSync(cxx, args, { stdio: 'inherit' });
} catch (err) {
  const strict = process.env.MEMBRIDGE_REQUIRE_NATIVE === '1';
  console.warn(`membridge: could not build the native addon with ${cxx}: ${err.message}`);
  console.warn('membridge: shared memory will be unavailable; membridge/pybytes still works');
  process.exit(strict ? 1 : 0);
}
