// Named memory that sizes itself: a fixed directory segment "mb.<name>" names the current data
// generation "mbd.<gen>.<name>" (a value-slots area). A value larger than the current slots moves
// the value to a larger generation; readers follow the directory; nothing is shrunk or
// truncated under anybody's mapping. Layout and protocol: docs/layout.md#named-memory.
import { assertMembridgeFile } from '../segments/assertMembridgeFile.ts';
import type { AllowedUsers } from '../segments/segmentOwner.ts';
import { IpcError } from '../errors/IpcError.ts';
import type { VersionedValue } from './HostVariable.ts';
import { Doorbell } from '../segments/Doorbell.ts';
import { listSegments, unlinkSegment } from '../segments/SegmentMapping.ts';
import { openOrCreateSegment } from '../segments/openOrCreateSegment.ts';
import { runtime } from '../platform/runtime.ts';
import type { CoreExports } from '../platform/coreAbi.generated.ts';
import { MEMORY_DATA_LAYOUT_VERSION, MEMORY_DIRECTORY_LAYOUT_VERSION } from '../platform/coreAbi.generated.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { OwnerLock } from '../segments/OwnerLock.ts';
import { Segment } from '../segments/Segment.ts';
import { decodeStoredValue, encodeStoredValueTransient, type ValueReadOptions } from './valueCodec.ts';
import { checkValueName, DATA_PREFIX, dataSegmentName, entrySegmentName, parseDataSegmentName } from './valueNames.ts';
import { initValueArea, ValueSlots, valueAreaSize, type SlotValue } from './ValueSlots.ts';
import { waitForVersion, type WaitForChangeOptions } from './waitForVersion.ts';
import { sleepMs } from '../platform/sleep.ts';

const DIRECTORY_VERSION = MEMORY_DIRECTORY_LAYOUT_VERSION;
const DATA_VERSION = MEMORY_DATA_LAYOUT_VERSION;
/** Generation 1 is one 4 KiB page: 4 slots of 960 bytes after the slot table. */
const FIRST_SLOT_SIZE = 960;
/** Largest slot: 4 GiB segments and a 4 GiB WebAssembly memory make larger values impractical. */
const MAX_SLOT_SIZE = 1024 * 1024 * 1024;

/** The core module's exports (the directory: assembly/memoryDirectory.ts). */
function dir(): CoreExports {
  return runtime().core;
}

// Fewer slots for large values: every slot costs its full size in /dev/shm.
function slotCountFor(slotSize: number): number {
  return slotSize <= 1 << 20 ? 4 : slotSize <= 64 << 20 ? 3 : 2;
}

// Doubles, or jumps straight to what the value needs (rounded to 64 bytes).
function nextSlotSize(current: number, need: number): number {
  return Math.max(current * 2, Math.ceil(need / 64) * 64);
}

interface Generation {
  readonly number: number;
  readonly segment: Segment;
  readonly cell: ValueSlots;
}

/** Options of {@link SharedMemory}. */
export interface SharedMemoryOptions {
  /** File mode of segments this handle creates (default 0o600). */
  mode?: number;
  /** How long to wait for a segment another process is still initialising (default 1000 ms). */
  openTimeoutMs?: number;
  /** How long a write waits for a free slot or for another process's growth (default 5000 ms). */
  writeTimeoutMs?: number;
  /**
   * Accept the segments of other users: true, or a list of user ids (default: only this process's
   * user; another user's segment of that name gives PERMISSION_DENIED).
   */
  allowOtherUsers?: AllowedUsers;
}

/**
 * Named memory: a value any process can read and write, with no size given anywhere. Readers get
 * one complete value (never torn), write nothing to shared memory and never wait for writers; a
 * writer killed at any instruction cannot block the others. A larger value moves the data to a
 * larger segment generation that readers follow.
 *
 * The functions `createMemory`, `writeMemory`, `readMemory` and `removeMemory` wrap this class
 * with the Python module's calling conventions; use the class for repeated access.
 *
 * @example
 * ```ts
 * import { SharedMemory } from 'membridge';
 * const m = SharedMemory.openOrCreate('config');
 * m.write({ rate: 50, axes: ['x', 'y'] });
 * console.log(m.read()); // { value: { rate: 50, axes: ['x', 'y'] }, version: 1 }
 * m.close();
 * ```
 */
