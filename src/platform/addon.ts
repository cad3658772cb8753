// The one module that loads the native addon.
//
// Where the binary comes from, first found first:
//   1. MEMBRIDGE_ADDON=/path/to/membridge.node (tests, a custom build);
//   2. build/membridge.node, compiled from native/membridge.cc by the install script
//      (scripts/install.mjs) or by `npm run build:addon` in a checkout;
//   3. prebuilds/<platform>-<arch>/membridge.napi.<libc>.node, shipped in the package (the
//      prebuildify layout; scripts/prebuild.mjs makes it when the package is packed).
// The binary is N-API, so one build serves every Node >= 20, Deno and Bun.
//
// ESM cannot import a .node file on any of the three hosts, so it is loaded with
// createRequire(...)(path), which works on Node, Bun and Deno (Deno needs --allow-ffi and
// --allow-read, or -A). node-gyp-build is not used for the lookup: it reads five environment
// variables when it is loaded, which throws NotCapable under Deno without --allow-env.
// MEMBRIDGE_NO_NATIVE=1 disables the native path, for testing the fallback errors.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { readEnv } from './env.ts';
import { IpcError } from '../errors/IpcError.ts';
import { NATIVE_ABI_VERSION } from './nativeAbi.generated.ts';

/** A dedicated thread serving one asynchronous futex wait at a time. */
export interface NativeWaiter {
  wait(view: Uint8Array, offset: number, expected: number, timeoutMs: number, sleepersOffset: number): Promise<number>;
  cancel(): void;
  close(): void;
  pending(): boolean;
}

/**
 * A dedicated thread running one blocking process-shared pthread call at a time (glibc/x86-64 only).
 * Results: 0, or -errno (-ETIMEDOUT at the deadline; -ECANCELED after close()).
 */
export interface NativePshWaiter {
  lock(view: Uint8Array, mutexOffset: number, timeoutMs: number): Promise<number>;
  condWait(view: Uint8Array, condOffset: number, mutexOffset: number, timeoutMs: number): Promise<number>;
  close(): void;
  pending(): boolean;
}

/** The addon's surface: system calls, with failures returned as negative errno values. */
export interface NativeAddon {
  readonly abiVersion: number;
  /** The wait results the binary was compiled with (native/abi.h). */
  readonly waitResults: Readonly<Record<string, number>>;
  pageSize(): number;
  shmCreate(name: string, size: number, mode: number): number;
  shmOpen(name: string): number;
  shmUnlink(name: string): number;
  shmList(prefix: string): string[] | number;
  fdStat(fd: number): [size: number, mode: number, uid: number] | number;
  fdGrow(fd: number, size: number): number;
  /** posix_fallocate: reserves the blocks of [offset, offset + length). */
  fdAllocate(fd: number, offset: number, length: number): number;
  /** Registers a mapped window with the truncation guard (SIGBUS → private zero pages). */
  guardWindow(view: Uint8Array, offset: number, length: number): number;
  unguardWindow(view: Uint8Array, offset: number): number;
  /** How many truncated windows the guard replaced. */
  guardFaults(): number;
  /** geteuid(): the user whose segments this process accepts without an opt-in. */
  effectiveUid(): number;
  closeFd(fd: number): number;
  baseAddress(view: Uint8Array): bigint;
  mapInto(view: Uint8Array, offset: number, length: number, fd: number, populate: boolean): number;
  restore(view: Uint8Array, offset: number, length: number): number;
  futexWait(view: Uint8Array, offset: number, expected: number, timeoutMs: number, sleepersOffset: number): number;
  futexWake(view: Uint8Array, offset: number, count: number): number;
  Waiter: new () => NativeWaiter;
  processStartTime(pid: number): number;
  strerror(errno: number): string;
  /** Process-shared glibc pthread objects (sysframe shared functions); absent in older builds. */
  pshAvailable?(): boolean;
  pshMutexInit(view: Uint8Array, offset: number): number;
  pshCondInit(view: Uint8Array, offset: number): number;
  pshMutexLock(view: Uint8Array, offset: number, timeoutMs: number): number;
  pshMutexUnlock(view: Uint8Array, offset: number): number;
  pshCondSignal(view: Uint8Array, offset: number): number;
  PshWaiter: new () => NativePshWaiter;
}

// The ABI version and wait results are declared once, in native/abi.h.
export { WaitResult } from './nativeAbi.generated.ts';
const ABI_VERSION = NATIVE_ABI_VERSION;
let loaded: NativeAddon | undefined;
let failure: string | undefined;

