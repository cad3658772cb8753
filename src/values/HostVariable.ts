// A shared variable: a fixed-size, multi-slot "latest value" cell that any number of processes
// read and write (robot-ipc's host_variable, without its failure modes). Layout: one segment
// "mb.<name>" whose payload is a value-slots area (docs/layout.md#shared-variables).
import { assertMembridgeFile } from '../segments/assertMembridgeFile.ts';
import type { AllowedUsers } from '../segments/segmentOwner.ts';
import { IpcError } from '../errors/IpcError.ts';
import { unlinkSegment } from '../segments/SegmentMapping.ts';
import { openOrCreateSegment } from '../segments/openOrCreateSegment.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { Segment } from '../segments/Segment.ts';
import { decodeStoredValue, encodeStoredValueTransient, type ValueReadOptions } from './valueCodec.ts';
import { checkValueName, entrySegmentName } from './valueNames.ts';
import { initValueArea, MAX_SLOTS, ValueSlots, valueAreaSize } from './ValueSlots.ts';
import { waitForVersion, type WaitForChangeOptions } from './waitForVersion.ts';
import { VARIABLE_LAYOUT_VERSION } from '../platform/coreAbi.generated.ts';

/** Layout version of shared-variable segments. */
const VARIABLE_VERSION = VARIABLE_LAYOUT_VERSION;

/** Options of {@link HostVariable}. */
export interface HostVariableOptions {
  /**
   * Largest encoded value in bytes (default 65536). Used only by the process that creates the
   * variable; every other party takes it from the segment.
   */
  maxSize?: number;
  /** Number of slots, 2 to 127 (default 4). Also taken from the segment when it exists. */
  slots?: number;
  /** Create the variable when it does not exist (default true). */
  create?: boolean;
  /** File mode when creating (default 0o600). */
  mode?: number;
  /** How long to wait for a segment another process is still initialising (default 1000 ms). */
  openTimeoutMs?: number;
  /** How long a write waits for a free slot (default 5000 ms). */
  writeTimeoutMs?: number;
  /** `data` and `read()` decode losslessly (see ValueReadOptions; `read()` can override). Default false. */
  lossless?: boolean;
  /**
   * Accept the segment of another user: true, or a list of user ids (default: only this process's
   * user; another user's variable of that name gives PERMISSION_DENIED).
   */
  allowOtherUsers?: AllowedUsers;
}

/** A value read from a shared variable or a named memory, with the version it was written as. */
export interface VersionedValue<T = unknown> {
  readonly value: T;
  /** Increases with every published write; never 0 for a written value. */
  readonly version: number;
}

/**
 * A named variable in shared memory that any process on the host reads and writes. Reads return
 * the newest complete value (never a torn one), write nothing to shared memory and never wait for
 * a writer; a writer killed at any instruction cannot block the others.
 *
 * Values are stored pybytes-encoded. Size and slot count come from the segment, so every party
 * agrees on them whatever it passed.
 *
 * @example
 * ```ts
 * import { HostVariable } from 'membridge';
 * const pose = new HostVariable<{ x: number; y: number }>('robot.pose', { maxSize: 256 });
 * pose.data = { x: 1.5, y: -2 };
 * console.log(pose.data, pose.version); // { x: 1.5, y: -2 } 1
 * const v = await pose.waitForChange(pose.version, { timeoutMs: 1000 }).catch(() => pose.version);
 * pose.close();
 * ```
 */
export class HostVariable<T = unknown> {
  /** Largest encoded value in bytes, as recorded in the segment. */
  readonly maxSize: number;
  /** Number of slots, as recorded in the segment. */
  readonly slots: number;
  /** Whether this handle created the segment. */
  readonly created: boolean;
  private readonly segment: Segment;
  private readonly cell: ValueSlots;
  private readonly writeTimeoutMs: number;
  private readonly readOptions: ValueReadOptions;
  private lastSeen = 0;
  private closed = false;

  /**
   * Opens the variable `name`, creating it when it does not exist.
   * @throws {IpcError} NOT_FOUND (create: false), INVALID_NAME, WRONG_KIND, VERSION_MISMATCH, CORRUPT, NOT_READY, PERMISSION_DENIED, NO_SPACE
   * @throws {RangeError} for a maxSize or slot count out of range
   */
  constructor(readonly name: string, options: HostVariableOptions = {}) {
    checkValueName(name, 'shared variable');
    const maxSize = options.maxSize ?? 65536;
    const slots = options.slots ?? 4;
    if (!Number.isSafeInteger(maxSize) || maxSize < 1 || maxSize > 0x7fff_0000) throw new RangeError(`Cannot create shared variable "${name}" with maxSize ${maxSize}: it must be an integer from 1 to ${0x7fff_0000}`);
    if (!Number.isInteger(slots) || slots < 2 || slots > MAX_SLOTS) throw new RangeError(`Cannot create shared variable "${name}" with ${slots} slots: use 2 to ${MAX_SLOTS}`);
    const segName = entrySegmentName(name);
    const payloadSize = valueAreaSize(slots, maxSize);
    if (payloadSize > 0xffff_0000 - 64) throw new RangeError(`Cannot create shared variable "${name}": ${slots} slots of ${maxSize} bytes exceed the 4 GiB segment limit`);
    const { segment, created } = openOrCreateSegment(
      segName,
      { kind: SegmentKind.VARIABLE, version: VARIABLE_VERSION, timeoutMs: options.openTimeoutMs ?? 1000, allowOtherUsers: options.allowOtherUsers },
      options.create === false
        ? undefined
        : () =>
            Segment.create(segName, {
              kind: SegmentKind.VARIABLE,
              version: VARIABLE_VERSION,
              payloadSize,
              mode: options.mode,
              init: (_s, ptr) => initValueArea(ptr, slots, maxSize),
            }),
    );
    try {
      this.cell = new ValueSlots(segment.payloadPtr, segment.info.payloadSize, `shared variable "${name}"`);
    } catch (err) {
      segment.unmap();
      throw err;
    }
    this.segment = segment;
    this.created = created;
    this.maxSize = this.cell.slotSize;
    this.slots = this.cell.slotCount;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 5000;
    this.readOptions = { lossless: options.lossless === true };
  }

