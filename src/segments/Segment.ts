// The segment protocol every kind of membridge segment follows (layout: assembly/segmentHeader.ts,
// docs/layout.md#segment-header): exclusive creation, a header filled while the state says
// "initialising", publication with one release store, and openers that wait for "ready" with a
// timeout and fail with a typed error for every way a segment can be wrong.
import type { AllowedUsers } from './segmentOwner.ts';
import { IpcError } from '../errors/IpcError.ts';
import { SegmentMapping, unlinkSegment, type CreateOptions } from './SegmentMapping.ts';
import { selfIdentity } from '../platform/processIdentity.ts';
import { Backoff } from '../platform/sleep.ts';
import { creatorDied } from './staleSegment.ts';
import { runtime } from '../platform/runtime.ts';
import {
  SEGMENT_E_CLOSED, SEGMENT_E_CORRUPT, SEGMENT_E_KIND, SEGMENT_E_NOT_OURS, SEGMENT_E_NOT_READY, SEGMENT_E_TOO_SMALL, SEGMENT_E_VERSION,
  SEGMENT_STATE_READY, SEGMENT_VALID,
} from '../platform/coreAbi.generated.ts';
import { kindName } from './SegmentKind.ts';

/** What a segment header says. */
export interface SegmentInfo {
  readonly kind: number;
  readonly version: number;
  readonly capacity: number;
  readonly creatorPid: number;
  readonly creatorStamp: number;
  readonly generation: number;
  readonly payloadOffset: number;
  readonly payloadSize: number;
  readonly created: Date;
}

export interface CreateSegmentOptions extends CreateOptions {
  kind: number;
  /** Layout version of the kind-specific part. */
  version: number;
  /** Bytes the kind needs after the header. */
  payloadSize: number;
  generation?: number;
  /** Fills the payload before the segment is published; `ptr` is the payload's address. */
  init?: (segment: Segment, ptr: number) => void;
}

export interface OpenSegmentOptions {
  /** Expected kind (0: any). */
  kind: number;
  /** Expected layout version (0: any). */
  version: number;
  /** How long to wait for a segment that is still initialising (default 1000 ms). */
  timeoutMs?: number;
  /** Fault every page in while mapping, so the first pass over the data pays no page faults. */
  populate?: boolean;
  /** Other users whose segments to accept (default none: PERMISSION_DENIED). */
  allowOtherUsers?: AllowedUsers;
}

type Validation = 'OK' | 'TOO_SMALL' | 'NOT_OURS' | 'NOT_READY' | 'CLOSED' | 'VERSION' | 'KIND' | 'CORRUPT';
/** segValidate's results (declared in assembly/segmentHeader.ts) by name. */
const VALIDATION: Readonly<Record<number, Validation>> = {
  [SEGMENT_VALID]: 'OK',
  [SEGMENT_E_TOO_SMALL]: 'TOO_SMALL',
  [SEGMENT_E_NOT_OURS]: 'NOT_OURS',
  [SEGMENT_E_NOT_READY]: 'NOT_READY',
  [SEGMENT_E_CLOSED]: 'CLOSED',
  [SEGMENT_E_VERSION]: 'VERSION',
  [SEGMENT_E_KIND]: 'KIND',
  [SEGMENT_E_CORRUPT]: 'CORRUPT',
};

export class Segment {
  private constructor(
    readonly segment: SegmentMapping,
    readonly info: SegmentInfo,
  ) {}

  get name(): string {
    return this.segment.name;
  }

  /** Address of the payload's first byte in the WebAssembly memory. */
  get payloadPtr(): number {
    return this.segment.ptr + this.info.payloadOffset;
  }

  /** Address of byte `offset` of the payload, bounds-checked against the payload. */
  at(offset: number, length = 1): number {
    if (!Number.isInteger(offset) || offset < 0 || length < 0 || offset + length > this.info.payloadSize) {
      throw new RangeError(`Cannot access payload bytes ${offset}..${offset + length} of segment "${this.name}": the payload has ${this.info.payloadSize} bytes`);
    }
    return this.segment.at(this.info.payloadOffset + offset, length);
  }

  /** Whether the header still says "ready" (a closed segment says "closed"). */
  get isReady(): boolean {
    return this.segment.isMapped && runtime().core.segState(this.segment.ptr) === SEGMENT_STATE_READY;
  }

  /**
   * Creates, initialises and publishes a segment.
   * @throws {IpcError} ALREADY_EXISTS, INVALID_NAME, PERMISSION_DENIED, NO_SPACE
   */
  static create(name: string, options: CreateSegmentOptions): Segment {
    const core = runtime().core;
    const headerSize = core.segHeaderSize();
    const { payloadSize } = options;
    if (!Number.isSafeInteger(payloadSize) || payloadSize < 0 || payloadSize > 0xffff_0000 - headerSize) {
      throw new RangeError(`Cannot create segment "${name}" with a payload of ${payloadSize} bytes: it must be an integer from 0 to ${0xffff_0000 - headerSize}`);
    }
    const capacity = headerSize + payloadSize;
    const seg = SegmentMapping.create(name, capacity, options);
    try {
      const me = selfIdentity();
      core.segInit(seg.ptr, options.kind, options.version, BigInt(capacity), me.pid, me.stamp, options.generation ?? 1, payloadSize, BigInt(Date.now()));
      const shared = new Segment(seg, readInfo(seg.ptr));
      options.init?.(shared, shared.payloadPtr);
      core.segPublish(seg.ptr);
      return shared;
    } catch (err) {
      seg.unmap();
      unlinkSegment(name);
      throw err;
    }
  }

