// The package's install script. Where a prebuilt addon matches this machine (prebuilds/, made by
// scripts/prebuild.mjs when the package is packed) it loads it, checks it, and stops: no compiler
// is needed and nothing is written. Otherwise it compiles native/membridge.cc
// (scripts/build-addon.mjs). When neither works it prints one line saying why and what to run, and
// the install still succeeds: membridge/pybytes needs no addon, and the shared-memory API throws
// IpcError NATIVE_UNAVAILABLE with the same reason.
//
// `npm rebuild membridge --build-from-source` (or npm_config_build_from_source=true) skips the
// prebuild. MEMBRIDGE_REQUIRE_NATIVE=1 makes a failed build fail the install (CI).
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const strict = process.env.MEMBRIDGE_REQUIRE_NATIVE === '1';
const fromSource = ['true', '1', 'membridge'].includes(process.env.npm_config_build_from_source ?? '');

// npm (7 and later) hides the output of an install script that succeeds unless --foreground-scripts
// is given, so a line meant for the user also goes to the terminal itself when there is one.
function tell(line) {
  console.warn(line);
  if (process.env.npm_config_foreground_scripts === 'true' || !process.env.npm_lifecycle_event) return;
  try {
    const tty = openSync('/dev/tty', 'w');
    writeSync(tty, `\r\x1b[K${line}\n`);
    closeSync(tty);
  } catch {
    // no controlling terminal (CI): the line is in npm's log and in NATIVE_UNAVAILABLE
  }
}

function prebuildLoads() {
  const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  if (!existsSync(dir)) return false;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.node'))) {
    try {
      if (typeof require(join(dir, f)).abiVersion === 'number') return true;
    } catch {
      // another libc, or a broken file: try the next one, then the source build
    }
  }
  return false;
}

if (!fromSource && prebuildLoads()) {
  rmSync(join(root, 'build', 'install-failure.txt'), { force: true });
  process.exit(0);
}
if (process.platform !== 'linux') {
  tell(`membridge: shared memory needs Linux, this is ${process.platform}; only membridge/pybytes will work (no addon built)`);
  process.exit(0);
}
try {
  execFileSync(process.execPath, [join(root, 'scripts', 'build-addon.mjs'), ...(fromSource ? ['--force'] : [])], { stdio: ['ignore', 'ignore', 'pipe'] });
} catch (err) {
  // build-addon.mjs recorded the reason; the compiler's own messages go to npm's log.
  const output = String(err.stderr ?? '').split('\n').filter((l) => l && !l.startsWith('membridge:')).join('\n');
  if (output) console.warn(output);
  let reason = 'building it from source failed';
  try {
    reason = readFileSync(join(root, 'build', 'install-failure.txt'), 'utf8').trim();
  } catch {
    // no record: keep the general reason
  }
  tell(`membridge: no prebuilt addon for ${process.platform}-${process.arch} and ${reason}: shared memory is unavailable until you install g++ and run "npm rebuild membridge" (membridge/pybytes works)`);
  process.exit(strict ? 1 : 0);
}
