// The CLI, run in-process on every host through the same main() that dist/cli.js calls.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main, useColor } from '../src/cli/main.ts';

async function run(argv: string[], stdin = ''): Promise<{ code: number; out: string; err: string; raw: Uint8Array }> {
  let out = '';
  let err = '';
  const raw: number[] = [];
  const code = await main(argv, {
    readStdin: async () => new TextEncoder().encode(stdin),
    readFile: async (p) => {
      if (p === 'msg.hex') return new TextEncoder().encode('fd 27 01 05 01');
      throw new Error(`ENOENT: no such file, open '${p}'`);
    },
    stdout: (d) => {
      if (typeof d === 'string') out += d;
      else raw.push(...d);
    },
    stderr: (t) => (err += t),
  });
  return { code, out, err, raw: Uint8Array.from(raw) };
}

test('membridge encode: JSON argument to hex, typed JSON from stdin, --raw bytes', async () => {
  assert.equal(await run(['encode', '{"a":[1,2.5,null]}']), { code: 0, out: 'fd2c01010161' + '1d03050' + '10c0000000000000440' + '10\n', err: '', raw: new Uint8Array() });
  const typed = await run(['encode', '--typed'], '{"t":"tuple","items":[{"t":"int","v":"1"}]}');
  assert.is(typed.out, 'fd27010501\n');
  const raw = await run(['encode', '--raw', '"hi"']);
  assert.equal([...raw.raw], [0xfd, 0x01, 0x02, 0x68, 0x69]);
});

test('membridge decode: hex to JSON, --typed, --file', async () => {
  const r = await run(['decode', 'fd2c01010161050a']);
  assert.is(r.code, 0);
  assert.equal(JSON.parse(r.out), { a: 10 });
  const t = await run(['decode', '--typed', '--file', 'msg.hex']);
  assert.equal(JSON.parse(t.out), { t: 'tuple', items: [{ t: 'int', v: '1' }] });
  const big = await run(['decode'], 'fd0a09000000000000008000');
  assert.is(JSON.parse(big.out), '9223372036854775808');
});

test('membridge: readable errors with non-zero exit codes, and --help', async () => {
  const bad = await run(['decode', 'fd68']);
  assert.is(bad.code, 1);
  assert.match(bad.err, /membridge decode: UNKNOWN_TAG: Cannot decode pybytes at offset 1 \(tag 0x68\)/);
  assert.is((await run(['decode', 'zz'])).code, 2);
  assert.is((await run(['encode', '{'])).code, 2);
  const unknown = await run(['encode', '--bogus', '1']);
  assert.is(unknown.code, 2);
  assert.match(unknown.err, /unknown option '--bogus'/);
  assert.match((await run(['decode', '--file'])).err, /argument missing/);
  assert.is((await run(['frobnicate'])).code, 2);
  assert.is((await run(['decode', '--file', 'missing'])).code, 1);
  const help = await run(['--help']);
  assert.is(help.code, 0);
  assert.match(help.out, /encode .*\n.*decode/);
  // demo and bench are listed in a source checkout (this one); an installed package has no scripts/.
  for (const name of ['ls', 'inspect', 'watch', 'write', 'call', 'rm', 'reap', 'demo', 'bench']) assert.match(help.out, new RegExp(`\\n  ${name} `));
  assert.match((await run(['encode', '--help'])).out, /usage: membridge encode/);
});

test('decode reports trailing bytes, --strict makes them an error; encode keeps big integers exact', async () => {
  const trailing = await run(['decode', 'fd2c00' + '00'.repeat(20)]);
  assert.is(trailing.code, 0);
  assert.equal(JSON.parse(trailing.out), {});
  assert.match(trailing.err, /warning: 20 trailing bytes at offset 3 after the message ignored/);
  const strict = await run(['decode', '--strict', 'fd2c00' + '00'.repeat(20)]);
  assert.is(strict.code, 1);
  assert.match(strict.err, /TRAILING_BYTES: 20 trailing bytes at offset 3/);
  const exact = await run(['decode', '--strict', 'fd2c01010161050a']);
  assert.is(exact.code, 0);
  assert.is(exact.err, '');
  assert.equal(JSON.parse((await run(['decode', '--json', 'fd01026869ffff'])).out), { value: 'hi', length: 5, trailing: { offset: 5, count: 2 } });
  // 2^53 + 1 is an int, not the float 2^53.
  const big = await run(['encode', '9007199254740993']);
  assert.is(big.code, 0);
  assert.is(JSON.parse((await run(['decode', big.out.trim()])).out), '9007199254740993');
  assert.is(JSON.parse((await run(['decode', '--typed', big.out.trim()])).out).t, 'int');
  assert.is(JSON.parse((await run(['decode', '--typed', (await run(['encode', '1.5'])).out.trim()])).out).t, 'float');
  // A negative number is a value, not an option.
  assert.is((await run(['encode', '-5'])).code, 0);
});

test('--version, and colour only on a terminal without NO_COLOR', async () => {
  const v = await run(['--version']);
  assert.is(v.code, 0);
  assert.match(v.out, /^membridge \d+\.\d+\.\d+/);
  assert.ok(useColor(true, {}));
  assert.not.ok(useColor(false, {}));
  assert.not.ok(useColor(undefined, {}));
  assert.not.ok(useColor(true, { NO_COLOR: '1' }));
  assert.ok(useColor(true, { NO_COLOR: '' }), 'an empty NO_COLOR does not count (no-color.org)');
});

test('membridge bench and demo run the checkout scripts and pass their exit codes through', async () => {
  const unknown = await run(['bench', 'no-such-benchmark']);
  assert.is(unknown.code, 2);
  assert.match(unknown.err, /no benchmark "no-such-benchmark"/);
  const demoHelp = await run(['demo', '--help']);
  assert.is(demoHelp.code, 0);
  assert.match(demoHelp.out, /membridge demo/);
});

test.run();
