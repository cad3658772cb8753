// The frames of decode.ts's readDeep, the explicit-stack reader used past its recursion depth: one
// open container each, built exactly as the recursive reader (decode.ts container()) builds it.
import { DecodeError } from './DecodeError.ts';
import * as T from './tokenKinds.ts';
import { ChainMap, Counter, OrderedDict } from './values/mappings.ts';
import { NamedTuple, Range } from './values/misc.ts';
import { Deque, FrozenSet, Tuple } from './values/sequences.ts';

// One open container of readDeep. `out` collects the items; `key` holds a mapping's pending key.
export interface DeepFrame {
  kind: number;
  head: number;
  a: number;
  total: number; // items to read (2 per pair, 1 + 2 per field for a namedtuple, 3 for a range)
  i: number;
  out: any;
  key: unknown;
  plain: boolean; // a str-keyed dict built as a plain object
}

// Whether the next item of `f` is a set item or a dict key.
export function isKeySlot(f: DeepFrame): boolean {
  switch (f.kind) {
    case T.K_SET: case T.K_FROZENSET: return true;
    case T.K_DICT: case T.K_ORDEREDDICT: case T.K_COUNTER: return (f.i & 1) === 0;
    default: return false;
  }
}

export function openDeep(kind: number, head: number, a: number, n: number, lossless: boolean): DeepFrame {
  let out: unknown;
  let total = n;
  let plain = false;
  switch (kind) {
    case T.K_LIST: out = new Array(n); break;
    case T.K_TUPLE: case T.K_DEQUE: out = lossless ? (kind === T.K_TUPLE ? new Tuple(n) : new Deque(n)) : new Array(n); break;
    case T.K_SET: case T.K_FROZENSET: out = lossless && kind === T.K_FROZENSET ? new FrozenSet() : new Set(); break;
    case T.K_CHAINMAP: out = new Array(n); break;
    case T.K_NAMEDTUPLE: out = new Array(n); total = 1 + 2 * n; break;
    case T.K_RANGE: out = new Array(3); total = 3; break;
    case T.K_DICT: case T.K_ORDEREDDICT: case T.K_COUNTER:
      total = 2 * n;
      plain = !lossless && (head & T.F_STR_KEYS) !== 0;
      out = plain ? {} : !lossless || kind === T.K_DICT ? new Map() : kind === T.K_COUNTER ? new Counter() : new OrderedDict();
      break;
    default: throw new Error(`membridge codec produced unknown token kind ${kind}`);
  }
  return { kind, head, a, total, i: 0, out, key: undefined, plain };
}

export function addDeep(f: DeepFrame, v: unknown): void {
  const i = f.i;
  switch (f.kind) {
    case T.K_SET: case T.K_FROZENSET: f.out.add(v); return;
    case T.K_DICT: case T.K_ORDEREDDICT: case T.K_COUNTER:
      if ((i & 1) === 0) f.key = v;
      else if (!f.plain) (f.out as Map<unknown, unknown>).set(f.key, v);
      else if (f.key === '__proto__') Object.defineProperty(f.out, '__proto__', { value: v, enumerable: true, writable: true, configurable: true });
      else f.out[f.key as string] = v;
      return;
    case T.K_NAMEDTUPLE:
      if (i === 0) f.key = v; // the type name, until closeDeep
      else if ((i & 1) === 1) f.out[(i - 1) >>> 1] = [v, undefined];
      else f.out[(i - 2) >>> 1][1] = v;
      return;
    default: f.out[i] = v;
  }
}

export function closeDeep(f: DeepFrame): unknown {
  switch (f.kind) {
    case T.K_CHAINMAP: return new ChainMap(f.out);
    case T.K_NAMEDTUPLE: return new NamedTuple(f.key as string, f.out);
    case T.K_RANGE: {
      const [start, stop, step] = f.out as Array<number | bigint>;
      if (step === 0) throw new DecodeError('BAD_VALUE', f.a, f.head >>> 16, 'range() step must not be zero');
      return new Range(start!, stop!, step!);
    }
    default: return f.out;
  }
}
