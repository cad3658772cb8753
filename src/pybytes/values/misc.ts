// Small Python value types: UUID, range, namedtuple, pathlib paths and Ellipsis.

/**
 * A Python `uuid.UUID`, kept in the hyphenated lowercase form. (The idiomatic decoding mode gives
 * the same text as a plain string.)
 * @example
 * ```ts
 * import { encode, UUID } from 'membridge/pybytes';
 * encode(new UUID('12345678-1234-5678-1234-567812345678'));
 * ```
 */
export class UUID {
  readonly value: string;
  constructor(text: string) {
    const hex = text.replace(/-/g, '').toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(hex)) throw new TypeError(`Cannot use ${JSON.stringify(text)} as a UUID: expected 32 hex digits`);
    this.value = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  /** The 32 hex digits without hyphens, as on the wire. */
  get hex(): string { return this.value.replace(/-/g, ''); }
  toString(): string { return this.value; }
}

/**
 * A Python `range(start, stop, step)`. Bounds are numbers, or bigints beyond safe integers.
 * @example
 * ```ts
 * import { encode, Range } from 'membridge/pybytes';
 * encode(new Range(0, 100, 2)); // fd 43 05 00 05 64 05 02
 * ```
 */
export class Range {
  constructor(readonly start: number | bigint, readonly stop: number | bigint, readonly step: number | bigint = 1) {}
}

/**
 * A Python namedtuple instance: the type's name and its (field name, value) pairs in order.
 * @example
 * ```ts
 * import { encode, NamedTuple } from 'membridge/pybytes';
 * encode(new NamedTuple('Point', [['x', 1], ['y', 'two']]));
 * ```
 */
export class NamedTuple {
  constructor(readonly name: string, readonly fields: Array<[string, unknown]>) {}
  /** The fields as a plain object (null prototype, so any field name is safe). */
  toObject(): Record<string, unknown> {
    const o = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of this.fields) o[k] = v;
    return o;
  }
}

/**
 * A Python `pathlib.Path` (PosixPath / WindowsPath), kept as its text.
 * @example
 * ```ts
 * import { encode, Path } from 'membridge/pybytes';
 * encode(new Path('/tmp/x'));
 * ```
 */
export class Path {
  constructor(readonly path: string) {}
  toString(): string { return this.path; }
}

/**
 * A Python `pathlib.PurePath`, kept as its text.
 * @example
 * ```ts
 * import { encode, PurePath } from 'membridge/pybytes';
 * encode(new PurePath('a/b'));
 * ```
 */
export class PurePath {
  constructor(readonly path: string) {}
  toString(): string { return this.path; }
}

class EllipsisType {
  toString(): string { return 'Ellipsis'; }
}

/**
 * Python's `Ellipsis` (`...`) singleton; decoding always returns this very object.
 * @example
 * ```ts
 * import { decode, Ellipsis } from 'membridge/pybytes';
 * decode(new Uint8Array([0xfd, 0x11])) === Ellipsis; // true
 * ```
 */
export const Ellipsis: object = Object.freeze(new EllipsisType());
