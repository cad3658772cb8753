// Create-or-open for named shared values, including recovery from a creator that died while
// initialising (the segment would otherwise say "initialising" forever).
import { IpcError } from '../IpcError.ts';
import { MappedSegment, unlinkSegment } from './MappedSegment.ts';
import { isProcessAlive } from './processIdentity.ts';
import { runtime } from './runtime.ts';
import { SharedSegment, type OpenSegmentOptions } from './SharedSegment.ts';

/**
 * Removes `name` if it is a membridge segment still initialising whose creator is dead. Returns
 * whether it did. Two processes may both find the same corpse; the pid and stamp are re-read just
 * before the unlink, which leaves only a window of a few microseconds in which a fresh segment of a
 * third process could be removed instead (it would then fail to open and retry).
 */
export function removeAbandoned(name: string): boolean {
  let seg: MappedSegment;
  try {
    seg = MappedSegment.open(name);
  } catch {
    return false;
  }
  try {
    const core = runtime().core;
    const ptr = seg.ptr;
    if (seg.size < core.segHeaderSize() || core.segState(ptr) !== 0) return false;
    const pid = core.segCreatorPid(ptr);
    if (pid === 0 || isProcessAlive(pid, core.segCreatorStamp(ptr))) return false;
    unlinkSegment(name);
    return true;
  } catch {
    return false;
  } finally {
    seg.unmap();
  }
}

/** Opens `name`, or creates it with `create` when it does not exist. */
export function openOrCreateSegment(name: string, open: OpenSegmentOptions, create: (() => SharedSegment) | undefined): { segment: SharedSegment; created: boolean } {
  for (let attempt = 0; ; attempt++) {
    try {
      return { segment: SharedSegment.open(name, open), created: false };
    } catch (err) {
      if (!(err instanceof IpcError) || attempt >= 5) throw err;
      if (err.code === 'NOT_READY' && removeAbandoned(name)) continue;
      if (err.code !== 'NOT_FOUND' || !create) throw err;
    }
    try {
      return { segment: create(), created: true };
    } catch (err) {
      if (!(err instanceof IpcError && err.code === 'ALREADY_EXISTS')) throw err;
    }
  }
}
