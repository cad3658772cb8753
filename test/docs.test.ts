// Every code block of README.md and docs/*.md is a program: each ```js and ```ts block runs
// unchanged on this host (the suite runs this file on Node, Deno and Bun), through the package's
// own exports (`import … from 'membridge'` resolves to dist/ by self-reference). A block that
// cannot run (an API summary) says so in its info string: ```ts no-run. Blocks in other languages
// (sh, text, python, json) are not run. Each `console.log(...); // expected` line must print what
// its comment says, in order; README.md's synopsis (between its synopsis markers) is one such block.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { currentHost, hostCommand } from './helpers/hosts.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const host = currentHost();

interface Block {
  readonly file: string;
  readonly line: number;
  readonly lang: string;
  readonly run: boolean;
  readonly code: string;
}

/** The fenced code blocks of a Markdown file. */
export function codeBlocks(file: string): Block[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    const lang = open[1]!;
    blocks.push({ file, line: start + 1, lang, run: ['js', 'ts'].includes(lang) && !/\bno-run\b/.test(open[2]!), code: body.join('\n') + '\n' });
  }
  return blocks;
}

const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const blocks = files.flatMap(codeBlocks);

/** TypeScript to JavaScript with the checkout's esbuild binary, whatever this host is. */
function stripTypes(code: string): string {
  const r = spawnSync(join(root, 'node_modules', '.bin', 'esbuild'), ['--loader=ts', '--format=esm'], { input: code, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`esbuild: ${r.stderr}`);
  return r.stdout;
}

// eslint-disable-next-line no-control-regex -- colour codes some hosts print anyway
const norm = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '').replace(/"/g, "'").replace(/\s+/g, ' ').replace(/,\s*}/g, ' }').replace(/\s+/g, '');
const ours = (): string[] => readdirSync('/dev/shm').filter((n) => /^(mb\.|mbd\.\d+\.)?(doc|readme)[.-]/.test(n));

test('the docs have runnable blocks, and only a few are marked no-run', () => {
  assert.ok(blocks.filter((b) => b.run).length >= 10, `runnable blocks: ${blocks.filter((b) => b.run).length}`);
  const noRun = blocks.filter((b) => ['js', 'ts'].includes(b.lang) && !b.run);
  assert.ok(noRun.length <= 6, `too many no-run blocks: ${noRun.map((b) => `${b.file}:${b.line}`).join(', ')}`);
});

for (const block of blocks.filter((b) => b.run)) {
  test(`${block.file}:${block.line} runs on ${host} and prints what its comments say`, () => {
    assert.ok(existsSync(join(root, 'dist', 'index.js')), 'dist/ is built (npm ci or npm run build)');
    const before = ours();
    const file = join(root, 'build', `doc-block-${host}-${process.pid}-${block.line}.mjs`);
    writeFileSync(file, block.lang === 'ts' ? stripTypes(block.code) : block.code);
    try {
      const [cmd, args] = hostCommand(host, file, []);
      const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
      assert.is(r.status, 0, `${block.file}:${block.line} failed:\n${r.stderr}\n${r.stdout}`);
      const expected = block.code.split('\n').filter((l) => /^\s*console\.log\(/.test(l) && l.includes('//')).map((l) => l.slice(l.lastIndexOf('//') + 2).trim());
      const printed = norm(r.stdout);
      let at = 0;
      for (const e of expected) {
        const i = printed.indexOf(norm(e), at);
        assert.ok(i >= 0, `${block.file}:${block.line}: printed output has "${e}" in order:\n${r.stdout}`);
        at = i + norm(e).length;
      }
      assert.equal(ours().filter((n) => !before.includes(n)), [], `${block.file}:${block.line} cleans up after itself`);
    } finally {
      rmSync(file, { force: true });
    }
  });
}

test.run();