export class SharedMemory {
  private gen: Generation | undefined;
  private readonly bell: Doorbell;
  private readonly lock: OwnerLock;
  private lastSeen = 0;
  private closed = false;

  private constructor(
    readonly name: string,
    private readonly directory: Segment,
    /** Whether this handle created the memory. */
    readonly created: boolean,
    private readonly options: SharedMemoryOptions,
  ) {
    const d = dir();
    this.bell = new Doorbell(directory.payloadPtr + d.dirBellOffset());
    this.lock = new OwnerLock(directory.payloadPtr + d.dirLockOffset(), `grow lock of named memory "${name}"`);
  }

  /**
   * Creates the named memory; fails when it exists.
   * @throws {IpcError} ALREADY_EXISTS, INVALID_NAME, PERMISSION_DENIED, NO_SPACE
   */
  static create(name: string, options: SharedMemoryOptions = {}): SharedMemory {
    checkValueName(name, 'named memory');
    return new SharedMemory(name, createDirectory(name, options), true, options);
  }

  /**
   * Opens an existing named memory.
   * @throws {IpcError} NOT_FOUND, NOT_READY, WRONG_KIND, VERSION_MISMATCH, CORRUPT, PERMISSION_DENIED
   */
  static open(name: string, options: SharedMemoryOptions = {}): SharedMemory {
    return SharedMemory.openWith(name, options, false);
  }

  /**
   * Opens the named memory, creating it when it does not exist.
   * @throws {IpcError} INVALID_NAME, NOT_READY, WRONG_KIND, VERSION_MISMATCH, CORRUPT, PERMISSION_DENIED, NO_SPACE
   */
  static openOrCreate(name: string, options: SharedMemoryOptions = {}): SharedMemory {
    return SharedMemory.openWith(name, options, true);
  }

  private static openWith(name: string, options: SharedMemoryOptions, create: boolean): SharedMemory {
    checkValueName(name, 'named memory');
    const { segment, created } = openOrCreateSegment(
      entrySegmentName(name),
      { kind: SegmentKind.MEMORY, version: DIRECTORY_VERSION, timeoutMs: options.openTimeoutMs ?? 1000, allowOtherUsers: options.allowOtherUsers },
      create ? () => createDirectory(name, options) : undefined,
    );
    const m = new SharedMemory(name, segment, created, options);
    if (m.removed) {
      segment.unmap();
      throw new IpcError('NOT_FOUND', `Cannot open named memory "${name}": it was removed`, { name });
    }
    return m;
  }

  /**
   * Removes the named memory (its directory and every data generation). Processes that have it
   * open see it as removed; their mappings stay valid. Returns false when it did not exist.
   * @throws {IpcError} INVALID_NAME, PERMISSION_DENIED, WRONG_KIND (the name is a shared variable)
   * @example
   * ```ts
   * SharedMemory.remove('config');
   * ```
   */
  static remove(name: string): boolean {
    checkValueName(name, 'named memory');
    const entry = entrySegmentName(name);
    let existed = false;
    try {
      // Closed first, so that open handles stop writing before their data disappears.
      const d = Segment.open(entry, { kind: SegmentKind.MEMORY, version: 0, timeoutMs: 0 });
      d.markClosed();
      d.unmap();
    } catch (err) {
      // A shared variable (or a foreign file) of that name is not ours to remove, nor is another
      // user's; anything else of ours (half-made, corrupt, closed) is removed below all the same.
      if (err instanceof IpcError && (err.code === 'WRONG_KIND' || err.code === 'PERMISSION_DENIED')) {
        throw new IpcError(err.code, `Cannot remove named memory "${name}": ${err.message.replace(/^Cannot open segment [^:]*: /, '')}`, { name, cause: err });
      }
    }
    assertMembridgeFile(entry, `named memory "${name}"`);
    try {
      unlinkSegment(entry);
      existed = true;
    } catch (err) {
      if (!(err instanceof IpcError && err.code === 'NOT_FOUND')) throw err;
    }
    removeDataSegments(name);
    return existed;
  }

  /** Whether another process removed this memory (its directory says "closed"). */
  get removed(): boolean {
    return !this.directory.isReady;
  }

