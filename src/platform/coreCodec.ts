// The pybytes codec on the core shared-memory instance (runtime.ts): the same AssemblyScript
// parser is compiled into the core module, so the shared-memory layers encode straight into a
// mapped window and decode straight out of one, with no copy through the standalone instance.
// Scratch (parser stack and tokens) comes from the region allocator and is kept between calls.
import type { CodecExports, CodecHost, CodecMemory } from '../pybytes/CodecHost.ts';
import { decodeRange } from '../pybytes/decode.ts';
import type { DecodeOptions } from '../pybytes/DecodeOptions.ts';
import { encodeRange } from '../pybytes/encode.ts';
import type { EncodeOptions } from '../pybytes/EncodeOptions.ts';
import { runtime } from './runtime.ts';

class CoreCodecHost implements CodecHost {
  readonly exports: CodecExports;
  readonly shared = true;
  private region = 0;
  private size = 0;

  constructor() {
    this.exports = runtime().core;
  }

  get memory(): CodecMemory {
    return runtime().memory;
  }

  scratch(bytes: number): number {
    if (bytes > this.size) {
      const regions = runtime().regions;
      if (this.region) regions.release(this.region);
      this.region = 0;
      this.region = regions.allocate(Math.max(bytes, 65536));
      this.size = regions.sizeOf(this.region)!;
    }
    return this.region;
  }
}

let host: CoreCodecHost | undefined;

/** The codec host over the core instance, created on first use. */
export function coreCodecHost(): CodecHost {
  host ??= new CoreCodecHost();
  return host;
}

/**
 * Encodes `value` into the core memory at `[ptr, ptr + capacity)` (e.g. a mapped window). Returns
 * the length written, or `-needed` when the range is too small.
 */
export function encodeIntoCore(value: unknown, ptr: number, capacity: number, options?: EncodeOptions): number {
  return encodeRange(coreCodecHost(), value, ptr, capacity, options);
}

/** Decodes the message of `length` bytes at `ptr` in the core memory. */
export function decodeFromCore(ptr: number, length: number, options?: DecodeOptions): unknown {
  return decodeRange(coreCodecHost(), ptr, length, options);
}
