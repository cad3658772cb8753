// Names a process in a way that survives pid reuse: its pid plus its start time (clock ticks since
// boot, from /proc/<pid>/stat). Shared memory stores the low 32 bits of the start time as a "stamp".
import process from 'node:process';
import { native } from './addon.ts';
import { Errno } from './errno.ts';

/** A process as recorded in shared memory. */
export interface ProcessIdentity {
  readonly pid: number;
  /** Low 32 bits of the start time; 0 means unknown. */
  readonly stamp: number;
}

let self: ProcessIdentity | undefined;

/** This process. */
export function selfIdentity(): ProcessIdentity {
  if (!self) {
    const start = native().processStartTime(process.pid);
    self = { pid: process.pid, stamp: start > 0 ? start % 0x1_0000_0000 >>> 0 : 0 };
  }
  return self;
}

/** The stamp for a start time. */
export function stampOf(startTime: number): number {
  return startTime % 0x1_0000_0000 >>> 0;
}

/**
 * Whether the process recorded as (pid, stamp) still runs. A zombie counts as dead; a live process
 * with that pid but another start time is a different process (the pid was reused). When /proc
 * refuses to tell (hidepid), the process is assumed alive: never take a lock from a live holder.
 */
export function isProcessAlive(pid: number, stamp = 0): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const start = native().processStartTime(pid);
  if (start === -Errno.ESRCH) return false;
  if (start < 0) return true;
  return stamp === 0 || stampOf(start) === stamp;
}
