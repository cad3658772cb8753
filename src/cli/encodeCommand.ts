// `membridge encode`: JSON (or typed JSON) in, a pybytes message out as hex or raw bytes.
import { encode } from '../pybytes/encode.ts';
import { fromTypedJson } from '../pybytes/typedJson.ts';
import { type Command, readInput, stringOption, UsageError } from './Command.ts';
import { parseJsonArgument } from './jsonText.ts';

export const encodeCommand: Command = {
  name: 'encode',
  summary: 'encode JSON or typed JSON as a pybytes message',
  usage: `usage: membridge encode [--typed] [--hex | --raw] [JSON | --file PATH | -]

Reads JSON from the argument, a file, or standard input, and writes the pybytes message.
  --typed  the input is typed JSON ({"t":"tuple","items":[...]}, see docs/pybytes.md)
  --hex    write lowercase hex and a newline (default)
  --raw    write the raw bytes
Plain JSON maps as encode() does: integers → int (exact at any size), other numbers → float,
objects → dict.`,
  options: { typed: { type: 'boolean' }, hex: { type: 'boolean' }, raw: { type: 'boolean' }, file: { type: 'string', short: 'f' } },
  positionals: { min: 0, max: 1, name: 'input' },
  async run(ctx) {
    if (ctx.values.hex && ctx.values.raw) throw new UsageError('--hex and --raw exclude each other');
    const text = new TextDecoder().decode(await readInput(ctx.io, stringOption(ctx, 'file'), ctx.positionals));
    const json = parseJsonArgument(text);
    const bytes = encode(ctx.values.typed ? fromTypedJson(json) : json);
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    if (ctx.values.raw) ctx.io.stdout(bytes);
    else if (ctx.json) ctx.out(JSON.stringify({ hex, bytes: bytes.length }));
    else ctx.out(hex);
    return 0;
  },
};