  /** Version of the newest value (0: never written). */
  get version(): number {
    return this.current().cell.version;
  }

  /** Number of the data generation in use (1 at creation, +1 per growth). */
  get generation(): number {
    return this.current().number;
  }

  /** Largest encoded value the current generation holds without growing. */
  get capacity(): number {
    return this.current().cell.slotSize;
  }

  /**
   * The newest value with its version, or undefined when nothing was written yet.
   * `{ lossless: true }` decodes to the lossless value classes (see ValueReadOptions).
   * @throws {IpcError} NOT_FOUND (removed), CLOSED, CORRUPT, TIMED_OUT
   */
  read(options?: ValueReadOptions): VersionedValue | undefined {
    // Decoded at once: the bytes may be a transient view (ValueSlots.read).
    const got = this.readSlot(true);
    return got && { value: decodeStoredValue(got.bytes, this.what, options), version: got.version };
  }

  /** read() without decoding: the stored (pybytes) bytes. */
  readBytes(): SlotValue | undefined {
    return this.readSlot(false);
  }

  private readSlot(transient: boolean): SlotValue | undefined {
    const got = this.current().cell.read(transient);
    if (got) this.lastSeen = got.version;
    return got;
  }

  /**
   * Writes `value` (any size) and returns its version.
   * @throws {IpcError} NOT_FOUND (removed), TOO_LARGE (over 1 GiB encoded), TIMED_OUT, CLOSED
   */
  write(value: unknown): number {
    // writeBytes copies it into a slot before anything else can encode.
    return this.writeBytes(encodeStoredValueTransient(value, this.what));
  }

  /** write() of already-encoded (pybytes) bytes. */
  writeBytes(bytes: Uint8Array): number {
    if (bytes.length > MAX_SLOT_SIZE) {
      throw new IpcError('TOO_LARGE', `Cannot write ${bytes.length} bytes to ${this.what}: named memory holds at most ${MAX_SLOT_SIZE} bytes`, { name: this.name });
    }
    for (let attempt = 0; ; attempt++) {
      const gen = this.current();
      if (bytes.length <= gen.cell.slotSize) {
        const out = gen.cell.write(bytes, this.options.writeTimeoutMs ?? 5000);
        if (out.status !== 'frozen') {
          this.bell.ring();
          this.lastSeen = out.version;
          return out.version;
        }
      }
      if (attempt >= 64) throw new IpcError('TIMED_OUT', `Cannot write to ${this.what}: its generation kept changing`, { name: this.name });
      this.grow(gen, bytes.length);
    }
  }

  /**
   * Resolves with the new version once the version differs from `since` (default: the version
   * this handle last read or wrote).
   * @throws {IpcError} TIMED_OUT, ABORTED, NOT_FOUND (removed), CLOSED
   */
  waitForChange(since: number = this.lastSeen, options?: WaitForChangeOptions): Promise<number> {
    this.current();
    return waitForVersion(this.bell, () => this.current().cell.version, since, this.what, options);
  }

