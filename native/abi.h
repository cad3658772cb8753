// The addon's ABI, declared once: native/membridge.cc includes this header and scripts/build.mjs
// turns it into src/platform/nativeAbi.generated.ts (test/abi.test.ts checks the loaded addon
// against that). Keep every value a plain "#define MEMBRIDGE_<NAME> <integer>" line.
#ifndef MEMBRIDGE_ABI_H
#define MEMBRIDGE_ABI_H

// Bumped whenever the addon's exports change incompatibly; the loader refuses another version.
#define MEMBRIDGE_ABI_VERSION 2

// Results of futexWait and Waiter.wait (a negative value is -errno). Code 4 (changed while
// spinning) belonged to a spin the addon no longer does: callers spin in WebAssembly first
// (src/platform/futex.ts), where the policy is.
#define MEMBRIDGE_WAIT_WOKEN 0
#define MEMBRIDGE_WAIT_NOT_EQUAL 1
#define MEMBRIDGE_WAIT_TIMED_OUT 2
#define MEMBRIDGE_WAIT_INTERRUPTED 3
#define MEMBRIDGE_WAIT_CANCELLED 5

#endif
