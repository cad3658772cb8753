// The README's synopsis is a program: it runs unchanged on every host, through the package's own
// exports (`import … from 'membridge'` resolves to dist/ by self-reference).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOSTS, hostCommand } from './helpers/hosts.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function synopsis(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const m = /<!-- synopsis:start -->\s*```js\n([\s\S]*?)```\s*<!-- synopsis:end -->/.exec(readme);
  if (!m) throw new Error('README.md has no synopsis block between <!-- synopsis:start --> and <!-- synopsis:end -->');
  return m[1]!;
}

for (const host of HOSTS) {
  test(`the README synopsis runs on ${host} and prints what its comments say`, () => {
    assert.ok(existsSync(join(root, 'dist', 'index.js')), 'dist/ is built (npm ci or npm run build)');
    const code = synopsis();
    const file = join(root, 'build', `readme-synopsis-${host}-${process.pid}.mjs`);
    writeFileSync(file, code);
    try {
      const [cmd, args] = hostCommand(host, file, []);
      const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
      assert.is(r.status, 0, r.stderr);
      // Each `console.log(...); // expected` line: the printed line must match the comment, up to
      // the host's formatting of quotes and whitespace.
      const expected = code.split('\n').filter((l) => l.startsWith('console.log(') && l.includes('//')).map((l) => l.slice(l.lastIndexOf('//') + 2).trim());
      // eslint-disable-next-line no-control-regex -- colour codes some hosts print anyway
      const norm = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '').replace(/"/g, "'").replace(/\s+/g, ' ').replace(/,\s*}/g, ' }').replace(/\s+/g, '');
      const printed = norm(r.stdout);
      let at = 0;
      for (const e of expected) {
        const i = printed.indexOf(norm(e), at);
        assert.ok(i >= 0, `printed output has "${e}" in order:\n${r.stdout}`);
        at = i + norm(e).length;
      }
      assert.equal(readdirSync('/dev/shm').filter((n) => n.includes('readme-')), [], 'the synopsis cleans up');
    } finally {
      rmSync(file, { force: true });
    }
  });
}

test.run();
