// Values that carry their own checksum, so a reader in any process can tell a complete value from
// a torn or mixed one without knowing what was written:
//
//   0          4          8          12                 n-4        n
//   | writer   | sequence | length n | payload bytes ... | FNV-1a of bytes 0..n-4 |

/** FNV-1a over bytes [0, end). */
export function fnv1a(bytes: Uint8Array, end: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** A value of `length` bytes (at least 16) from writer `writer`, number `seq`. */
export function makeChecked(writer: number, seq: number, length: number): Uint8Array {
  const n = Math.max(16, length);
  const b = new Uint8Array(n);
  const v = new DataView(b.buffer);
  v.setUint32(0, writer, true);
  v.setUint32(4, seq, true);
  v.setUint32(8, n, true);
  let x = (writer * 2654435761 + seq * 40503) >>> 0;
  for (let i = 12; i < n - 4; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  v.setUint32(n - 4, fnv1a(b, n - 4), true);
  return b;
}

/** The writer and sequence of a checked value, or undefined when it is not intact. */
export function checkValue(b: Uint8Array): { writer: number; seq: number } | undefined {
  if (b.length < 16) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint32(8, true) !== b.length) return undefined;
  if (v.getUint32(b.length - 4, true) !== fnv1a(b, b.length - 4)) return undefined;
  return { writer: v.getUint32(0, true), seq: v.getUint32(4, true) };
}
