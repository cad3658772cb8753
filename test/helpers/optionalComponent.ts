// System components that some tests need and a fresh machine may lack: Debian's `chromium`, Debian's
// `nats-server`, and the Python reference sysframe built for a CPython >= 3.12.
//
// On a user's machine a missing component makes its tests *skipped*, with the reason and the command
// that installs it, never failed. `.ci/run` installs every component and sets MEMBRIDGE_REQUIRE_ALL=1,
// which turns each such skip into a failure, so CI always runs everything.
//
// The driver (scripts/test.mjs) reads the `SKIP:` lines this module prints and repeats them in its
// summary, so the reasons are visible without reading a file's output.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import type { Test } from 'uvu';

export type ComponentId = 'chromium' | 'nats-server' | 'python-sysframe';

export type Component =
  | {
      readonly available: true;
      /** The executable (chromium, nats-server) or the folder holding the built reference (python-sysframe). */
      readonly path: string;
      /** python-sysframe only: the CPython >= 3.12 interpreter the reference was built for. */
      readonly python?: string;
    }
  | { readonly available: false; readonly reason: string; readonly install: string };

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = new Map<ComponentId, Component>();

/** Whether `id` is usable here, and if not, why and how to install it. Probed once per process. */
export function optionalComponent(id: ComponentId): Component {
  let c = cache.get(id);
  if (!c) {
    c = probe(id);
    cache.set(id, c);
  }
  return c;
}

/** True when missing components must fail instead of skip (CI). */
export function requireAll(): boolean {
  return process.env.MEMBRIDGE_REQUIRE_ALL === '1';
}

/**
 * Registers `title` as a skipped test that says why, or, under MEMBRIDGE_REQUIRE_ALL=1, as a failing
 * one. Call it instead of registering the real test when `c` is not available.
 */
export function skipTest(suite: Test, title: string, c: Component): void {
  if (c.available) throw new TypeError(`skipTest("${title}") called for an available component`);
  const why = `${c.reason}; install: ${c.install}`;
  if (requireAll()) {
    suite(title, () => {
      throw new Error(`required component missing (MEMBRIDGE_REQUIRE_ALL=1): ${why}`);
    });
    return;
  }
  console.log(`SKIP: ${title} — ${why}`);
  suite.skip(title, () => {});
}

function probe(id: ComponentId): Component {
  switch (id) {
    case 'chromium': {
      const path = findExecutable(process.env.MEMBRIDGE_CHROMIUM, ['chromium', 'chromium-browser']);
      return path
        ? { available: true, path }
        : { available: false, reason: 'Debian\'s chromium is not installed (needed for the browser test of membridge/pybytes)', install: 'sudo apt-get install -y chromium' };
    }
    case 'nats-server': {
      const path = findExecutable(process.env.MEMBRIDGE_NATS_SERVER, ['nats-server']);
      return path
        ? { available: true, path }
        : { available: false, reason: 'nats-server is not installed (needed for the membridge/nats tests)', install: 'sudo apt-get install -y nats-server' };
    }
    case 'python-sysframe':
      return probeSysframe();
  }
}

function findExecutable(override: string | undefined, names: string[]): string | undefined {
  if (override) return existsSync(override) ? override : undefined;
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/bin', '/usr/sbin', '/usr/local/bin']);
  for (const name of names) {
    for (const d of dirs) {
      const p = join(d, name);
      if (d && existsSync(p) && statSync(p).isFile()) return p;
    }
  }
  return undefined;
}

/** A CPython >= 3.12: on PATH, or among pyenv's versions (the order of the reference's build.sh). */
export function findPython312(): string | undefined {
  const pyenv = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
  const candidates = [process.env.MEMBRIDGE_PYTHON, findExecutable(undefined, ['python3.13']), findExecutable(undefined, ['python3.12'])];
  try {
    for (const v of readdirSync(join(pyenv, 'versions')).sort().reverse()) {
      if (/^3\.(1[2-9]|[2-9]\d)\./.test(v)) candidates.push(join(pyenv, 'versions', v, 'bin', 'python3'));
    }
  } catch {
    // no pyenv
  }
  for (const c of candidates) {
    if (!c || !existsSync(c)) continue;
    try {
      execFileSync(c, ['-c', 'import sys; sys.exit(sys.version_info < (3, 12))'], { stdio: 'ignore', timeout: 10_000 });
      return c;
    } catch {
      // too old or broken
    }
  }
  return undefined;
}

/** The reference source (tarball + build.sh): beside the checkout in development and CI. */
function sysframeSource(): string | undefined {
  const candidates = [process.env.MEMBRIDGE_SYSFRAME_SRC, join(root, '..', 'shared', 'reference', 'sysframe')];
  return candidates.find((d) => d !== undefined && existsSync(join(d, 'build.sh')));
}

function probeSysframe(): Component {
  const install = 'install a CPython >= 3.12 with its headers (e.g. `pyenv install 3.12`) and set MEMBRIDGE_SYSFRAME_SRC to a folder holding the reference sysframe (build.sh and its source tarball)';
  const python = findPython312();
  if (!python) return { available: false, reason: 'no CPython >= 3.12 found (needed for the interop tests against the Python reference sysframe)', install };
  const out = process.env.MEMBRIDGE_SYSFRAME_DIR ?? join(root, 'build', 'sysframe-ref');
  const built = (dir: string) => existsSync(join(dir, 'sysframe', 'membridge')) && readdirSync(join(dir, 'sysframe', 'membridge')).some((f) => f.endsWith('.so'));
  if (built(out)) return { available: true, path: out, python };
  const src = sysframeSource();
  if (!src) return { available: false, reason: 'the reference sysframe source is not beside this checkout (../shared/reference/sysframe)', install };
  // Build into a private folder, then rename, so two processes probing at once never see half a build.
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(dirname(out), { recursive: true });
    execFileSync('bash', [join(src, 'build.sh'), tmp, python], { stdio: 'pipe', timeout: 300_000 });
    if (!built(out)) {
      rmSync(out, { recursive: true, force: true });
      renameSync(tmp, out);
    }
    return { available: true, path: out, python };
  } catch (err) {
    const msg = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim().split('\n').slice(-3).join(' | ');
    return { available: false, reason: `building the reference sysframe failed: ${msg}`, install };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
