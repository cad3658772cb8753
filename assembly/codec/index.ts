// Entry point of the pybytes codec module (asconfig target "codec": plain memory, no threads, so it
// runs in ordinary browser pages). The same sources are also compiled into the core module
// (assembly/index.ts), where the shared-memory layers decode straight out of mapped windows.
// Every export is prefixed `pb` so it cannot collide with core exports.

export {
  pbParse, pbErrorOffset, pbErrorTag, pbTokenCount, pbConsumed, pbFrameSize, pbTokenSize,
} from "./parse";

/** First byte past this module's static data; scratch areas start above it. */
export function pbHeapBase(): usize { return __heap_base; }
