// `membridge demo`: the demo of `npm run demo` (source checkout only).
import type { Command } from './Command.ts';
import { checkoutScript } from './packageInfo.ts';
import { runRepoScript } from './runRepoScript.ts';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the demo: Node, Deno and Bun processes working over shared memory',
  usage: `Usage: membridge demo [options]

Runs scripts/demo.mjs of a source checkout (the same as "npm run demo") and passes its options
on. Leaves nothing in /dev/shm.`,
  passThrough: true,
  available: () => checkoutScript('demo.mjs') !== undefined,
  run: (ctx) => runRepoScript('demo.mjs', ctx.positionals, ctx.io),
};
