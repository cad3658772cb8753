// Lossless stand-ins for collections.OrderedDict, Counter and ChainMap. Plain Map (and plain
// objects) are dicts.

/**
 * A Python `collections.OrderedDict`.
 * @example
 * ```ts
 * import { encode, OrderedDict } from 'membridge/pybytes';
 * encode(new OrderedDict([['a', 1]]));
 * ```
 */
export class OrderedDict<K = unknown, V = unknown> extends Map<K, V> {}

/**
 * A Python `collections.Counter`. Values should be integers; the decoder, like Python's, does not check.
 * @example
 * ```ts
 * import { encode, Counter } from 'membridge/pybytes';
 * encode(new Counter([['apple', 3]]));
 * ```
 */
export class Counter<K = unknown, V = unknown> extends Map<K, V> {}

/**
 * A Python `collections.ChainMap`: an ordered list of mappings (usually dicts).
 * @example
 * ```ts
 * import { encode, ChainMap } from 'membridge/pybytes';
 * encode(new ChainMap([new Map([['a', 2]]), new Map([['b', 1]])]));
 * ```
 */
export class ChainMap {
  constructor(readonly maps: unknown[] = []) {}
}
