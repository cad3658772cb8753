// `membridge decode`: a pybytes message (hex or raw) in, JSON or typed JSON out.
import { decode } from '../pybytes/decode.ts';
import { toTypedJson } from '../pybytes/typedJson.ts';
import { type Command, CommandFailure, readInput, stringOption, UsageError } from './Command.ts';
import { toJson } from './jsonText.ts';

function parseHex(text: string): Uint8Array {
  const hex = text.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new UsageError('the input is not hex: use pairs of 0-9 a-f, whitespace ignored (or --raw for binary input)');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/**
 * Where the message's root item ends. decode() reads one root item and ignores what follows, and
 * a prefix that ends inside the item is "truncated" (RangeError): the shortest prefix that decodes
 * is the message, found by bisection over the prefix length.
 */
export function messageLength(bytes: Uint8Array): number {
  let lo = 1;
  let hi = bytes.length; // decodes (the caller decoded the whole input first)
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    let ok: boolean;
    try {
      decode(bytes.subarray(0, mid));
      ok = true;
    } catch {
      ok = false;
    }
    if (ok) hi = mid;
    else lo = mid + 1;
  }
  return hi;
}

/** `membridge decode`: a pybytes message (hex or raw) in, JSON or typed JSON out. */
export const decodeCommand: Command = {
  name: 'decode',
  summary: 'decode a pybytes message to JSON or typed JSON',
  usage: `usage: membridge decode [--typed] [--strict] [--hex | --raw] [HEX | --file PATH | -]

Reads a message from the argument, a file, or standard input, and prints it as JSON.
  --typed   print lossless typed JSON ({"t":"tuple","items":[...]}, see docs/pybytes.md)
  --strict  bytes after the message are an error (exit 1, TRAILING_BYTES), not a warning
  --hex     the input is hex, whitespace ignored (default)
  --raw     the input is the raw bytes`,
  options: { typed: { type: 'boolean' }, strict: { type: 'boolean' }, hex: { type: 'boolean' }, raw: { type: 'boolean' }, file: { type: 'string', short: 'f' } },
  positionals: { min: 0, max: 1, name: 'input' },
  async run(ctx) {
    if (ctx.values.hex && ctx.values.raw) throw new UsageError('--hex and --raw exclude each other');
    const input = await readInput(ctx.io, stringOption(ctx, 'file'), ctx.positionals);
    const bytes = ctx.values.raw ? input : parseHex(new TextDecoder().decode(input));
    const value = ctx.values.typed ? toTypedJson(decode(bytes, { lossless: true })) : decode(bytes);
    const end = messageLength(bytes);
    const trailing = bytes.length - end;
    if (trailing > 0) {
      const what = `${trailing} trailing byte${trailing === 1 ? '' : 's'} at offset ${end} after the message`;
      if (ctx.values.strict) throw new CommandFailure('TRAILING_BYTES', `${what} (the message ends at offset ${end} of ${bytes.length})`);
      if (!ctx.json) ctx.err(`membridge decode: warning: ${what} ignored (--strict makes this an error)`);
    }
    if (ctx.json) ctx.out(toJson({ value, length: end, trailing: trailing > 0 ? { offset: end, count: trailing } : null }));
    else ctx.out(toJson(value, 2));
    return 0;
  },
};
