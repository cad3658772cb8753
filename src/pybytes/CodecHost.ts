// What the codec glue needs from a WebAssembly instance of assembly/codec: its exports, its memory
// and scratch space. Two hosts exist: the standalone plain-memory instance behind
// `membridge/pybytes` (standaloneHost.ts, works in browsers) and the core shared-memory instance
// (src/platform/coreCodec.ts), where later layers encode into and decode out of mapped windows.

/** The exports of assembly/codec/index.ts (also part of the core module), declared by asc: scripts/build.mjs generates codecAbi.generated.ts. */
export type { CodecExports } from './codecAbi.generated.ts';
import type { CodecExports } from './codecAbi.generated.ts';

/**
 * The part of a WebAssembly.Memory the glue uses. Spelled out rather than `WebAssembly.Memory`
 * because this file reaches the published declarations, and a consumer compiling with
 * `lib: ["ES2022"]` (no DOM) and `@types/node` has no `WebAssembly` namespace.
 */
export interface CodecMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(delta: number): number;
}

export interface CodecHost {
  readonly exports: CodecExports;
  readonly memory: CodecMemory;
  /** True when the memory is a SharedArrayBuffer (TextDecoder cannot read those directly). */
  readonly shared: boolean;
  /**
   * Offset of a scratch area of at least `bytes` bytes, 16-byte aligned, valid until the next call.
   * May grow the memory: refresh views afterwards.
   */
  scratch(bytes: number): number;
  /**
   * Optional: a Uint8Array over the whole current memory, the same object until the memory grows.
   * Hosts that know when their memory grows provide it so decoding does not read `memory.buffer`
   * (a slow getter) on every call.
   */
  view?(): Uint8Array;
}
