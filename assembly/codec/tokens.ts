// Token stream written by pbParse (parse.ts) and read by src/pybytes/decode.ts.
//
// One token per item, in pre-order (a container's token precedes its items), 12 bytes each:
//
//   offset  0        4                 8                12
//           +--------+-----------------+-----------------+
//           | head   | a               | b               |
//           +--------+-----------------+-----------------+
//   head  = kind (bits 0-7) | flags (bits 8-15) | wire tag (bits 16-23, protocol-2 numbering)
//   a, b  = per kind (offsets are relative to the start of the input, i.e. the protocol byte):
//     INT32      a = value (i32)
//     INT64      a = low 32 bits, b = high 32 bits (two's complement)
//     INTBIG     a = body offset, b = body length (signed little-endian)
//     FLOAT      a = offset of 8 bytes;  COMPLEX a = offset of 16 bytes;  TIMEDELTA a = offset of 12
//     STR … PUREPATH (text and binary kinds)  a = payload offset, b = payload length
//     containers a = offset of the tag, b = item count (pairs for the mapping kinds, fields for
//                NAMEDTUPLE, 3 for RANGE)
//
// Keep these numbers in sync with src/pybytes/tokenKinds.ts.

export const TOKEN_SIZE: u32 = 12;

export const K_NONE: u32 = 0;
export const K_TRUE: u32 = 1;
export const K_FALSE: u32 = 2;
export const K_ELLIPSIS: u32 = 3;
export const K_INT32: u32 = 4;
export const K_INT64: u32 = 5;
export const K_INTBIG: u32 = 6;
export const K_FLOAT: u32 = 7;
export const K_COMPLEX: u32 = 8;
export const K_STR: u32 = 9;
export const K_BYTES: u32 = 10;
export const K_BYTEARRAY: u32 = 11;
export const K_MEMVIEW: u32 = 12;
export const K_DATETIME: u32 = 13;
export const K_DATE: u32 = 14;
export const K_TIME: u32 = 15;
export const K_TIMEDELTA: u32 = 16;
export const K_UUID: u32 = 17;
export const K_DECIMAL: u32 = 18;
export const K_PATH: u32 = 19;
export const K_PUREPATH: u32 = 20;
// containers from here on
export const K_LIST: u32 = 21;
export const K_TUPLE: u32 = 22;
export const K_SET: u32 = 23;
export const K_FROZENSET: u32 = 24;
export const K_DEQUE: u32 = 25;
export const K_DICT: u32 = 26;
export const K_ORDEREDDICT: u32 = 27;
export const K_COUNTER: u32 = 28;
export const K_CHAINMAP: u32 = 29;
export const K_NAMEDTUPLE: u32 = 30;
export const K_RANGE: u32 = 31;

/** STR: every byte is ASCII. */
export const F_ASCII: u32 = 1 << 8;
/** DICT-like: every key is a str. */
export const F_STR_KEYS: u32 = 2 << 8;

// Status codes returned by pbParse (src/pybytes/decode.ts maps them to errors).
export const S_OK: i32 = 0;
export const S_TRUNCATED: i32 = 1;
export const S_BAD_PROTOCOL: i32 = 2;
export const S_UNKNOWN_TAG: i32 = 3;
export const S_BAD_LENGTH: i32 = 4;
export const S_BAD_UTF8: i32 = 5;
export const S_TOO_DEEP: i32 = 6;
export const S_UNHASHABLE: i32 = 7;
export const S_TOKENS_FULL: i32 = 8;
export const S_LIMIT: i32 = 9;
export const S_BAD_ITEM: i32 = 10;
export const S_BAD_UUID: i32 = 11;
