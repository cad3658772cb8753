// The one rule for "is this segment stale, and may I remove its name?" (docs/layout.md, "Taking
// over a stale name"). A membridge segment is in use while its state is "initialising" or "ready"
// and its creator (pid and start stamp) still runs; otherwise it is stale. A stale name is removed
// only under a claim of the header's reaper word, so two processes that find the same stale
// segment never both unlink (the second unlink would hit the first one's fresh segment).
// Channel servers restarting under a name, removeFunction, named values and `membridge ls`/`reap`
// all ask here.
import { IpcError } from '../errors/IpcError.ts';
import { SegmentMapping, unlinkSegment } from './SegmentMapping.ts';
import { isProcessAlive, selfIdentity } from '../platform/processIdentity.ts';
import { runtime } from '../platform/runtime.ts';
import { SEGMENT_MAGIC, SEGMENT_STATE_CLOSED, SEGMENT_STATE_INITIALISING, SEGMENT_STATE_READY } from '../platform/coreAbi.generated.ts';

/** Header `state` values (declared in assembly/segmentHeader.ts). */
export const SegmentState = { INITIALISING: SEGMENT_STATE_INITIALISING, READY: SEGMENT_STATE_READY, CLOSED: SEGMENT_STATE_CLOSED } as const;

/** What a segment's header says about who is responsible for it. */
export interface SegmentStatus {
  /** 'ours': a membridge header; 'blank': magic still 0 (a creator before writing the header); 'foreign': anything else, or too small for a header. */
  readonly header: 'ours' | 'blank' | 'foreign';
  /** Header state (SegmentState); 0 unless the header is ours. */
  readonly state: number;
  readonly creatorPid: number;
  readonly creatorStamp: number;
  /** Whether the creator still runs (false when the header names none). */
  readonly alive: boolean;
}

const FOREIGN: SegmentStatus = { header: 'foreign', state: 0, creatorPid: 0, creatorStamp: 0, alive: false };

/** Whether `seg` carries a membridge header (size and magic). */
export function isMembridgeSegment(seg: SegmentMapping): boolean {
  const core = runtime().core;
  return seg.size >= core.segHeaderSize() && core.segMagic(seg.ptr) >>> 0 === SEGMENT_MAGIC;
}

/** Reads what the header of the mapped segment says about its liveness. */
export function segmentStatus(seg: SegmentMapping): SegmentStatus {
  const core = runtime().core;
  if (seg.size < core.segHeaderSize()) return FOREIGN;
  const magic = core.segMagic(seg.ptr);
  if (magic === 0) return { ...FOREIGN, header: 'blank' };
  if (!isMembridgeSegment(seg)) return FOREIGN;
  const creatorPid = core.segCreatorPid(seg.ptr);
  const creatorStamp = core.segCreatorStamp(seg.ptr);
  return { header: 'ours', state: core.segState(seg.ptr), creatorPid, creatorStamp, alive: creatorPid !== 0 && isProcessAlive(creatorPid, creatorStamp) };
}

/**
 * In use: a membridge segment being made or ready whose creator still runs. A header that names no
 * creator counts as in use too: membridge writes the magic after the creator (assembly/
 * segmentHeader.ts), so only a foreign writer leaves one, and judging it dead could unlink the
 * fresh segment of a creator we cannot see.
 */
export function isInUse(status: SegmentStatus): boolean {
  if (status.header !== 'ours' || !(status.state === SegmentState.INITIALISING || status.state === SegmentState.READY)) return false;
  return status.alive || status.creatorPid === 0;
}

/** Abandoned: still initialising, and its (known) creator is dead. */
export function isAbandoned(status: SegmentStatus): boolean {
  return status.header === 'ours' && status.state === SegmentState.INITIALISING && status.creatorPid !== 0 && !status.alive;
}

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
  return withMapping(name, true, (seg) => {
    if (!isMembridgeSegment(seg)) {
      unlinkSegment(name);
      return true;
    }
    return removeStaleName(name, seg);
  });
}

/**
 * For a channel server taking over `name`: removes the name of a segment whose server died or
 * closed and returns that segment's generation (0 when the name was free), or undefined when a
 * live process still holds the name, when the file is not membridge's (never remove what
 * membridge did not make), or when another process claimed the stale segment first.
 */
export function takeOverStaleName(name: string): number | undefined {
  let seg: SegmentMapping;
  try {
    seg = SegmentMapping.open(name);
  } catch (err) {
    if (err instanceof IpcError && err.code === 'NOT_FOUND') return 0;
    // Size 0: a creator between shm_open and ftruncate, whoever it is. Not ours to remove.
    if (err instanceof IpcError && err.code === 'NOT_READY') return undefined;
    throw err;
  }
  try {
    const status = segmentStatus(seg);
    if (status.header !== 'ours' || isInUse(status)) return undefined;
    return removeStaleName(name, seg) ? runtime().core.segGeneration(seg.ptr) : undefined;
  } finally {
    seg.unmap();
  }
}

/**
 * Removes `name` if it is a membridge segment still initialising whose creator is dead. Returns
 * whether the name is gone. Two processes may both find the same corpse: only the one that claims
 * it unlinks, so neither can remove the other's fresh segment by mistake.
 */
export function removeAbandoned(name: string): boolean {
  try {
    return withMapping(name, false, (seg) => isAbandoned(segmentStatus(seg)) && removeStaleName(name, seg));
  } catch {
    return false;
  }
}

/** Whether the segment under `name` names a creator that is dead (false when it cannot be read). */
export function creatorDied(name: string): boolean {
  try {
    return withMapping(name, false, (seg) => {
      const status = segmentStatus(seg);
      return status.header === 'ours' && status.creatorPid !== 0 && !status.alive;
    });
  } catch {
    return false;
  }
}

function withMapping(name: string, missing: boolean, body: (seg: SegmentMapping) => boolean): boolean {
  let seg: SegmentMapping;
  try {
    seg = SegmentMapping.open(name);
  } catch (err) {
    if (err instanceof IpcError && err.code === 'NOT_FOUND') return missing;
    throw err;
  }
  try {
    return body(seg);
  } finally {
    seg.unmap();
  }
}
