// The one module that owns this process's WebAssembly instance of the core module.
//
// Rule 1 of runtime-notes.md: the memory is `shared: true` with a declared maximum, the only kind
// whose base address stayed put through memory.grow on every host. Segments are mapped into
// windows of it with mmap(MAP_FIXED), so a memory that moved would silently keep a private copy of
// the data; every grow therefore re-checks the base address and poisons the runtime if it moved.
import { IpcError } from '../errors/IpcError.ts';
import { CORE_WASM_BASE64 } from './coreWasm.generated.ts';
import { isNativeAvailable, native } from './addon.ts';
import { RegionAllocator, WASM_PAGE } from './RegionAllocator.ts';

/** The exports of assembly/index.ts. Addresses are offsets into the memory (u32). */
export interface CoreExports {
  heapBase(): number;
  atomicLoad32(ptr: number): number;
  atomicStore32(ptr: number, value: number): void;
  atomicAdd32(ptr: number, delta: number): number;
  atomicCas32(ptr: number, expected: number, replacement: number): number;
  atomicLoad64(ptr: number): bigint;
  atomicStore64(ptr: number, value: bigint): void;
  atomicAdd64(ptr: number, delta: bigint): bigint;
  atomicCas64(ptr: number, expected: bigint, replacement: bigint): bigint;
  atomicAddLoop32(ptr: number, delta: number, count: number): number;
  spinWhileEqual32(ptr: number, expected: number, loads: number): number;
  copyBytes(dst: number, src: number, length: number): void;
  fillBytes(dst: number, value: number, length: number): void;
  doorbellSize(): number;
  doorbellSleepersOffset(): number;
  doorbellSeq(ptr: number): number;
  doorbellRing(ptr: number): number;
  lockSize(): number;
  lockSleepersOffset(): number;
  lockTryAcquire(ptr: number, pid: number, stamp: number): bigint;
  lockRelease(ptr: number, pid: number, stamp: number): number;
  lockTakeOver(ptr: number, deadOwner: bigint, pid: number, stamp: number): number;
  lockOwner(ptr: number): bigint;
  lockTakeovers(ptr: number): number;
  lockedIncrementLoop(ptr: number, counterPtr: number, pid: number, stamp: number, count: number): number;
  segHeaderSize(): number;
  segInit(ptr: number, kind: number, version: number, capacity: bigint, pid: number, stamp: number, generation: number, payloadSize: number, created: bigint): void;
  segPublish(ptr: number): void;
  segClose(ptr: number): void;
  segState(ptr: number): number;
  segMagic(ptr: number): number;
  segMagicValue(): number;
  segVersion(ptr: number): number;
  segKind(ptr: number): number;
  segCapacity(ptr: number): bigint;
  segCreatorPid(ptr: number): number;
  segCreatorStamp(ptr: number): number;
  segGeneration(ptr: number): number;
  segPayloadOffset(ptr: number): number;
  segPayloadSize(ptr: number): number;
  segCreated(ptr: number): bigint;
  segReaper(ptr: number): bigint;
  segCasReaper(ptr: number, expected: bigint, replacement: bigint): bigint;
  segValidate(ptr: number, fileSize: bigint, kind: number, version: number): number;
}

/** Largest memory (in WebAssembly pages) a process may use for windows and scratch: 4 GiB. */
export const MAX_PAGES = 65536;

function decodeBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Reads an AssemblyScript string (UTF-16, byte length stored just before it). */
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return '';
  const bytes = new Uint8Array(memory.buffer);
  const len = new DataView(memory.buffer).getUint32(ptr - 4, true);
  let s = '';
  for (let i = 0; i < len; i += 2) s += String.fromCharCode(bytes[ptr + i]! | (bytes[ptr + i + 1]! << 8));
  return s;
}

export class Runtime {
  readonly memory: WebAssembly.Memory;
  readonly core: CoreExports;
  readonly regions: RegionAllocator;
  /** Base address of the memory in this process, when the addon is available. */
  readonly base: bigint | undefined;
  private bytes: Uint8Array;
  private poisoned: IpcError | undefined;

  constructor(maxPages = MAX_PAGES) {
    const module = new WebAssembly.Module(decodeBase64(CORE_WASM_BASE64) as Uint8Array<ArrayBuffer>);
    this.memory = new WebAssembly.Memory({ initial: 2, maximum: maxPages, shared: true });
    const memory = this.memory;
    const instance = new WebAssembly.Instance(module, {
      env: {
        memory,
        abort(msg: number, file: number, line: number, col: number): never {
          throw new Error(`membridge core aborted: ${readAsString(memory, msg)} at ${readAsString(memory, file)}:${line}:${col}`);
        },
      },
    });
    this.core = instance.exports as unknown as CoreExports;
    this.bytes = new Uint8Array(this.memory.buffer);
    this.base = isNativeAvailable() ? native().baseAddress(this.bytes) : undefined;
    this.regions = new RegionAllocator(this.core.heapBase(), this.memory.buffer.byteLength, (pages) => this.grow(pages));
  }

  /**
   * The instance's exports seen through another interface: each layer (rings, values, framebuffer)
   * declares the AssemblyScript functions it uses next to its own code instead of here.
   */
  exportsAs<T>(): T {
    return this.core as unknown as T;
  }

  /**
   * A view of the whole memory, current after any grow. Do not keep it across allocations.
   * Only grow() changes the memory's size (the core module has no heap), so the view is refreshed
   * there and not checked here: reading `memory.buffer` costs 70–170 ns, more than a message.
   */
  get u8(): Uint8Array {
    if (this.poisoned) throw this.poisoned;
    return this.bytes;
  }

  private grow(pages: number): boolean {
    if (this.poisoned) throw this.poisoned;
    try {
      this.memory.grow(pages);
    } catch {
      return false;
    }
    this.bytes = new Uint8Array(this.memory.buffer);
    const view = this.bytes;
    if (this.base !== undefined) {
      const now = native().baseAddress(view);
      if (now !== this.base) {
        this.poisoned = new IpcError(
          'MEMORY_MOVED',
          `Cannot use shared memory: the WebAssembly memory moved from 0x${this.base.toString(16)} to 0x${now.toString(16)} when it grew, which detaches every mapped segment`,
        );
        throw this.poisoned;
      }
    }
    return true;
  }
}

let instance: Runtime | undefined;

/** This process's runtime, created on first use. */
export function runtime(): Runtime {
  instance ??= new Runtime();
  return instance;
}

export { WASM_PAGE };
