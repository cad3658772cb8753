// The right to remove the name of a stale segment (docs/layout.md, "Taking over a stale name").
import { IpcError } from '../errors/IpcError.ts';
import { SegmentMapping, unlinkSegment } from './SegmentMapping.ts';
import { isProcessAlive, selfIdentity } from '../platform/processIdentity.ts';
import { runtime } from '../platform/runtime.ts';

/**
 * Claims the stale segment `seg` (mapped by the caller, its header already checked as ours) for
 * removal: true when this process now holds its reaper word, false when another live process
 * does. A reaper that died is replaced, so a claim never outlives its holder.
 */
export function claimStaleName(seg: SegmentMapping): boolean {
  const core = runtime().core;
  const me = selfIdentity();
  const mine = BigInt(me.pid) | (BigInt(me.stamp) << 32n);
  for (;;) {
    const held = core.segReaper(seg.ptr);
    if (held === mine) return true;
    if (held !== 0n && isProcessAlive(Number(held & 0xffff_ffffn), Number(held >> 32n))) return false;
    if (core.segCasReaper(seg.ptr, held, mine) === held) return true;
  }
}

/**
 * Unlinks `name` if this process wins the claim on `seg`, the stale segment found under it.
 * Returns true when the name is gone (unlinked here, or already), false when another process is
 * removing it. Other unlink errors are thrown.
 */
export function removeStaleName(name: string, seg: SegmentMapping): boolean {
  if (!claimStaleName(seg)) return false;
  try {
    unlinkSegment(name);
  } catch (err) {
    if (!(err instanceof IpcError && err.code === 'NOT_FOUND')) throw err;
  }
  return true;
}

/**
 * Opens `name` and removes it under a claim (removeStaleName). For callers that judged the segment
 * stale from a listing. A file without a membridge header is unlinked as it is: it has no reaper
 * word to claim.
 */
export function removeStaleByName(name: string): boolean {
  let seg: SegmentMapping;
  try {
    seg = SegmentMapping.open(name);
  } catch (err) {
    if (err instanceof IpcError && err.code === 'NOT_FOUND') return true;
    throw err;
  }
  try {
    const core = runtime().core;
    if (seg.size < core.segHeaderSize() || core.segMagic(seg.ptr) !== 0x4753424d) {
      unlinkSegment(name);
      return true;
    }
    return removeStaleName(name, seg);
  } finally {
    seg.unmap();
  }
}
