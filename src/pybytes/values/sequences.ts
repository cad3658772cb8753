// Lossless stand-ins for Python's tuple, collections.deque and frozenset. They extend the JS
// collection they behave like, so code that only reads them needs no changes.

/**
 * A Python `tuple` (lossless mode; the idiomatic mode decodes tuples as plain arrays).
 * @example
 * ```ts
 * import { encode, Tuple } from 'membridge/pybytes';
 * encode(Tuple.of(1, 'a')); // fd 27 02 05 01 01 01 61
 * ```
 */
export class Tuple<T = unknown> extends Array<T> {
  static override get [Symbol.species](): ArrayConstructor { return Array; }
}

/**
 * A Python `collections.deque` (`maxlen` is not on the wire).
 * @example
 * ```ts
 * import { encode, Deque } from 'membridge/pybytes';
 * encode(Deque.from([1, 2]));
 * ```
 */
export class Deque<T = unknown> extends Array<T> {
  static override get [Symbol.species](): ArrayConstructor { return Array; }
}

/**
 * A Python `frozenset`. Items keep their wire order.
 * @example
 * ```ts
 * import { encode, FrozenSet } from 'membridge/pybytes';
 * encode(new FrozenSet([1, 2]));
 * ```
 */
export class FrozenSet<T = unknown> extends Set<T> {}
