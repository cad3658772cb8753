// Entry point of the `membridge` executable (bundled to dist/cli.js).
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { main } from './cli/main.ts';

async function readStdin(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  return Buffer.concat(chunks);
}

const code = await main(process.argv.slice(2), {
  readStdin,
  readFile: (path) => readFile(path),
  stdout: (data) => void process.stdout.write(data),
  stderr: (text) => void process.stderr.write(text),
});
process.exitCode = code;
