// Mirror of assembly/codec/tokens.ts (token kinds, flags and status codes of pbParse).
export const K_NONE = 0, K_TRUE = 1, K_FALSE = 2, K_ELLIPSIS = 3, K_INT32 = 4, K_INT64 = 5, K_INTBIG = 6,
  K_FLOAT = 7, K_COMPLEX = 8, K_STR = 9, K_BYTES = 10, K_BYTEARRAY = 11, K_MEMVIEW = 12, K_DATETIME = 13,
  K_DATE = 14, K_TIME = 15, K_TIMEDELTA = 16, K_UUID = 17, K_DECIMAL = 18, K_PATH = 19, K_PUREPATH = 20,
  K_LIST = 21, K_TUPLE = 22, K_SET = 23, K_FROZENSET = 24, K_DEQUE = 25, K_DICT = 26, K_ORDEREDDICT = 27,
  K_COUNTER = 28, K_CHAINMAP = 29, K_NAMEDTUPLE = 30, K_RANGE = 31;
export const F_ASCII = 1 << 8, F_STR_KEYS = 2 << 8;
export const TOKEN_WORDS = 3, FRAME_SIZE = 20;
export const S_OK = 0, S_TRUNCATED = 1, S_BAD_PROTOCOL = 2, S_UNKNOWN_TAG = 3, S_BAD_LENGTH = 4, S_BAD_UTF8 = 5,
  S_TOO_DEEP = 6, S_UNHASHABLE = 7, S_TOKENS_FULL = 8, S_LIMIT = 9, S_BAD_ITEM = 10, S_BAD_UUID = 11;
