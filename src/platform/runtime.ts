// The one module that owns this process's WebAssembly instance of the core module.
//
// Rule 1 of docs/runtime-notes.md: the memory is `shared: true` with a declared maximum, the only kind
// whose base address stayed put through memory.grow on every host. Segments are mapped into
// windows of it with mmap(MAP_FIXED), so a memory that moved would silently keep a private copy of
// the data; every grow therefore re-checks the base address and poisons the runtime if it moved.
import { IpcError } from '../errors/IpcError.ts';
import { CORE_WASM_BASE64 } from './coreWasm.generated.ts';
import { isNativeAvailable, native } from './addon.ts';
import { RegionAllocator, WASM_PAGE } from './RegionAllocator.ts';
import type { CoreExports } from './coreAbi.generated.ts';

/** The exports of assembly/index.ts, declared by asc (scripts/build.mjs generates coreAbi.generated.ts). */
export type { CoreExports };

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
  /**
   * The shared WebAssembly.Memory, typed by the members used so that the published declarations do
   * not need the `WebAssembly` namespace (absent under `lib: ["ES2022"]` without DOM).
   */
  readonly memory: { readonly buffer: ArrayBuffer | SharedArrayBuffer; grow(delta: number): number };
  readonly core: CoreExports;
  readonly regions: RegionAllocator;
  /** Base address of the memory in this process, when the addon is available. */
  readonly base: bigint | undefined;
  private bytes: Uint8Array;
  private poisoned: IpcError | undefined;

  constructor(maxPages = MAX_PAGES) {
    const module = new WebAssembly.Module(decodeBase64(CORE_WASM_BASE64) as Uint8Array<ArrayBuffer>);
    const memory = new WebAssembly.Memory({ initial: 2, maximum: maxPages, shared: true });
    this.memory = memory;
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
