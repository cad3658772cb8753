// Runs one of the repository's scripts (scripts/demo.mjs, scripts/bench.mjs) for the CLI. They
// bundle TypeScript examples and benchmarks with esbuild and start Deno and Bun from
// node_modules/.bin, all of which a source checkout has and an installed package does not: there
// the commands are not listed (Command.available) and say so when called.
import { spawn } from 'node:child_process';
import process from 'node:process';
import type { CliIO } from './Command.ts';
import { checkoutScript } from './packageInfo.ts';

/** Runs `node scripts/<script> ...args`, passing its output through; resolves to its exit code. */
export function runRepoScript(script: string, args: string[], io: CliIO): Promise<number> {
  const path = checkoutScript(script);
  if (!path) {
    io.stderr(`membridge: scripts/${script} is part of a source checkout of membridge, not of this installation (clone the repository and run "npm ci" there)\n`);
    return Promise.resolve(1);
  }
  // The scripts are Node programs whatever runtime runs the CLI.
  const node = process.env.MEMBRIDGE_HOST_NODE ?? (process.versions.bun || (globalThis as { Deno?: unknown }).Deno ? 'node' : process.execPath);
  return new Promise((resolve) => {
    const child = spawn(node, [path, ...args], { stdio: ['inherit', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Uint8Array) => io.stdout(d));
    child.stderr.on('data', (d: Uint8Array) => io.stderr(new TextDecoder().decode(d)));
    child.on('error', (err) => {
      io.stderr(`membridge: cannot run ${path}: ${err.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
