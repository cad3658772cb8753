// The explicit-stack writer used past the recursion depth of writeValue.ts (see recursionDepth
// there): same bytes and errors as the recursive writers, for any depth up to maxDepth.
import { CHAINMAP, COUNTER, DEQUE, DICT, FROZENSET, LIST, NAMEDTUPLE, ORDEREDDICT, SET, STR, TUPLE } from './encodeTags.ts';
import { ByteArray } from './values/binary.ts';
import { ChainMap, Counter, OrderedDict } from './values/mappings.ts';
import { NamedTuple } from './values/misc.ts';
import { Deque, FrozenSet, Tuple } from './values/sequences.ts';
import { header, maxDepth, tooDeep, unhashable, writeObject, writeText, writeValue } from './writeValue.ts';

// An open container of writeDeep: its header is written; `items` are written next, at `depth`,
// as dict keys / set items (hashable forms) when `keys` says so (0 none, 1 all, 2 even indexes).
interface DeepFrame { readonly items: unknown[]; i: number; readonly depth: number; readonly keys: 0 | 1 | 2 }

/**
 * Writes `v` (at `depth`; as a key or set item when `asKey`) like writeValue / writeKey, but keeps
 * open containers on an explicit stack instead of the JS call stack. Same bytes, same errors.
 */
export function writeDeep(v: object, depth: number, asKey: boolean): void {
  const stack: DeepFrame[] = [];
  let x: unknown = v;
  let d = depth;
  let key = asKey;
  for (;;) {
    const f = typeof x === 'object' && x !== null ? openDeep(x, d, key) : undefined;
    if (f !== undefined) stack.push(f);
    else if (typeof x !== 'object' || x === null) writeValue(x, d); // a scalar never recurses
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return;
      if (top.i < top.items.length) {
        const i = top.i++;
        x = top.items[i];
        d = top.depth;
        key = top.keys === 1 || (top.keys === 2 && (i & 1) === 0);
        break;
      }
      stack.pop();
    }
  }
}

/** Writes the header of container `v` and returns its frame, or writes a leaf object and returns undefined. */
function openDeep(v: object, depth: number, asKey: boolean): DeepFrame | undefined {
  if (asKey) {
    // writeKey's rules
    if (Array.isArray(v)) {
      if (v instanceof Deque) unhashable(v);
      if (depth >= maxDepth) tooDeep();
      header(TUPLE, v.length);
      return { items: v, i: 0, depth: depth + 1, keys: 1 };
    }
    if (v instanceof Set) {
      if (depth >= maxDepth) tooDeep();
      header(FROZENSET, v.size);
      return { items: Array.from(v), i: 0, depth: depth + 1, keys: 1 };
    }
    if (v instanceof Map || v instanceof ChainMap || v instanceof ByteArray) unhashable(v);
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) unhashable(v);
  }
  // writeObject's containers, in its order of checks
  const proto = Object.getPrototypeOf(v);
  if (Array.isArray(v)) {
    if (depth >= maxDepth) tooDeep();
    header(proto === Array.prototype ? LIST : v instanceof Tuple ? TUPLE : v instanceof Deque ? DEQUE : LIST, v.length);
    return { items: v, i: 0, depth: depth + 1, keys: 0 };
  }
  if (proto === Object.prototype || proto === null) {
    if (depth >= maxDepth) tooDeep();
    const o = v as Record<string, unknown>;
    const names = Object.keys(o); // own enumerable string keys, in for-in order (writePlain)
    header(DICT, names.length);
    const items: unknown[] = new Array(2 * names.length);
    for (let i = 0; i < names.length; i++) {
      items[2 * i] = names[i];
      items[2 * i + 1] = o[names[i]!];
    }
    return { items, i: 0, depth: depth + 1, keys: 0 };
  }
  if (v instanceof Map) {
    if (depth >= maxDepth) tooDeep();
    header(proto === Map.prototype ? DICT : v instanceof Counter ? COUNTER : v instanceof OrderedDict ? ORDEREDDICT : DICT, v.size);
    const items: unknown[] = [];
    for (const [k, value] of v) items.push(k, value);
    return { items, i: 0, depth: depth + 1, keys: 2 };
  }
  if (v instanceof Set) {
    if (depth >= maxDepth) tooDeep();
    header(proto === Set.prototype ? SET : v instanceof FrozenSet ? FROZENSET : SET, v.size);
    return { items: Array.from(v), i: 0, depth: depth + 1, keys: 1 };
  }
  if (v instanceof NamedTuple) {
    if (depth >= maxDepth) tooDeep();
    header(NAMEDTUPLE, v.fields.length);
    writeText(STR, v.name);
    const items: unknown[] = [];
    for (const [name, value] of v.fields) items.push(name, value);
    return { items, i: 0, depth: depth + 1, keys: 0 };
  }
  if (v instanceof ChainMap) {
    if (depth >= maxDepth) tooDeep();
    header(CHAINMAP, v.maps.length);
    return { items: [...v.maps], i: 0, depth: depth + 1, keys: 0 };
  }
  writeObject(v, depth); // not a container: bytes, dates, numbers, … (these never recurse)
  return undefined;
}