/** The package root: the first folder up from this module with membridge's package.json. */
function packageRoot(): string | undefined {
  // This module may run from dist/, from a test bundle in build/, or from src/.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'membridge') return dir;
    } catch {
      // no package.json here, or not readable
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** musl or glibc: a prebuild is tagged with the C library it was linked against. */
function libc(): 'musl' | 'glibc' {
  return existsSync('/etc/alpine-release') || existsSync(`/lib/ld-musl-${process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch}.so.1`) ? 'musl' : 'glibc';
}

/** The prebuilt binaries for this platform, most specific first (prebuildify file names). */
function prebuilds(root: string): string[] {
  const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.node') && f.split('.').includes('napi'));
  } catch {
    return [];
  }
  const mine = libc();
  const tags = (f: string): string[] => f.split('.').slice(1, -1);
  return files
    .filter((f) => !tags(f).some((t) => (t === 'glibc' || t === 'musl') && t !== mine))
    .sort((a, b) => Number(tags(b).includes(mine)) - Number(tags(a).includes(mine)))
    .map((f) => join(dir, f));
}

/** Why no binary was found, and what to do: read from what the install script recorded. */
function notFound(root: string | undefined): string {
  const target = `${process.platform}-${process.arch}`;
  const fix = 'install a C++ compiler (g++) and run "npm rebuild membridge"';
  if (!root) {
    return `membridge's package.json was not found above ${fileURLToPath(import.meta.url)} (was membridge bundled into another file?); ` +
      'set MEMBRIDGE_ADDON to the path of membridge.node';
  }
  let recorded = '';
  try {
    recorded = readFileSync(join(root, 'build', 'install-failure.txt'), 'utf8').trim();
  } catch {
    // the install script did not fail, or did not run
  }
  if (recorded) return `no prebuilt addon matches ${target} and ${recorded}; ${fix}`;
  return `no prebuilt addon matches ${target} and none was compiled: the install script did not run ` +
    `(--ignore-scripts, or npm's allowScripts: "npm install-scripts approve membridge"); ${fix}`;
}

function load(): NativeAddon | undefined {
  if (loaded || failure) return loaded;
  if (readEnv('MEMBRIDGE_NO_NATIVE') === '1') {
    failure = 'MEMBRIDGE_NO_NATIVE=1 is set';
    return undefined;
  }
  if (process.platform !== 'linux') {
    failure = `shared memory needs Linux (POSIX shared memory, futexes, /proc), not ${process.platform}; membridge/pybytes works everywhere`;
    return undefined;
  }
  const override = readEnv('MEMBRIDGE_ADDON');
  const root = override ? undefined : packageRoot();
  const paths = override ? [override] : root ? [join(root, 'build', 'membridge.node'), ...prebuilds(root)] : [];
  const found = paths.filter((p) => existsSync(p));
  if (found.length === 0) {
    failure = override ? `MEMBRIDGE_ADDON=${override} does not exist` : notFound(root);
    return undefined;
  }
  const problems: string[] = [];
  for (const path of found) {
    try {
      const addon = createRequire(import.meta.url)(path) as NativeAddon;
      if (addon.abiVersion !== ABI_VERSION) {
        problems.push(`${path} has ABI version ${addon.abiVersion}, expected ${ABI_VERSION}`);
        continue;
      }
      if (typeof addon.fdAllocate !== 'function' || typeof addon.guardWindow !== 'function' || typeof addon.effectiveUid !== 'function') {
        problems.push(`${path} has no fdAllocate/guardWindow/effectiveUid (built before issue #13's changes)`);
        continue;
      }
      loaded = addon;
      return loaded;
    } catch (err) {
      const hint = typeof (globalThis as { Deno?: unknown }).Deno === 'object' ? ' (Deno needs --allow-ffi --allow-read)' : '';
      problems.push(`loading ${path} failed${hint}: ${(err as Error).message}`);
    }
  }
  failure = `${problems.join('; ')}; run "npm rebuild membridge" (it needs a C++ compiler, g++)`;
  return undefined;
}

/** Whether the native addon is loaded (or loadable) in this process. */
export function isNativeAvailable(): boolean {
  return load() !== undefined;
}

/** The addon, or an IpcError NATIVE_UNAVAILABLE saying why it cannot be had. */
export function native(): NativeAddon {
  const addon = load();
  if (!addon) throw new IpcError('NATIVE_UNAVAILABLE', `Cannot use shared memory: ${failure}`);
  return addon;
}
