import { decode } from '../pybytes/decode.ts';
import { toTypedJson } from '../pybytes/typedJson.ts';
import { type Command, parseArgs, readInput, UsageError } from './Command.ts';

// JSON for idiomatic values: bigint as a decimal string, Map as an object (or [key, value] pairs
// when a key is not a string), Set as an array, bytes as hex.
function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Map) {
    const entries = [...value];
    return entries.every(([k]) => typeof k === 'string') ? Object.fromEntries(entries) : entries;
  }
  if (value instanceof Set) return [...value];
  if (value instanceof Uint8Array) return Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('');
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) && typeof (value as { toString?: unknown }).toString === 'function') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null && Object.prototype.hasOwnProperty.call(proto, 'toString')) return String(value);
  }
  return value;
}

function parseHex(text: string): Uint8Array {
  const hex = text.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new UsageError('the input is not hex (use --raw for binary input)');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/** `membridge decode`: a pybytes message (hex or raw) in, JSON or typed JSON out. */
export const decodeCommand: Command = {
  name: 'decode',
  summary: 'decode a pybytes message to JSON or typed JSON',
  usage: `usage: membridge decode [--typed] [--hex | --raw] [HEX | --file PATH | -]

Reads a message from the argument, a file, or standard input, and prints it as JSON.
  --typed  print lossless typed JSON ({"t":"tuple","items":[...]}, see docs/pybytes.md)
  --hex    the input is hex, whitespace ignored (default)
  --raw    the input is the raw bytes`,
  async run(args, io) {
    const { flags, file, rest } = parseArgs(args, ['--typed', '--hex', '--raw']);
    if (flags.has('--hex') && flags.has('--raw')) throw new UsageError('--hex and --raw exclude each other');
    const input = await readInput(io, file, rest);
    const bytes = flags.has('--raw') ? input : parseHex(new TextDecoder().decode(input));
    const out = flags.has('--typed') ? toTypedJson(decode(bytes, { lossless: true })) : decode(bytes);
    io.stdout(JSON.stringify(out, replacer, 2) + '\n');
    return 0;
  },
};
