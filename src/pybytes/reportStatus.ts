// The errors for a parser status other than S_OK (assembly/codec/parse.ts): where the parser
// stopped, which tag it was reading, and why.
import type { CodecHost } from './CodecHost.ts';
import { DecodeError, type DecodeErrorCode } from './DecodeError.ts';
import { DECODE_DEFAULTS, type DecodeOptions } from './DecodeOptions.ts';
import * as T from './tokenKinds.ts';

function fail(code: DecodeErrorCode, offset: number, tag: number, detail: string): never {
  throw new DecodeError(code, offset, tag, detail);
}

function truncated(offset: number, tag: number, length: number): never {
  const err = new RangeError(`Cannot decode pybytes at offset ${offset}${tag >= 0 ? ` (tag 0x${tag.toString(16).padStart(2, '0')})` : ''}: the message is truncated (it ends after ${length} bytes)`);
  Object.assign(err, { offset, tag });
  throw err;
}

export function reportStatus(host: CodecHost, status: number, length: number, options?: DecodeOptions): never {
  const ex = host.exports;
  const offset = ex.pbErrorOffset();
  const rawTag = ex.pbErrorTag();
  const tag = rawTag >= 0x100 ? -1 : rawTag;
  switch (status) {
    case T.S_TRUNCATED: truncated(offset, tag, length);
    case T.S_BAD_PROTOCOL:
      fail('BAD_PROTOCOL', 0, -1, length === 0 ? 'the message is empty' : `byte 0 is 0x${(rawTag & 0xff).toString(16).padStart(2, '0')}, not a protocol marker (0xfd or 0xfe)`);
    case T.S_UNKNOWN_TAG: fail('UNKNOWN_TAG', offset, tag, 'no type has this tag');
    case T.S_BAD_LENGTH: fail('BAD_LENGTH', offset, tag, 'the length header declares a zero-byte length field');
    case T.S_BAD_UTF8: fail('BAD_UTF8', offset, tag, 'the text is not valid UTF-8');
    case T.S_TOO_DEEP: fail('TOO_DEEP', offset, tag, `containers nest deeper than maxDepth (${options?.maxDepth ?? DECODE_DEFAULTS.maxDepth})`);
    case T.S_UNHASHABLE: fail('UNHASHABLE', offset, tag, 'a dict key or set item has an unhashable type (list, dict, set, bytearray, deque, or a tuple holding one)');
    case T.S_LIMIT: fail('LIMIT', offset, tag, 'a length or count is above the size limits of the decode options');
    case T.S_BAD_ITEM: fail('BAD_ITEM', offset, tag, 'an item has the wrong type here (range bounds must be ints, namedtuple names must be str)');
    case T.S_BAD_UUID: fail('BAD_VALUE', offset, 0x39, 'a UUID must be 32 hex digits');
    default: throw new Error(`membridge codec returned unknown status ${status}`);
  }
}
