// `membridge bench`: the benchmarks of `npm run bench` (source checkout only).
import type { Command } from './Command.ts';
import { checkoutScript } from './packageInfo.ts';
import { runRepoScript } from './runRepoScript.ts';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run a benchmark (pingpong, codec, values, messaging, framebuffer) or all',
  usage: `Usage: membridge bench [NAME] [options]

Runs scripts/bench.mjs of a source checkout: bench/NAME against its peers (Unix sockets,
child_process IPC, msgpackr, a C futex floor, …) measured in the same run; without NAME, every
benchmark. Results are printed as tables and written to bench/results/NAME.json.
"membridge bench NAME --help" lists a benchmark's own options.`,
  passThrough: true,
  available: () => checkoutScript('bench.mjs') !== undefined,
  run: (ctx) => runRepoScript('bench.mjs', ctx.positionals, ctx.io),
};
