// Basic memory in the layout of Python's sysframe.membridge (docs/layout.md, "Sysframe basic
// memory"), so that Python processes and membridge processes exchange values:
//
//   0        8                                          48
//   +--------+------------------------------------------+------------------------------+
//   |capacity| glibc pthread_mutex_t (40 bytes, opaque)  | pybytes message, stale bytes |
//   | u64 LE | created as zeros with 0x80 at byte 24    | (capacity bytes)             |
//   +--------+------------------------------------------+------------------------------+
//
// Plain positional file I/O on /dev/shm/<name> (the name as Python passes it to shm_open), no
// mapping: Python grows the file at any time, so every access re-reads the capacity. Python
// never locks, so torn reads between a Python writer and any reader cannot be prevented here;
// membridge-only values should use the native layout.
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { IpcError } from '../errors/IpcError.ts';
import { fsErrorCode } from '../platform/errno.ts';
import { checkOwner, type AllowedUsers } from '../segments/segmentOwner.ts';

/** Options of sysframe reads and writes (see MemoryOptions). */
export interface SysframeOptions {
  mode?: number;
  allowOtherUsers?: AllowedUsers;
}

const HEADER_SIZE = 48;
/** Python grows a segment to exactly the message plus this headroom. */
const HEADROOM = 32;
/** Byte of the mutex's __kind field; PTHREAD_PROCESS_SHARED leaves 0x80 there. */
const MUTEX_KIND_OFFSET = 24;
const MAX_CAPACITY = 2 ** 40;

function filePath(name: string): string {
  if (typeof name !== 'string') throw new TypeError(`Cannot use ${typeof name} as a sysframe memory name: a string is required`);
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (bare === '' || bare === '.' || bare === '..' || bare.includes('/') || bare.includes('\0') || bare.length > 255) {
    throw new IpcError('INVALID_NAME', `Cannot use "${name}" as a sysframe memory name: it must be one file name in /dev/shm, optionally after one leading "/"`, { name });
  }
  return `/dev/shm/${bare}`;
}

function fail(err: unknown, action: string, name: string): never {
  const code = fsErrorCode(err);
  const state = code === 'NOT_FOUND' ? 'it does not exist' : code === 'PERMISSION_DENIED' ? 'permission denied' : (err as Error).message;
  throw new IpcError(code, `Cannot ${action} sysframe memory "${name}": ${state}`, { name, cause: err });
}

function readCapacity(fd: number, name: string): number {
  const head = new Uint8Array(8);
  if (readSync(fd, head, 0, 8, 0) < 8) throw new IpcError('CORRUPT', `Cannot use sysframe memory "${name}": the file is shorter than its 48-byte header`, { name });
  const capacity = new DataView(head.buffer).getBigUint64(0, true);
  if (capacity > BigInt(MAX_CAPACITY)) throw new IpcError('CORRUPT', `Cannot use sysframe memory "${name}": its header claims a capacity of ${capacity} bytes`, { name });
  return Number(capacity);
}

/** The 48-byte header image of a fresh segment. */
export function sysframeHeaderImage(): Uint8Array {
  const image = new Uint8Array(HEADER_SIZE);
  image[MUTEX_KIND_OFFSET] = 0x80;
  return image;
}

/** Creates an empty segment (capacity 0). Returns false when it exists already. */
export function sysframeCreate(name: string, mode: number | undefined = 0o666): boolean {
  mode ??= 0o666;
  const path = filePath(name);
  let fd: number;
  try {
    // Mode 0666 & ~umask, as Python creates it.
    fd = openSync(path, 'wx+', mode);
  } catch (err) {
    if (fsErrorCode(err) === 'ALREADY_EXISTS') return false;
    fail(err, 'create', name);
  }
  try {
    writeSync(fd, sysframeHeaderImage(), 0, HEADER_SIZE, 0);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Writes an encoded message, growing the file like Python does; creates the segment when missing. */
export function sysframeWrite(name: string, message: Uint8Array, options: SysframeOptions = {}): void {
  const path = filePath(name);
  let fd: number | undefined;
  for (let attempt = 0; fd === undefined; attempt++) {
    try {
      fd = openSync(path, 'r+');
    } catch (err) {
      if (fsErrorCode(err) !== 'NOT_FOUND' || attempt > 2) fail(err, 'open', name);
      sysframeCreate(name, options.mode);
    }
  }
  try {
    checkOwner(name, fstatSync(fd).uid, options.allowOtherUsers);
    const capacity = readCapacity(fd, name);
    if (message.length > capacity) {
      // As Python: the file first, then the capacity, then the data. A reader that sees the new
      // capacity finds a file that long; one that still sees the old one reads the old message.
      const grown = message.length + HEADROOM;
      ftruncateSync(fd, HEADER_SIZE + grown);
      const cap = new Uint8Array(8);
      new DataView(cap.buffer).setBigUint64(0, BigInt(grown), true);
      writeSync(fd, cap, 0, 8, 0);
    }
    writeSync(fd, message, 0, message.length, HEADER_SIZE);
  } catch (err) {
    if (err instanceof IpcError) throw err;
    fail(err, 'write', name);
  } finally {
    closeSync(fd);
  }
}

/** Reads the whole capacity after the header (the message plus stale bytes), or undefined for capacity 0. */
export function sysframeRead(name: string, options: SysframeOptions = {}): Uint8Array | undefined {
  const path = filePath(name);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    fail(err, 'open', name);
  }
  try {
    checkOwner(name, fstatSync(fd).uid, options.allowOtherUsers);
    const capacity = readCapacity(fd, name);
    if (capacity === 0) return undefined;
    // A header that claims more than the file holds: read what is there; the decoder reports
    // a truncated message.
    const available = Math.max(0, Math.min(capacity, fstatSync(fd).size - HEADER_SIZE));
    const out = new Uint8Array(available);
    let done = 0;
    while (done < available) {
      const n = readSync(fd, out, done, available - done, HEADER_SIZE + done);
      if (n === 0) break;
      done += n;
    }
    return done === available ? out : out.subarray(0, done);
  } catch (err) {
    if (err instanceof IpcError) throw err;
    fail(err, 'read', name);
  } finally {
    closeSync(fd);
  }
}

/** Removes the segment; false when it did not exist. */
export function sysframeRemove(name: string): boolean {
  try {
    unlinkSync(filePath(name));
    return true;
  } catch (err) {
    if (fsErrorCode(err) === 'NOT_FOUND') return false;
    fail(err, 'remove', name);
  }
}
