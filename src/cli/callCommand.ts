// `membridge call NAME ARGS...`: calls a shared function from the shell.
import { inspect } from 'node:util';
import { Channel } from '../messaging/Channel.ts';
import { functionInternals } from '../messaging/functions.ts';
import { type Command, integerOption } from './Command.ts';
import { parseJsonArgument, toJson } from './jsonText.ts';
import { formatValue } from './valueSegments.ts';

const HELP = `Usage: membridge call [--timeout MS] [--json] NAME [ARG...]

Calls the shared function another process serves under NAME with the arguments ARG... (each one
JSON; integers of any size stay exact) and prints its result. Waits up to --timeout MS (default
30000) for the result: past that, exit 1 with TIMED_OUT. A function that threw exits 1 with
REMOTE_ERROR and the remote error's name and message; nobody serving NAME exits 1 with NOT_FOUND.`;

export const callCommand: Command = {
  name: 'call',
  summary: 'call a shared function with JSON arguments and print its result',
  usage: HELP,
  options: { timeout: { type: 'string', short: 't' } },
  positionals: { min: 1, max: Infinity, name: 'argument' },
  async run(ctx) {
    const [name, ...texts] = ctx.positionals as [string, ...string[]];
    const args = texts.map((t, i) => parseJsonArgument(t, `ARG ${i + 1}`));
    const timeoutMs = integerOption(ctx, 'timeout', 30_000);
    const client = new Channel(name, 'client', {}, functionInternals);
    client.open();
    try {
      const started = performance.now();
      const result = await client.request(args, { timeoutMs, ...(ctx.io.signal ? { signal: ctx.io.signal } : {}) });
      const ms = performance.now() - started;
      if (ctx.json) ctx.out(toJson({ name, result: result ?? null, ms: Math.round(ms * 1000) / 1000 }));
      else ctx.out(formatValue(result, (x) => inspect(x, { depth: 6, breakLength: 100, colors: ctx.io.color === true })));
      return 0;
    } finally {
      client.close();
    }
  },
};
