// The published .d.ts files: nothing internal (no _-prefixed or @internal member) and entry points
// that type-check on their own. The declarations are the same whichever host runs the tests, so the
// Node run emits and checks them (it takes a TypeScript compile); Deno and Bun register no test.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentHost, hostCommand } from './helpers/hosts.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

if (currentHost() === 'node') {
  test('the published declarations carry no _-prefixed or @internal member and type-check', () => {
    const [cmd, args] = hostCommand('node', join(root, 'scripts', 'check-declarations.mjs'), []);
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 280_000 });
    assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /nothing internal published/);
  });
}

test.run();
