// Entry point of the `membridge` executable (bundled to dist/cli.js).
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { main, useColor } from './cli/main.ts';

async function readStdin(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  return Buffer.concat(chunks);
}

// Ctrl-C ends waiting commands (watch, call) through their AbortSignal, so they close what they
// opened; a second Ctrl-C exits at once.
const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
});

const code = await main(process.argv.slice(2), {
  readStdin,
  readFile: (path) => readFile(path),
  stdout: (data) => void process.stdout.write(data),
  stderr: (text) => void process.stderr.write(text),
  color: useColor(process.stdout.isTTY, process.env),
  signal: interrupt.signal,
});
process.exitCode = code;
// Nothing else keeps the CLI alive (a function client's timers, a watch's waiter).
process.exit(code);
