import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IpcError } from '../src/errors/IpcError.ts';
import { RegionAllocator, WASM_PAGE } from '../src/platform/RegionAllocator.ts';
import { expectCode, expectThrow } from './helpers/expect.ts';

function allocator(startPages: number, endPages: number, maxPages: number): { a: RegionAllocator; size: () => number } {
  let pages = endPages;
  const a = new RegionAllocator(startPages * WASM_PAGE - 100, pages * WASM_PAGE, (n) => {
    if (pages + n > maxPages) return false;
    pages += n;
    return true;
  });
  return { a, size: () => pages };
}

test('RegionAllocator.allocate() starts above the static data on a page boundary', () => {
  const { a } = allocator(2, 2, 100);
  const r = a.allocate(1);
  assert.is(r, 2 * WASM_PAGE);
  assert.is(a.sizeOf(r), WASM_PAGE);
});

test('RegionAllocator.allocate() grows the memory only by what is missing', () => {
  const { a, size } = allocator(1, 3, 100);
  const r = a.allocate(5 * WASM_PAGE);
  assert.is(r, WASM_PAGE);
  assert.is(size(), 6); // 2 free pages existed at the end, 3 more were grown
});

test('RegionAllocator regions never overlap and released ones are reused after merging', () => {
  const { a } = allocator(1, 1, 1000);
  const regions = [a.allocate(WASM_PAGE), a.allocate(3 * WASM_PAGE), a.allocate(WASM_PAGE), a.allocate(2 * WASM_PAGE)];
  const spans = regions.map((r) => [r, r + a.sizeOf(r)!] as const).sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i]![0] >= spans[i - 1]![1], 'regions overlap');
  a.release(regions[0]!);
  a.release(regions[1]!);
  // the two released neighbours merged into one 4-page block that a 4-page request reuses
  assert.is(a.allocate(4 * WASM_PAGE), regions[0]);
  assert.is(a.usedBytes, 7 * WASM_PAGE);
});

test('RegionAllocator.allocate() throws NO_SPACE when the memory cannot grow', () => {
  const { a } = allocator(1, 1, 4);
  a.allocate(3 * WASM_PAGE);
  try {
    a.allocate(WASM_PAGE);
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.instance(err, IpcError);
    assert.is((err as IpcError).code, 'NO_SPACE');
  }
});

test('RegionAllocator.release() of a region that is not allocated throws CLOSED', () => {
  const { a } = allocator(1, 1, 10);
  const r = a.allocate(1);
  a.release(r);
  expectCode(() => a.release(r), 'CLOSED');
  expectThrow(() => a.allocate(0), RangeError);
  expectThrow(() => a.allocate(-5), RangeError);
});

test.run();
