// A multi-slot "latest value" cell in shared memory (layout and protocol: assembly/valueSlots.ts,
// docs/layout.md#value-slots). The AssemblyScript side does every step that touches shared
// words; this side decides policy: how long a writer waits for a free slot, when it checks
// whether slot holders still live, and how often a reader retries.
import { IpcError } from '../errors/IpcError.ts';
import { Doorbell } from '../segments/Doorbell.ts';
import { isProcessAlive, selfIdentity } from '../platform/processIdentity.ts';
import { sleepMs } from '../platform/sleep.ts';
import { runtime } from '../platform/runtime.ts';
import type { CoreExports } from '../platform/coreAbi.generated.ts';
import { VALUE_EMPTY, VALUE_IS_FROZEN, VALUE_LIE, VALUE_MAX_SLOTS, VALUE_NO_FREE_SLOT, VALUE_NOT_OWNER, VALUE_TOO_LONG } from '../platform/coreAbi.generated.ts';

const NO_FREE_SLOT = VALUE_NO_FREE_SLOT;
const IS_FROZEN = VALUE_IS_FROZEN;
const NOT_OWNER = VALUE_NOT_OWNER;
const EMPTY = VALUE_EMPTY;
const LIE = VALUE_LIE;

/** Largest slot count the layout allows (the published word keeps the slot in 7 bits). */
export const MAX_SLOTS = VALUE_MAX_SLOTS;

/** A value read out of the slots: a private copy, and the version it was published as. */
export interface SlotValue {
  readonly bytes: Uint8Array;
  readonly version: number;
}

/** How a write ended. `frozen`: the area was retired; write into its successor. */
export type WriteStatus = 'published' | 'superseded' | 'frozen';

export interface WriteOutcome {
  readonly status: WriteStatus;
  /** The version the value was written as (0 when frozen). */
  readonly version: number;
}


// A reader gives up only when writers replace the value faster than it can copy it for this long.
const READ_GIVE_UP_MS = 2000;

/** The core module's exports (value areas: assembly/valueSlots.ts). */
export function core(): CoreExports {
  return runtime().core;
}

/** Bytes of payload an area of `slots` slots of `slotSize` bytes needs. */
export function valueAreaSize(slots: number, slotSize: number): number {
  return core().valAreaSize(slots, slotSize);
}

/** Lays out a fresh area (inside a segment's init, before it is published). */
export function initValueArea(area: number, slots: number, slotSize: number): void {
  core().valInit(area, slots, slotSize);
}

// The private copy of transient reads: allocating a fresh ArrayBuffer of more than 64 bytes costs
// 1.5-4 us on Node 20 and Deno here (V8 keeps only smaller ones on its heap), more than the copy.
let scratch = new Uint8Array(4096);

function copyToScratch(ptr: number, length: number): Uint8Array {
  if (scratch.length < length) scratch = new Uint8Array(Math.max(length, scratch.length * 2));
  scratch.set(runtime().u8.subarray(ptr, ptr + length));
  return scratch.subarray(0, length);
}

export class ValueSlots {
  readonly slotCount: number;
  /** Largest value, in bytes, one slot holds. */
  readonly slotSize: number;
  readonly bell: Doorbell;

  /**
   * @param area address of the area (a segment's payload) in the WebAssembly memory
   * @param payloadSize bytes available from `area` on (checked against the area's own geometry)
   * @throws {IpcError} CORRUPT when the area's geometry does not fit in `payloadSize`
   */
  constructor(readonly area: number, payloadSize: number, readonly what: string) {
    const c = core();
    if (payloadSize < c.valAreaHeaderSize()) throw new IpcError('CORRUPT', `Cannot use ${what}: its ${payloadSize}-byte payload is smaller than a slot table`);
    // Read once, checked, kept: the words in the area are never used as geometry again.
    this.slotCount = c.valSlotCount(area);
    this.slotSize = c.valSlotSize(area);
    if (c.valValidate(area, payloadSize, this.slotCount, this.slotSize) !== 0) {
      throw new IpcError('CORRUPT', `Cannot use ${what}: its slot table (${this.slotCount} slots of ${this.slotSize} bytes) does not fit in its ${payloadSize}-byte payload`);
    }
    this.bell = new Doorbell(area + c.valBellOffset());
  }

  /** Version of the newest published value; 0 when nothing was written. */
  get version(): number {
    return core().valVersion(this.area);
  }

  get frozen(): boolean {
    return core().valIsFrozen(this.area) !== 0;
  }