  /** Unmaps this handle; the memory stays for other processes. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.gen?.segment.unmap();
    this.gen = undefined;
    this.directory.unmap();
  }

  private get what(): string {
    return `named memory "${this.name}"`;
  }

  // The generation the directory names now, mapped.
  private current(): Generation {
    if (this.closed) throw new IpcError('CLOSED', `Cannot use ${this.what}: this handle was closed`, { name: this.name });
    if (this.removed) throw new IpcError('NOT_FOUND', `Cannot use ${this.what}: it was removed`, { name: this.name });
    const d = dir();
    const dirPtr = this.directory.payloadPtr;
    let number = d.dirCurrent(dirPtr);
    if (this.gen?.number === number) return this.gen;
    for (let attempt = 0; attempt < 50; attempt++) {
      if (this.removed) throw new IpcError('NOT_FOUND', `Cannot use ${this.what}: it was removed`, { name: this.name });
      let segment: Segment;
      try {
        segment = Segment.open(dataSegmentName(this.name, number), { kind: SegmentKind.MEMORY_DATA, version: DATA_VERSION, timeoutMs: this.options.openTimeoutMs ?? 1000, allowOtherUsers: this.options.allowOtherUsers });
      } catch (err) {
        // A grower replaced it between our load of the directory and the open: look again.
        if (!(err instanceof IpcError) || (err.code !== 'NOT_FOUND' && err.code !== 'CLOSED')) throw err;
        const now = d.dirCurrent(dirPtr);
        if (now === number) sleepMs(1);
        number = now;
        continue;
      }
      let cell: ValueSlots;
      try {
        if (segment.info.generation !== number) throw new IpcError('CORRUPT', `Cannot use ${this.what}: data segment ${number} says it is generation ${segment.info.generation}`);
        cell = new ValueSlots(segment.payloadPtr, segment.info.payloadSize, this.what);
      } catch (err) {
        segment.unmap();
        throw err;
      }
      this.gen?.segment.unmap();
      this.gen = { number, segment, cell };
      return this.gen;
    }
    throw new IpcError('CORRUPT', `Cannot use ${this.what}: its directory names data generation ${number}, which does not exist`, { name: this.name });
  }

  // Moves the value to generation gen+1, large enough for `need` bytes. Under the grow lock, so
  // growers never race; a grower that died holding it is taken over, and whatever it left
  // half-done (a frozen old generation, a half-built new one) is redone.
  private grow(gen: Generation, need: number): void {
    const d = dir();
    const dirPtr = this.directory.payloadPtr;
    this.lock.acquire(this.options.writeTimeoutMs ?? 5000);
    try {
      if (this.removed) throw new IpcError('NOT_FOUND', `Cannot write to ${this.what}: it was removed`, { name: this.name });
      if (d.dirCurrent(dirPtr) !== gen.number) return; // another writer moved it already
      const slotSize = need > gen.cell.slotSize ? nextSlotSize(gen.cell.slotSize, need) : gen.cell.slotSize;
      // From here no writer publishes into the old generation: its last value is final, and is
      // what the new generation starts with.
      gen.cell.freeze();
      const next = gen.number + 1;
      const nextName = dataSegmentName(this.name, next);
      try {
        unlinkSegment(nextName); // left by a grower that died holding the lock
      } catch {
        // usually absent
      }
      const segment = createGeneration(nextName, next, slotSize, this.options, gen.cell);
      // SYNC POINT: readers and writers switch when they next load the directory.
      d.dirSetCurrent(dirPtr, next);
      gen.segment.markClosed();
      try {
        unlinkSegment(gen.segment.name);
      } catch {
        // a removal got there first
      }
      const cell = new ValueSlots(segment.payloadPtr, segment.info.payloadSize, this.what);
      gen.segment.unmap();
      this.gen = { number: next, segment, cell };
    } finally {
      this.lock.release();
    }
  }
}

function createGeneration(segName: string, number: number, slotSize: number, options: SharedMemoryOptions, seedFrom?: ValueSlots): Segment {
  const slots = slotCountFor(slotSize);
  return Segment.create(segName, {
    kind: SegmentKind.MEMORY_DATA,
    version: DATA_VERSION,
    generation: number,
    payloadSize: valueAreaSize(slots, slotSize),
    mode: options.mode,
    init: (s, ptr) => {
      initValueArea(ptr, slots, slotSize);
      if (seedFrom) seedFrom.seedInto(new ValueSlots(ptr, s.info.payloadSize, seedFrom.what));
    },
  });
}

function createDirectory(name: string, options: SharedMemoryOptions): Segment {
  const d = dir();
  return Segment.create(entrySegmentName(name), {
    kind: SegmentKind.MEMORY,
    version: DIRECTORY_VERSION,
    payloadSize: d.dirSize(),
    mode: options.mode,
    init: (_s, ptr) => {
      // We own the name exclusively now: data segments of an earlier memory of that name that
      // died half-removed are leftovers.
      removeDataSegments(name);
      createGeneration(dataSegmentName(name, 1), 1, FIRST_SLOT_SIZE, options).unmap();
      d.dirSetCurrent(ptr, 1);
    },
  });
}

function removeDataSegments(name: string): void {
  for (const seg of listSegments(DATA_PREFIX)) {
    if (parseDataSegmentName(seg)?.name !== name) continue;
    try {
      unlinkSegment(seg);
    } catch {
      // gone already
    }
  }
}
