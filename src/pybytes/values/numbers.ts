// Python number types with no exact JS counterpart.

/**
 * A Python `float` whose value a JS number cannot mark as float: integral values (`1.0` would
 * encode as int `1`) and NaNs with a non-default payload (`bits` keeps the exact IEEE-754 pattern).
 * Lossless decoding produces it only for those cases; other floats are plain numbers.
 * @example
 * ```ts
 * import { encode, Float } from 'membridge/pybytes';
 * encode(new Float(1)); // fd 0c 000000000000f03f
 * ```
 */
export class Float {
  /** @param bits the IEEE-754 bit pattern, when it must be kept exactly (NaN payloads) */
  constructor(readonly value: number, readonly bits?: bigint) {}
  valueOf(): number { return this.value; }
}

/**
 * A Python `complex`.
 * @example
 * ```ts
 * import { encode, Complex } from 'membridge/pybytes';
 * encode(new Complex(1, -2));
 * ```
 */
export class Complex {
  /**
   * @param reBits, imBits the IEEE-754 bit pattern of a NaN part, when it must be kept exactly (some
   *   hosts change NaN payloads held in numbers; decode sets them for non-default NaN parts)
   */
  constructor(readonly re: number, readonly im: number, readonly reBits?: bigint, readonly imBits?: bigint) {}
}

/**
 * A Python `decimal.Decimal`, kept as its exact text (`str(d)`), e.g. `'1.5'`, `'-Infinity'`, `'1E-7'`.
 * @example
 * ```ts
 * import { encode, Decimal } from 'membridge/pybytes';
 * encode(new Decimal('1.5')); // fd 3f 03 312e35
 * ```
 */
export class Decimal {
  constructor(readonly text: string) {
    if (!DECIMAL_SYNTAX.test(text)) throw new TypeError(`Cannot use ${JSON.stringify(text)} as a Decimal: not decimal syntax`);
  }
  toString(): string { return this.text; }
}

/** Python's `Decimal(str)` syntax (ASCII digits only; Python also accepts other Unicode digits). */
export const DECIMAL_SYNTAX = /^\s*[+-]?(?:(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?|inf(?:inity)?|s?nan(?:\d(?:_?\d)*)?)\s*$/i;
