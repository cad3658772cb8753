// Memory directory: the fixed-size entry segment of a named memory ("mb.<name>"). It says which
// data generation ("mbd.<gen>.<name>", a value-slots area) holds the value now, carries the
// doorbell rung on every write, and the lock growers take to move the value to a larger
// generation. Spec: docs/layout.md#named-memory.
//
//   0               4               8               12              16
//   +---------------+---------------+---------------+---------------+
//   | current (u32) | reserved (0)  | bell seq      | bell sleepers |
//   +---------------+---------------+---------------+---------------+
//   16                                                              32
//   | grow lock (OwnerLock, 16 bytes)                               |
//   +---------------------------------------------------------------+
//   32                                                              64
//   | reserved (0)                                                  |
//   +---------------------------------------------------------------+
//
// current   generation number of the data segment holding the value. SYNC POINT: a grower
//           stores it (release) only after the new generation is published and seeded with the
//           old value; readers load it before every access and reopen when it changed.
// bell      a Doorbell rung after every published write, whatever the generation: waiters do not
//           need to follow generations to hear about changes.
// grow lock an OwnerLock (assembly/ownerLock.ts) held while a generation is replaced, so two
//           growers never race, and taken over when its holder died mid-move.

@final @unmanaged
class MemoryDirectory {
  current: u32;
  reserved0: u32;
  bellSeq: u32;
  bellSleepers: u32;
  growLock0: u64;
  growLock1: u64;
  reserved1: u64;
  reserved2: u64;
  reserved3: u64;
  reserved4: u64;
}

export function dirSize(): u32 { return <u32>offsetof<MemoryDirectory>(); }
export function dirBellOffset(): u32 { return <u32>offsetof<MemoryDirectory>("bellSeq"); }
export function dirLockOffset(): u32 { return <u32>offsetof<MemoryDirectory>("growLock0"); }
export function dirCurrent(ptr: usize): u32 { return atomic.load<u32>(ptr + offsetof<MemoryDirectory>("current")); }
export function dirSetCurrent(ptr: usize, gen: u32): void { atomic.store<u32>(ptr + offsetof<MemoryDirectory>("current"), gen); }

// ---- ABI: constants TypeScript reads from the compiled module (docs/architecture.md, "The ABI") ----
/** Layout version of a named memory's directory segment. */
export const MEMORY_DIRECTORY_LAYOUT_VERSION: u16 = 1;
