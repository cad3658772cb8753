/**
 * Options of `decode`. Limits protect against hostile messages; every limit is checked by the
 * WebAssembly parser before anything is built.
 * @example
 * ```ts
 * import { decode } from 'membridge/pybytes';
 * decode(bytes, { lossless: true, maxDepth: 200 });
 * ```
 */
export interface DecodeOptions {
  /** Return lossless value classes (Tuple, Float, DateTime, …) instead of idiomatic JS values. Default false. */
  lossless?: boolean;
  /**
   * Return bytes, bytearray and memoryview payloads as views aliasing the bytes passed to `decode`
   * instead of copies. Default false. The whole message is still validated first; the views share
   * memory with the input, so later changes to the input show through (and the views keep the whole
   * input buffer alive). Views are plain `Uint8Array`s (ByteArray / MemoryView with `lossless`), also
   * for a Buffer input. Only `decode` honours it: messages read from shared memory are always copied.
   */
  views?: boolean;
  /** Deepest container nesting accepted. Default 1000 (Python writes at most 100). Range 1–10 000. */
  maxDepth?: number;
  /** Largest str, Decimal text or path, in UTF-8 bytes. Default 256 MiB. */
  maxStringLength?: number;
  /** Largest bytes, bytearray or memoryview payload, and int body, in bytes. Default 1 GiB. */
  maxBinaryLength?: number;
  /** Most items in one list, tuple, set, deque, ChainMap, or pairs in one dict / fields in a namedtuple. Default 16 777 216. */
  maxContainerLength?: number;
}

/** Default limits of `decode`. */
export const DECODE_DEFAULTS = Object.freeze({
  maxDepth: 1000,
  maxStringLength: 256 * 1024 * 1024,
  maxBinaryLength: 1024 * 1024 * 1024,
  maxContainerLength: 16 * 1024 * 1024,
});
