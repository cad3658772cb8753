// The WebAssembly and native ABI is declared once (assembly/ and native/abi.h); TypeScript sees it
// through files scripts/build.mjs generates. These tests check those expectations against what
// actually runs: the embedded modules' exports and the loaded addon's report.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CORE_CONSTANTS, CORE_FUNCTIONS } from '../src/platform/coreAbi.generated.ts';
import { CORE_WASM_BASE64 } from '../src/platform/coreWasm.generated.ts';
import { CODEC_CONSTANTS, CODEC_FUNCTIONS } from '../src/pybytes/codecAbi.generated.ts';
import { CODEC_WASM_BASE64 } from '../src/pybytes/codecWasm.generated.ts';
import { NATIVE_ABI_VERSION, WaitResult } from '../src/platform/nativeAbi.generated.ts';
import { isNativeAvailable, native } from '../src/platform/addon.ts';
import { runtime } from '../src/platform/runtime.ts';

function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function exportsByKind(module: WebAssembly.Module, kind: string): string[] {
  return WebAssembly.Module.exports(module)
    .filter((e) => e.kind === kind)
    .map((e) => e.name)
    .sort();
}

const coreModule = new WebAssembly.Module(bytesOf(CORE_WASM_BASE64));
const codecModule = new WebAssembly.Module(bytesOf(CODEC_WASM_BASE64));

test('the core module exports exactly the functions TypeScript declares, with their parameter counts', () => {
  assert.equal(exportsByKind(coreModule, 'function'), Object.keys(CORE_FUNCTIONS).sort());
  const instance = runtime().core as unknown as Record<string, unknown>;
  for (const [name, arity] of Object.entries(CORE_FUNCTIONS)) {
    const fn = instance[name];
    assert.type(fn, 'function', name);
    assert.is((fn as (...a: unknown[]) => unknown).length, arity, `${name} takes ${arity} parameters`);
  }
});

test('every constant TypeScript uses has the value the core module exports', () => {
  assert.equal(exportsByKind(coreModule, 'global'), Object.keys(CORE_CONSTANTS).sort());
  const instance = runtime().core as unknown as Record<string, WebAssembly.Global>;
  for (const [name, value] of Object.entries(CORE_CONSTANTS)) {
    const raw = instance[name]!.value as number;
    assert.is(raw, value | 0, `${name}: the module says ${raw}, TypeScript ${value}`);
  }
  // Spot checks of values other code and other languages know by heart.
  assert.is(CORE_CONSTANTS.SEGMENT_MAGIC, 0x4753424d);
  assert.is(CORE_CONSTANTS.RING_RECORD_HEADER_SIZE, 16);
});

test('the standalone codec module matches its declaration, and the core module carries the same codec', () => {
  assert.equal(exportsByKind(codecModule, 'function'), Object.keys(CODEC_FUNCTIONS).sort());
  assert.equal(exportsByKind(codecModule, 'global'), Object.keys(CODEC_CONSTANTS).sort());
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 65536 });
  const codec = new WebAssembly.Instance(codecModule, { env: { memory, abort() {} } }).exports as Record<string, unknown>;
  const core = runtime().core as unknown as Record<string, unknown>;
  for (const [name, arity] of Object.entries(CODEC_FUNCTIONS)) {
    assert.is((codec[name] as (...a: unknown[]) => unknown).length, arity, `codec ${name}`);
    // src/platform/coreCodec.ts runs the codec glue on the core instance.
    assert.is((core[name] as (...a: unknown[]) => unknown).length, arity, `core ${name}`);
  }
});

test('the loaded addon reports the ABI version and wait results TypeScript expects (native/abi.h)', () => {
  assert.ok(isNativeAvailable(), 'the addon is built by scripts/build.mjs');
  const addon = native();
  assert.is(addon.abiVersion, NATIVE_ABI_VERSION);
  assert.equal({ ...addon.waitResults }, { ...WaitResult });
});

test.run();
