// The one module that loads the native addon (build/membridge.node).
//
// ESM cannot import a .node file on any of the three hosts, so it is loaded with
// createRequire(...)(path), which works on Node, Bun and Deno (Deno needs --allow-ffi and
// --allow-read, or -A). MEMBRIDGE_NO_NATIVE=1 disables the native path, for testing the fallback
// errors; MEMBRIDGE_ADDON names another binary.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { IpcError } from '../errors/IpcError.ts';

/** A dedicated thread serving one asynchronous futex wait at a time. */
export interface NativeWaiter {
  wait(view: Uint8Array, offset: number, expected: number, timeoutMs: number, sleepersOffset: number): Promise<number>;
  cancel(): void;
  close(): void;
  pending(): boolean;
}

/** The addon's surface: system calls, with failures returned as negative errno values. */
export interface NativeAddon {
  readonly abiVersion: number;
  pageSize(): number;
  shmCreate(name: string, size: number, mode: number): number;
  shmOpen(name: string): number;
  shmUnlink(name: string): number;
  shmList(prefix: string): string[] | number;
  fdStat(fd: number): [size: number, mode: number, uid: number] | number;
  fdGrow(fd: number, size: number): number;
  /** posix_fallocate: reserves the blocks of [offset, offset + length). */
  fdAllocate(fd: number, offset: number, length: number): number;
  closeFd(fd: number): number;
  baseAddress(view: Uint8Array): bigint;
  mapInto(view: Uint8Array, offset: number, length: number, fd: number, populate: boolean): number;
  restore(view: Uint8Array, offset: number, length: number): number;
  futexWait(view: Uint8Array, offset: number, expected: number, timeoutMs: number, sleepersOffset: number): number;
  futexWake(view: Uint8Array, offset: number, count: number): number;
  Waiter: new () => NativeWaiter;
  processStartTime(pid: number): number;
  strerror(errno: number): string;
}

/** Result codes of futexWait and NativeWaiter.wait. */
export const WaitResult = {
  WOKEN: 0,
  NOT_EQUAL: 1,
  TIMED_OUT: 2,
  INTERRUPTED: 3,
  CANCELLED: 5,
} as const;

const ABI_VERSION = 2;
let loaded: NativeAddon | undefined;
let failure: string | undefined;

function candidates(): string[] {
  const override = process.env.MEMBRIDGE_ADDON;
  if (override) return [override];
  const found: string[] = [];
  // Walk up from this module: it may run from dist/, from a test bundle in build/, or from src/.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    found.push(join(dir, 'build', 'membridge.node'));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return found;
}

function load(): NativeAddon | undefined {
  if (loaded || failure) return loaded;
  if (process.env.MEMBRIDGE_NO_NATIVE === '1') {
    failure = 'MEMBRIDGE_NO_NATIVE=1 is set';
    return undefined;
  }
  if (process.platform !== 'linux') {
    failure = `the native addon supports Linux only, not ${process.platform}`;
    return undefined;
  }
  const path = candidates().find((p) => existsSync(p));
  if (!path) {
    failure = 'build/membridge.node was not found (run "npm run build:addon"; it needs a C++ compiler)';
    return undefined;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    if (addon.abiVersion !== ABI_VERSION) {
      failure = `${path} has ABI version ${addon.abiVersion}, expected ${ABI_VERSION} (rebuild it)`;
      return undefined;
    }
    if (typeof addon.fdAllocate !== 'function') {
      failure = `${path} has no fdAllocate (built before space reservation; rebuild it)`;
      return undefined;
    }
    loaded = addon;
  } catch (err) {
    const hint = typeof (globalThis as { Deno?: unknown }).Deno === 'object' ? ' (Deno needs --allow-ffi --allow-read)' : '';
    failure = `loading ${path} failed${hint}: ${(err as Error).message}`;
  }
  return loaded;
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