  /**
   * The newest value (undefined when nothing was written yet); assigning writes it host-wide.
   * @throws {IpcError} TOO_LARGE when the encoded value exceeds maxSize, CLOSED, TIMED_OUT
   */
  get data(): T | undefined {
    return this.read()?.value;
  }

  set data(value: T) {
    this.write(value);
  }

  /**
   * The newest value with its version, or undefined when nothing was written yet.
   * @throws {IpcError} CLOSED, NOT_FOUND (removed), TIMED_OUT (writers outran the copy for 2 s)
   */
  read(options: ValueReadOptions = this.readOptions): VersionedValue<T> | undefined {
    const got = this.slotsOrThrow().read(true);
    if (!got) return undefined;
    this.lastSeen = got.version;
    return { value: decodeStoredValue(got.bytes, this.what, options) as T, version: got.version };
  }

  /**
   * Writes `value` and returns the version it was written as. Of two concurrent writes the one
   * with the higher version wins; the other is never visible.
   * @throws {IpcError} TOO_LARGE when the encoded value exceeds maxSize, CLOSED, TIMED_OUT
   */
  write(value: T): number {
    const cell = this.slotsOrThrow();
    // Copied into a slot below before anything else can encode.
    const bytes = encodeStoredValueTransient(value, this.what);
    if (bytes.length > this.maxSize) {
      throw new IpcError('TOO_LARGE', `Cannot write to ${this.what}: the value takes ${bytes.length} bytes encoded, more than its maxSize of ${this.maxSize} bytes`, { name: this.name });
    }
    const out = cell.write(bytes, this.writeTimeoutMs);
    this.lastSeen = out.version;
    return out.version;
  }

  /** Version of the newest value (0: never written). Compare it with an earlier one to see whether the value changed. */
  get version(): number {
    return this.slotsOrThrow().version;
  }

  /**
   * Resolves with the new version once the value's version differs from `since` (default: the
   * version this handle last read or wrote).
   * @throws {IpcError} TIMED_OUT, ABORTED, CLOSED
   * @example
   * ```ts
   * const v = new HostVariable('status');
   * const version = await v.waitForChange(v.version, { timeoutMs: 5000 });
   * ```
   */
  waitForChange(since: number = this.lastSeen, options?: WaitForChangeOptions): Promise<number> {
    const cell = this.slotsOrThrow();
    return waitForVersion(cell.bell, () => cell.version, since, this.what, options);
  }

  /** Whether the variable was removed (by any process) since this handle opened it. */
  get removed(): boolean {
    return !this.closed && !this.segment.isReady;
  }

  /** Unmaps this handle; the variable stays for the other processes. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.segment.unmap();
  }

  /**
   * Removes the variable. Handles open in any process then fail with NOT_FOUND (their mappings
   * stay valid); a new variable of that name is a new segment. Returns false when it did not exist.
   * @throws {IpcError} INVALID_NAME, PERMISSION_DENIED, WRONG_KIND (the name is named memory)
   * @example
   * ```ts
   * HostVariable.remove('robot.pose');
   * ```
   */
  static remove(name: string): boolean {
    checkValueName(name, 'shared variable');
    try {
      // Closed first, so that handles in other processes stop using it (see `removed`).
      const seg = Segment.open(entrySegmentName(name), { kind: SegmentKind.VARIABLE, version: 0, timeoutMs: 0 });
      seg.markClosed();
      seg.unmap();
    } catch (err) {
      // Named memory of that name is not ours to remove (its data segments would be orphaned),
      // nor is a file membridge did not make, nor another user's.
      if (err instanceof IpcError && err.code === 'WRONG_KIND') {
        throw new IpcError('WRONG_KIND', `Cannot remove shared variable "${name}": ${/holds named memory|holds memory/.test(err.message) ? 'it is named memory (use removeMemory)' : err.message.replace(/^Cannot open segment [^:]*: /, '')}`, { name, cause: err });
      }
      if (err instanceof IpcError && err.code === 'PERMISSION_DENIED') throw err;
    }
    assertMembridgeFile(entrySegmentName(name), `shared variable "${name}"`);
    try {
      unlinkSegment(entrySegmentName(name));
      return true;
    } catch (err) {
      if (err instanceof IpcError && err.code === 'NOT_FOUND') return false;
      throw err;
    }
  }

  private get what(): string {
    return `shared variable "${this.name}"`;
  }

  private slotsOrThrow(): ValueSlots {
    if (this.closed) throw new IpcError('CLOSED', `Cannot use ${this.what}: this handle was closed`, { name: this.name });
    if (!this.segment.isReady) throw new IpcError('NOT_FOUND', `Cannot use ${this.what}: it was removed`, { name: this.name });
    return this.cell;
  }
}
