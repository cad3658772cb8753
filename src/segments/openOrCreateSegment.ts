// Create-or-open for named shared values, including recovery from a creator that died while
// initialising (the segment would otherwise say "initialising" forever).
import { IpcError } from '../errors/IpcError.ts';
import { removeStaleName } from './claimStaleName.ts';
import { SegmentMapping } from './SegmentMapping.ts';
import { isProcessAlive } from '../platform/processIdentity.ts';
import { runtime } from '../platform/runtime.ts';
import { Segment, type OpenSegmentOptions } from './Segment.ts';

/**
 * Removes `name` if it is a membridge segment still initialising whose creator is dead. Returns
 * whether the name is gone. Two processes may both find the same corpse: only the one that claims
 * it (claimStaleName) unlinks, so neither can remove the other's fresh segment by mistake.
 */
export function removeAbandoned(name: string): boolean {
  let seg: SegmentMapping;
  try {
    seg = SegmentMapping.open(name);
  } catch {
    return false;
  }
  try {
    const core = runtime().core;
    const ptr = seg.ptr;
    if (seg.size < core.segHeaderSize() || core.segState(ptr) !== 0) return false;
    const pid = core.segCreatorPid(ptr);
    if (pid === 0 || isProcessAlive(pid, core.segCreatorStamp(ptr))) return false;
    return removeStaleName(name, seg);
  } catch {
    return false;
  } finally {
    seg.unmap();
  }
}

/** Opens `name`, or creates it with `create` when it does not exist. */
export function openOrCreateSegment(name: string, open: OpenSegmentOptions, create: (() => Segment) | undefined): { segment: Segment; created: boolean } {
  for (let attempt = 0; ; attempt++) {
    try {
      return { segment: Segment.open(name, open), created: false };
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
