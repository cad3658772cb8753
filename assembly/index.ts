// Entry point of the core module (shared memory, threads). Everything here runs on caller-provided
// memory: windows that map shared-memory segments and scratch areas given out by the TypeScript
// region allocator. See rt/none.ts for why nothing here may allocate.

export * from "./atomics";
export * from "./doorbell";
export * from "./ownerLock";

/** First byte past the module's static data; the region allocator starts above it. */
export function heapBase(): usize { return __heap_base; }
export * from "./segmentHeader";
export * from "./codec/index";
export * from "./valueSlots";
export * from "./memoryDirectory";

export * from "./xxhash64";
export * from "./framebuffer";

export * from "./ring";
export * from "./channel";