  /**
   * Opens a segment, waiting up to `timeoutMs` for it to become ready.
   * @throws {IpcError} NOT_FOUND, NOT_READY, VERSION_MISMATCH, WRONG_KIND, CORRUPT, CLOSED, PERMISSION_DENIED
   */
  static open(name: string, options: OpenSegmentOptions): Segment {
    const deadline = performance.now() + (options.timeoutMs ?? 1000);
    const pause = new Backoff(0.05, 20);
    for (;;) {
      let seg: SegmentMapping;
      try {
        seg = SegmentMapping.open(name, { populate: options.populate ?? false, allowOtherUsers: options.allowOtherUsers });
      } catch (err) {
        // A zero-sized file is a creator between shm_open and ftruncate.
        if (!(err instanceof IpcError && err.code === 'NOT_READY') || performance.now() >= deadline) throw err;
        pause.sleep();
        continue;
      }
      const result = VALIDATION[runtime().core.segValidate(seg.ptr, BigInt(seg.size), options.kind, options.version)] ?? 'CORRUPT';
      if (result === 'OK') {
        // The header was checked in shared memory, where it can change right after the check:
        // what this process keeps is its own copy, checked again (docs/layout.md, "What a process
        // trusts, and when it checks it").
        const info = readInfo(seg.ptr);
        if (geometryFits(info, seg.size)) return new Segment(seg, info);
        seg.unmap();
        throw new IpcError('CORRUPT', `Cannot open segment "${name}": its header contradicts itself or the file size (${seg.size} bytes)`, { name });
      }
      const error = explain(result, name, seg, options);
      seg.unmap();
      if (error) throw error;
      // Still initialising: give up early if its creator died before finishing.
      if (performance.now() >= deadline || creatorDied(name)) {
        throw new IpcError('NOT_READY', `Cannot open segment "${name}": it is still initialising after ${options.timeoutMs ?? 1000} ms${creatorDied(name) ? ' and its creator is dead' : ''}`, { name });
      }
      pause.sleep();
    }
  }

  /** Marks the segment closed for everyone (the state word), without unmapping or removing it. */
  markClosed(): void {
    runtime().core.segClose(this.segment.ptr);
  }

  /** Unmaps this process's window. */
  unmap(): void {
    this.segment.unmap();
  }
}

function readInfo(ptr: number): SegmentInfo {
  const core = runtime().core;
  return {
    kind: core.segKind(ptr),
    version: core.segVersion(ptr),
    capacity: Number(core.segCapacity(ptr)),
    creatorPid: core.segCreatorPid(ptr),
    creatorStamp: core.segCreatorStamp(ptr),
    generation: core.segGeneration(ptr),
    payloadOffset: core.segPayloadOffset(ptr),
    payloadSize: core.segPayloadSize(ptr),
    created: new Date(Number(core.segCreated(ptr))),
  };
}

/** The checks of segValidate (assembly/segmentHeader.ts) on sizes, applied to a private copy. */
function geometryFits(info: SegmentInfo, fileSize: number): boolean {
  const header = runtime().core.segHeaderSize();
  return (
    info.capacity >= header &&
    info.capacity <= fileSize &&
    info.payloadOffset >= header &&
    info.payloadOffset % 64 === 0 &&
    info.payloadOffset + info.payloadSize <= info.capacity
  );
}

function explain(result: Validation, name: string, seg: SegmentMapping, want: OpenSegmentOptions): IpcError | undefined {
  const core = runtime().core;
  const opts = { name };
  switch (result) {
    case 'NOT_READY':
      return undefined;
    case 'TOO_SMALL':
      return new IpcError('CORRUPT', `Cannot open segment "${name}": it has ${seg.size} bytes, fewer than a header`, opts);
    case 'NOT_OURS':
      return new IpcError('WRONG_KIND', `Cannot open segment "${name}": it is not a membridge segment (magic 0x${(core.segMagic(seg.ptr) >>> 0).toString(16)})`, opts);
    case 'CLOSED':
      return new IpcError('CLOSED', `Cannot open segment "${name}": its owner closed it`, opts);
    case 'VERSION':
      return new IpcError('VERSION_MISMATCH', `Cannot open segment "${name}": it has layout version ${core.segVersion(seg.ptr)}, this membridge reads version ${want.version}`, opts);
    case 'KIND':
      return new IpcError('WRONG_KIND', `Cannot open segment "${name}" as ${kindName(want.kind)}: it holds ${kindName(core.segKind(seg.ptr))}`, opts);
    default:
      return new IpcError('CORRUPT', `Cannot open segment "${name}": its header contradicts itself or the file size (${seg.size} bytes)`, opts);
  }
}

/**
 * Reads a segment's header without expectations, for inspection tools. Returns undefined for a
 * segment that is not a ready membridge segment.
 */
export function inspectSegment(name: string): SegmentInfo | undefined {
  try {
    const s = Segment.open(name, { kind: 0, version: 0, timeoutMs: 0, allowOtherUsers: true });
    const info = s.info;
    s.unmap();
    return info;
  } catch {
    return undefined;
  }
}
