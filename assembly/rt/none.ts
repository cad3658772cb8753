// A runtime with no heap.
//
// The core module runs on windows of a WebAssembly.Memory into which shared-memory segments are
// mapped. The TypeScript region allocator owns every byte above __heap_base, so an AssemblyScript
// heap growing there would write into another process's data. With this runtime any managed
// allocation traps instead: the shared-memory code and the codec work on caller-provided memory
// only. (Selected with `--runtime ./assembly/rt/none.ts` in asconfig.json.)

// @ts-ignore: decorator
@unsafe @global
function __alloc(size: usize): usize { unreachable(); return 0; }

// @ts-ignore: decorator
@unsafe @global
function __realloc(ptr: usize, size: usize): usize { unreachable(); return 0; }

// @ts-ignore: decorator
@unsafe @global
function __free(ptr: usize): void { unreachable(); }

// @ts-ignore: decorator
@unsafe @global
function __reset(): void {}

// @ts-ignore: decorator
@unsafe @global
function __new(size: usize, id: u32): usize { unreachable(); return 0; }

// @ts-ignore: decorator
@unsafe @global
function __renew(oldPtr: usize, size: usize): usize { unreachable(); return 0; }

// @ts-ignore: decorator
@global @unsafe
function __link(parentPtr: usize, childPtr: usize, expectMultiple: bool): void {}

// @ts-ignore: decorator
@global @unsafe
function __pin(ptr: usize): usize { return ptr; }

// @ts-ignore: decorator
@global @unsafe
function __unpin(ptr: usize): void {}

// @ts-ignore: decorator
@global @unsafe
function __visit(ptr: usize, cookie: u32): void {}

// @ts-ignore: decorator
@global @unsafe
function __collect(): void {}
