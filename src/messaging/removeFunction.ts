import { IpcError } from '../errors/IpcError.ts';
import { Doorbell } from '../segments/Doorbell.ts';
import { served } from './functions.ts';
import { removeSysframeFunction } from './sysframeFunction.ts';
import { isInUse, removeStaleName, segmentStatus, SegmentState } from '../segments/staleSegment.ts';
import { SegmentMapping } from '../segments/SegmentMapping.ts';
import { isProcessAlive } from '../platform/processIdentity.ts';
import { sleepMs } from '../platform/sleep.ts';
import { CONTROL_STOP } from './ChannelSlotTable.ts';
import { ringCore } from './Ring.ts';
import { runtime } from '../platform/runtime.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { objectSegmentName } from '../segments/segmentName.ts';

/** What {@link removeFunction} did: 1 removed, 2 not found, 3 stopped but the segment could not be removed. */
export type RemoveFunctionResult = 1 | 2 | 3;

/** Options of {@link removeFunction}. */
export interface RemoveFunctionOptions {
  /** How long to wait for a live owner (default 2000 ms). */
  timeoutMs?: number;
  /** "membridge" (default) or "sysframe" (see createFunction). */
  layout?: 'membridge' | 'sysframe';
}

/**
 * Stops the function served under `name` (its `createFunction` promise resolves true) and
 * removes its segment. A function whose owner died is just removed. Waits up to `timeoutMs`
 * (default 2000) for a live owner to stop.
 *
 * @returns 1 when removed, 2 when no such function exists, 3 when it was stopped (or asked to
 * stop) but its segment could not be removed
 * With `{ layout: 'sysframe' }` it stops a sysframe shared function (a Python `create_function`
 * owner, or one made here with that layout) as Python's `remove_function` does: it asks the owner to
 * stop and the owner removes the segment. 3 then means its mutex stayed locked for `timeoutMs`.
 *
 * @throws {IpcError} INVALID_NAME; WRONG_KIND when `name` is not a shared function; CORRUPT when its live segment's header lies about its own layout
 * @example
 * ```ts
 * import { removeFunction } from 'membridge';
 * if (removeFunction('add') === 2) console.log('nobody served "add"');
 * ```
 */
export function removeFunction(name: string, timeoutOrOptions: number | RemoveFunctionOptions = 2000): RemoveFunctionResult {
  const options = typeof timeoutOrOptions === 'number' ? { timeoutMs: timeoutOrOptions } : timeoutOrOptions;
  const timeoutMs = options.timeoutMs ?? 2000;
  if (options.layout === 'sysframe') return removeSysframeFunction(name, timeoutMs);
  if (options.layout !== undefined && options.layout !== 'membridge') throw new TypeError(`Cannot remove function "${name}" with layout "${String(options.layout)}": use "membridge" or "sysframe"`);
  const local = served.get(name);
  if (local) {
    local.stop(true);
    return 1;
  }
  const segmentName = objectSegmentName(name, 'shared function');
  let seg: SegmentMapping;
  try {
    seg = SegmentMapping.open(segmentName);
  } catch (err) {
    if (err instanceof IpcError && err.code === 'NOT_FOUND') return 2;
    throw err;
  }
  const core = runtime().core;
  try {
    const status = segmentStatus(seg);
    if (status.header !== 'ours') {
      throw new IpcError('WRONG_KIND', `Cannot remove function "${name}": the segment was not made by membridge`, { name });
    }
    const { state, creatorPid: pid, creatorStamp: stamp } = status;
    if (state === SegmentState.READY && core.segKind(seg.ptr) !== SegmentKind.FUNCTION) {
      throw new IpcError('WRONG_KIND', `Cannot remove function "${name}": the segment holds something else`, { name });
    }
    // Still being created by a live process: there is no function to remove yet.
    if (state === SegmentState.INITIALISING && isInUse(status)) return 2;
    if (state === SegmentState.READY && isInUse(status)) {
      // The STOP bit and the server's doorbell are addressed through the header: validate it
      // against the file first, then use the offsets read once (another process may rewrite them).
      const rc = ringCore();
      const payloadOffset = core.segPayloadOffset(seg.ptr);
      const payloadSize = core.segPayloadSize(seg.ptr);
      if (core.segValidate(seg.ptr, BigInt(seg.size), SegmentKind.FUNCTION, 0) !== 0 || payloadSize < rc.chanHeaderSize() || payloadOffset + rc.chanHeaderSize() > seg.size) {
        throw new IpcError('CORRUPT', `Cannot remove function "${name}": its segment header contradicts itself or the file size (${seg.size} bytes); remove it with \`membridge rm\` after checking what it is`, { name });
      }
      const payload = seg.ptr + payloadOffset;
      rc.chanSetControl(payload, CONTROL_STOP);
      new Doorbell(rc.chanServerBell(payload)).ring();
      // The owner closes the segment (and removes its name) from its event loop.
      const deadline = performance.now() + timeoutMs;
      while (core.segState(seg.ptr) === SegmentState.READY && isProcessAlive(pid, stamp) && performance.now() < deadline) sleepMs(2);
      if (core.segState(seg.ptr) === SegmentState.READY && isProcessAlive(pid, stamp)) return 3;
      // A live owner that stopped removed its name itself; removing it again could hit a successor.
      if (core.segState(seg.ptr) === SegmentState.CLOSED) return 1;
    }
    // Its owner died (or closed it without removing the name): remove the name, unless another
    // process claimed that first (a restarting owner, another removeFunction): it goes either way.
    try {
      removeStaleName(segmentName, seg);
      return 1;
    } catch {
      return 3;
    }
  } finally {
    seg.unmap();
  }
}
