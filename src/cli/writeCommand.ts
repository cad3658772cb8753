// `membridge write NAME VALUE`: writes a value from the shell.
import { fromTypedJson } from '../pybytes/typedJson.ts';
import { writeMemory } from '../values/writeMemory.ts';
import { type Command, UsageError } from './Command.ts';
import { parseJsonArgument } from './jsonText.ts';
import { openValue } from './valueHandle.ts';

const HELP = `Usage: membridge write [--typed] [--sysframe] [--json] NAME VALUE

Writes VALUE (JSON; integers of any size stay exact; with --typed, typed JSON as in
docs/pybytes.md) to NAME: a shared variable if "mb.NAME" is one, else named memory, created when
missing (as writeMemory does). Prints the new version. With --sysframe, NAME is a value in the
layout of Python's sysframe.membridge.`;

export const writeCommand: Command = {
  name: 'write',
  summary: 'write a value (JSON) to named memory or a shared variable',
  usage: HELP,
  options: { typed: { type: 'boolean' }, sysframe: { type: 'boolean' } },
  positionals: { min: 2, max: 2, name: 'argument' },
  async run(ctx) {
    const [name, text] = ctx.positionals as [string, string];
    const json = parseJsonArgument(text, 'VALUE');
    const value = ctx.values.typed ? fromTypedJson(json) : json;
    if (ctx.values.sysframe) {
      writeMemory(name, value, { layout: 'sysframe' });
      if (ctx.json) ctx.out(JSON.stringify({ name, layout: 'sysframe' }));
      else ctx.out(`wrote sysframe memory "${name}"`);
      return 0;
    }
    let kind = 'named memory';
    let version: number;
    try {
      const h = openValue(name);
      try {
        kind = h.kind;
        version = h.write(value);
      } finally {
        h.close();
      }
    } catch (err) {
      if (!(err instanceof Error && (err as { code?: string }).code === 'NOT_FOUND')) throw err;
      if (text === '') throw new UsageError('VALUE is empty');
      writeMemory(name, value);
      const h = openValue(name);
      version = h.version;
      h.close();
    }
    if (ctx.json) ctx.out(JSON.stringify({ name, kind, version }));
    else ctx.out(`wrote ${kind} "${name}", version ${version}`);
    return 0;
  },
};
