// `membridge gateway`: makes local shared-memory functions and values reachable over NATS and
// NATS names reachable as local ones (src/nats/Gateway.ts), until SIGINT or SIGTERM.
import process from 'node:process';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from './Command.ts';

const USAGE = `usage: membridge gateway --nats URL [--namespace NS] [--export PATTERN...] [--import PATTERN...]

Connects this machine's shared memory to a NATS server (with JetStream): local names matching an
--export pattern become reachable from other hosts, names on NATS matching an --import pattern
become local names, so processes that only use the shared-memory API work across hosts.
Prints one line per name it exports, imports or drops. Runs until interrupted.

PATTERN is a name glob ("*" any characters, "?" one), optionally with a kind:
  fn:NAME        shared functions           value:NAME     named memory
  sysframe:NAME  named memory in Python sysframe's layout
  NAME           functions and named memory
Several patterns may follow one --export or --import, or repeat the option.`;

/** Splits the arguments; patterns after --export/--import belong to it until the next option. */
export function parseGatewayArgs(args: string[]): { nats: string; namespace: string | undefined; exports: string[]; imports: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { nats: { type: 'string' }, namespace: { type: 'string' }, export: { type: 'string', multiple: true }, import: { type: 'string', multiple: true } },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const lists = { export: [] as string[], import: [] as string[] };
  let last: 'export' | 'import' | undefined;
  for (const t of parsed.tokens ?? []) {
    if (t.kind === 'option') {
      last = t.name === 'export' || t.name === 'import' ? t.name : undefined;
      if (last && t.value !== undefined) lists[last].push(t.value);
    } else if (t.kind === 'positional') {
      if (!last) throw new UsageError(`unexpected argument "${t.value}"`);
      lists[last].push(t.value);
    }
  }
  const nats = parsed.values.nats;
  if (!nats) throw new UsageError('--nats URL is required');
  if (lists.export.length === 0 && lists.import.length === 0) throw new UsageError('give at least one --export or --import pattern');
  return { nats, namespace: parsed.values.namespace, exports: lists.export, imports: lists.import };
}

export const gatewayCommand: Command = {
  name: 'gateway',
  summary: 'connect local shared memory to other hosts through a NATS server',
  usage: USAGE,
  // Patterns follow --export/--import until the next option, which parseArgs alone cannot express.
  passThrough: true,
  async run(ctx) {
    const io = ctx.io;
    const o = parseGatewayArgs(ctx.positionals);
    const { startGateway } = await import('../nats.ts');
    const say = (line: string): void => io.stdout(`${line}\n`);
    const gw = await startGateway({ servers: o.nats, namespace: o.namespace, exports: o.exports, imports: o.imports, log: say });
    say(`gateway: connected to ${o.nats}, namespace "${gw.net.namespace}"; exporting ${o.exports.join(' ') || 'nothing'}; importing ${o.imports.join(' ') || 'nothing'}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await gw.close();
    say('gateway: stopped');
    return 0;
  },
};
