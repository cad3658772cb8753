// Protocol 2 tags the writer emits (docs/pybytes.md; family bases: base+0 E, +1, +2, +3 D1).
export const STR = 0, FLOAT = 12, TRUE = 13, FALSE = 14, COMPLEX = 15, NONE = 16, ELLIPSIS = 17, BYTES = 18,
  BYTEARRAY = 23, LIST = 28, SET = 33, TUPLE = 38, DICT = 43, FROZENSET = 48, DATETIME = 53,
  TIMEDELTA = 54, DATE = 55, TIME = 56, UUID_TAG = 57, MEMVIEW = 58, DECIMAL = 62, RANGE = 67,
  NAMEDTUPLE = 68, DEQUE = 73, COUNTER = 78, ORDEREDDICT = 83, CHAINMAP = 88, PATH = 93, PUREPATH = 98;