  /**
   * Copies out the newest complete value, or undefined when none was ever written. Writes nothing
   * to shared memory and never waits for a writer: a copy overtaken by writers is retried. With
   * `transient`, the bytes are a view of a scratch array that the next transient read overwrites
   * (for callers that decode at once).
   * @throws {IpcError} TIMED_OUT when writers replaced the value faster than it could be copied for 2 s
   */
  read(transient = false): SlotValue | undefined {
    const c = core();
    const area = this.area;
    let deadline = 0;
    for (let attempt = 0; ; attempt++) {
      const slot = c.valReadBegin(area, this.slotCount, this.slotSize);
      if (slot === EMPTY) return undefined;
      if (slot === LIE) throw this.corrupt('read');
      if (slot >= 0) {
        const length = c.valReadLength();
        const version = c.valReadVersion();
        const ptr = c.valSlotData(area, this.slotCount, this.slotSize, slot);
        const bytes = transient ? copyToScratch(ptr, length) : runtime().u8.slice(ptr, ptr + length);
        if (c.valReadEnd(area, this.slotCount, slot) === 1) return { bytes, version };
      }
      if (attempt === 64) deadline = performance.now() + READ_GIVE_UP_MS;
      if (attempt > 64) {
        if (performance.now() > deadline) throw new IpcError('TIMED_OUT', `Cannot read ${this.what}: writers replaced the value faster than it could be copied for ${READ_GIVE_UP_MS} ms`);
        sleepMs(0.01);
      }
    }
  }

  /**
   * Writes `bytes` (at most slotSize) into a free slot and publishes it. Waits for a free slot up
   * to `timeoutMs` (slots are held only for the length of a copy); takes over slots whose writer died.
   * @throws {IpcError} TOO_LARGE, TIMED_OUT
   */
  write(bytes: Uint8Array, timeoutMs = 5000): WriteOutcome {
    if (bytes.length > this.slotSize) {
      throw new IpcError('TOO_LARGE', `Cannot write ${bytes.length} bytes to ${this.what}: a slot holds at most ${this.slotSize} bytes`);
    }
    const c = core();
    const me = selfIdentity();
    const area = this.area;
    let deadline = -1;
    let nextLivenessCheck = 0;
    for (let attempt = 0; ; attempt++) {
      let slot = c.valClaim(area, this.slotCount, me.pid, me.stamp);
      if (slot === IS_FROZEN) return { status: 'frozen', version: 0 };
      if (slot === NO_FREE_SLOT) {
        const now = performance.now();
        if (deadline < 0) deadline = now + timeoutMs;
        // Every slot but the published one is held: either writers are copying right now, or
        // some died holding one. Reading /proc costs microseconds, so look only now and then.
        if (attempt > 16 && now >= nextLivenessCheck) {
          slot = this.takeOverDeadSlot();
          nextLivenessCheck = now + 1;
        }
        if (slot < 0) {
          if (now > deadline) throw new IpcError('TIMED_OUT', `Cannot write to ${this.what} within ${timeoutMs} ms: all ${this.slotCount} slots stay held by live writers`);
          if (attempt > 16) sleepMs(0.05);
          continue;
        }
      }
      const version = c.valSlotVersion(area, this.slotCount, slot);
      try {
        runtime().u8.set(bytes, c.valSlotData(area, this.slotCount, this.slotSize, slot));
      } catch (err) {
        c.valAbandon(area, this.slotCount, slot, me.pid, me.stamp);
        throw err;
      }
      const r = c.valCommit(area, this.slotCount, slot, bytes.length, me.pid, me.stamp);
      if (r === NOT_OWNER) continue;
      if (r === IS_FROZEN) return { status: 'frozen', version: 0 };
      if (r === 1) this.bell.ring();
      return { status: r === 1 ? 'published' : 'superseded', version };
    }
  }

  /** Claims a slot whose holder is dead, or returns -1. */
  private takeOverDeadSlot(): number {
    const c = core();
    const me = selfIdentity();
    for (let i = 0; i < this.slotCount; i++) {
      const owner = BigInt.asUintN(64, c.valSlotOwner(this.area, this.slotCount, i));
      if (owner === 0n) continue;
      const pid = Number(owner & 0xffffffffn);
      const stamp = Number(owner >> 32n);
      if (isProcessAlive(pid, stamp)) continue;
      if (c.valTakeOver(this.area, this.slotCount, i, BigInt.asIntN(64, owner), me.pid, me.stamp) === 1) return i;
    }
    return -1;
  }

  private corrupt(action: string): IpcError {
    return new IpcError('CORRUPT', `Cannot ${action} ${this.what}: its published slot or a slot length is impossible for its ${this.slotCount} slots of ${this.slotSize} bytes (another process wrote its slot table)`);
  }

  /** Retires the area (see assembly/valueSlots.ts valFreeze); returns its final version. */
  freeze(): number {
    return core().valFreeze(this.area);
  }

  /**
   * Seeds the fresh area at `dst` with this (frozen) area's newest value, same version.
   * @throws {IpcError} TOO_LARGE when it does not fit, TIMED_OUT when it keeps changing
   */
  seedInto(dst: ValueSlots): void {
    const c = core();
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const r = c.valSeedFrom(dst.area, dst.slotCount, dst.slotSize, this.area, this.slotCount, this.slotSize);
      if (r === 0 || r === 1) return;
      if (r === LIE) throw this.corrupt('move the value of');
      if (r === VALUE_TOO_LONG) throw new IpcError('TOO_LARGE', `Cannot move the value of ${this.what}: it does not fit the new area`);
    }
    throw new IpcError('TIMED_OUT', `Cannot move the value of ${this.what}: it kept changing`);
  }
}

