// Strict UTF-8 validation (RFC 3629): no overlongs, no surrogates (so CESU-8 fails), nothing above
// U+10FFFF. Python's decoder is equally strict, so a message we accept is one Python accepts.

/** 0 = invalid, 1 = all ASCII, 2 = valid with non-ASCII characters. */
export function validateUtf8(p: usize, end: usize): u32 {
  // ASCII fast path, 8 bytes at a time.
  while (p + 8 <= end && (load<u64>(p) & 0x8080808080808080) == 0) p += 8;
  let ascii = true;
  while (p < end) {
    const c = <u32>load<u8>(p);
    if (c < 0x80) { p++; continue; }
    ascii = false;
    if (c < 0xC2) return 0;
    if (c < 0xE0) {
      if (p + 2 > end) return 0;
      if ((<u32>load<u8>(p + 1) & 0xC0) != 0x80) return 0;
      p += 2;
    } else if (c < 0xF0) {
      if (p + 3 > end) return 0;
      const c1 = <u32>load<u8>(p + 1);
      if ((c1 & 0xC0) != 0x80 || ((<u32>load<u8>(p + 2)) & 0xC0) != 0x80) return 0;
      if (c == 0xE0 && c1 < 0xA0) return 0; // overlong
      if (c == 0xED && c1 >= 0xA0) return 0; // surrogate
      p += 3;
    } else if (c < 0xF5) {
      if (p + 4 > end) return 0;
      const c1 = <u32>load<u8>(p + 1);
      if ((c1 & 0xC0) != 0x80 || ((<u32>load<u8>(p + 2)) & 0xC0) != 0x80 || ((<u32>load<u8>(p + 3)) & 0xC0) != 0x80) return 0;
      if (c == 0xF0 && c1 < 0x90) return 0; // overlong
      if (c == 0xF4 && c1 >= 0x90) return 0; // above U+10FFFF
      p += 4;
    } else return 0;
  }
  return ascii ? 1 : 2;
}
