/**
 * Options of `encode`.
 * @example
 * ```ts
 * import { encode } from 'membridge/pybytes';
 * encode(value, { maxDepth: 50 });
 * ```
 */
export interface EncodeOptions {
  /**
   * Deepest container nesting written. Default 100, Python's own limit, so every message we write
   * is one Python could have written; it also turns cycles into a RangeError.
   */
  maxDepth?: number;
}

/** Default limits of `encode`. */
export const ENCODE_DEFAULTS = Object.freeze({ maxDepth: 100 });
