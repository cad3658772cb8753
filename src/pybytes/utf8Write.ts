// UTF-8 encoding helpers of the writer (writeValue.ts writeText): the engine's fastest encoder and a
// well-formedness check for lone surrogates.
export const utf8 = new TextEncoder();
export const hasWellFormed = typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function';
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// Node and Bun: Buffer's utf8Write encodes straight into any Uint8Array, faster than
// TextEncoder.encodeInto (which also needs a subarray per call) for strings of 32+ units. Checked
// once on a plain Uint8Array, so an engine whose Buffer refuses non-Buffer targets falls back.
type Utf8Write = (this: Uint8Array, s: string, offset: number, length: number) => number;
export const utf8Write: Utf8Write | undefined = (() => {
  const fn = (globalThis as { Buffer?: { prototype?: Record<string, unknown> } }).Buffer?.prototype?.utf8Write;
  if (typeof fn !== 'function') return undefined;
  try {
    const probe = new Uint8Array(8);
    return (fn as Utf8Write).call(probe, 'a\u00e9', 1, 7) === 3 && probe[1] === 0x61 && probe[2] === 0xc3 && probe[3] === 0xa9 ? fn as Utf8Write : undefined;
  } catch {
    return undefined;
  }
})();
