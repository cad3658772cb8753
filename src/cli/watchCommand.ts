// `membridge watch NAME`: prints each new version of a value as it changes, until Ctrl-C.
import { inspect } from 'node:util';
import { IpcError } from '../errors/IpcError.ts';
import { type Command, integerOption } from './Command.ts';
import { toJson } from './jsonText.ts';
import { openValue } from './valueHandle.ts';
import { formatValue } from './valueSegments.ts';

const HELP = `Usage: membridge watch [--count N] [--timeout MS] [--json] NAME

Prints the current version and value of the named memory or shared variable NAME, then each new
version as writers change it, until Ctrl-C (or N versions, with --count; or MS milliseconds
without a change, with --timeout, which exits 1 with TIMED_OUT). Versions written faster than
they can be printed are skipped: watch shows the latest. With --json, one JSON line per version:
{"version":N,"value":...}.`;

export const watchCommand: Command = {
  name: 'watch',
  summary: 'print each new version of a value as it changes',
  usage: HELP,
  options: { count: { type: 'string', short: 'n' }, timeout: { type: 'string' } },
  positionals: { min: 1, max: 1, name: 'NAME' },
  async run(ctx) {
    const name = ctx.positionals[0]!;
    const count = integerOption(ctx, 'count', Infinity);
    const timeoutMs = integerOption(ctx, 'timeout', Infinity);
    const h = openValue(name);
    let printed = 0;
    const show = (version: number): void => {
      const got = h.read();
      const value = got?.value;
      const v = got?.version ?? version;
      if (ctx.json) ctx.out(toJson({ name, version: v, value: got ? value : null, at: new Date().toISOString() }));
      else ctx.out(`${new Date().toISOString().slice(11, 23)}  version ${v}  ${got ? formatValue(value, (x) => inspect(x, { depth: 4, breakLength: Infinity, colors: ctx.io.color === true })) : '(nothing written yet)'}`);
      printed++;
    };
    try {
      let since = h.version;
      if (!ctx.json) ctx.err(`watching ${h.kind} "${name}" (Ctrl-C to stop)`);
      show(since);
      while (printed < count) {
        try {
          since = await h.waitForChange(since, { timeoutMs, ...(ctx.io.signal ? { signal: ctx.io.signal } : {}) });
        } catch (err) {
          if (err instanceof IpcError && err.code === 'ABORTED') return 0; // Ctrl-C: a normal end
          throw err;
        }
        show(since);
      }
      return 0;
    } finally {
      h.close();
    }
  },
};
