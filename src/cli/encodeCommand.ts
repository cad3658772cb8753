import { encode } from '../pybytes/encode.ts';
import { fromTypedJson } from '../pybytes/typedJson.ts';
import { type Command, parseArgs, readInput, UsageError } from './Command.ts';

/** `membridge encode`: JSON (or typed JSON) in, a pybytes message out as hex or raw bytes. */
export const encodeCommand: Command = {
  name: 'encode',
  summary: 'encode JSON or typed JSON as a pybytes message',
  usage: `usage: membridge encode [--typed] [--hex | --raw] [JSON | --file PATH | -]

Reads JSON from the argument, a file, or standard input, and writes the pybytes message.
  --typed  the input is typed JSON ({"t":"tuple","items":[...]}, see docs/pybytes.md)
  --hex    write lowercase hex and a newline (default)
  --raw    write the raw bytes
Plain JSON maps as encode() does: integers → int, other numbers → float, objects → dict.`,
  async run(args, io) {
    const { flags, file, rest } = parseArgs(args, ['--typed', '--hex', '--raw']);
    if (flags.has('--hex') && flags.has('--raw')) throw new UsageError('--hex and --raw exclude each other');
    const text = new TextDecoder().decode(await readInput(io, file, rest));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`the input is not JSON: ${(err as Error).message}`);
    }
    const bytes = encode(flags.has('--typed') ? fromTypedJson(json) : json);
    if (flags.has('--raw')) io.stdout(bytes);
    else io.stdout(Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('') + '\n');
    return 0;
  },
};
