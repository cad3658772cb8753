// `membridge demo`: the demo of `npm run demo` (two runtimes ping-pong over shared memory).
import type { Command } from './Command.ts';
import { runRepoScript } from './runRepoScript.ts';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the demo: two runtimes talking over shared memory',
  usage: `Usage: membridge demo [--iterations N] [--child-host bun|deno|node]

Runs scripts/demo.mjs of a source checkout: a Node process and a Bun (or Deno) process
ping-pong over one shared-memory segment, first with blocking waits, then with async waits,
and print the round-trip latency. Leaves nothing in /dev/shm.`,
  run: (args, io) => runRepoScript('demo.mjs', args, io),
};
