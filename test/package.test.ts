// The package as a user gets it: `npm pack` (which builds and makes the prebuilt addon), then the
// tarball installed into an empty project from the npm cache only (no network), and used from there
// by Node (ESM and CommonJS), TypeScript in strict mode, Deno with the README's exact command, Bun
// and a browser bundler. Also the two linters of published packages (publint, arethetypeswrong), and
// what a user sees when no addon can be had.
//
// It runs on the Node host only (it starts Deno and Bun itself); the packing alone takes about a
// minute (several on a loaded machine), so it is one file with one temporary project for all the
// checks, and it asks the driver for a longer watchdog:
// test-timeout-ms: 900000
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { currentHost, hostCommand } from './helpers/hosts.ts';
import { testName } from './helpers/names.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface Project {
  tmp: string;
  app: string;
  tarball: string;
  installed: string;
}
let project: Project | undefined;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 120_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '1', ...env } });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.is(r.status, 0, `${what} failed (status ${r.status}, ${r.error?.message ?? ''}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The README's Deno command line, e.g. `deno run --allow-ffi --allow-read app.ts`, as argv. */
function readmeDenoArgs(script: string): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const m = /\| Deno \|[^|]*\| `deno (run [^`]*?) app\.ts`/.exec(readme);
  if (!m) throw new Error('README.md has no `deno run … app.ts` command in its runtime table');
  return [...m[1]!.split(/\s+/), script];
}

/** npm ci --offline needs a lockfile: it names the tarball and the registry tarballs already cached. */
function writeProject(app: string, tarball: string): void {
  const repoLock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; bin: unknown; engines: unknown };
  const spec = `file:${tarball}`;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'app', version: '1.0.0', dependencies: { membridge: spec } },
    'node_modules/membridge': {
      version: '0.1.0', resolved: spec, integrity, hasInstallScript: true, license: 'MIT',
      dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines,
    },
  };
  // Every run-time dependency, transitive ones included, exactly as the repository's lockfile has it.
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    const e = entry as { dev?: boolean; optional?: boolean; devOptional?: boolean; link?: boolean };
    if (path.startsWith('node_modules/') && !e.dev && !e.devOptional && !e.optional && !e.link) packages[path] = entry;
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module', dependencies: { membridge: spec } }, null, 2));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
}

function need(): Project {
  if (!project) throw new Error('the package was not packed and installed (see the first test)');
  return project;
}

if (currentHost() !== 'node') {
  console.log(`package.test: runs on the Node host only (it starts Deno and Bun itself); nothing to do on ${currentHost()}`);
} else {
  test('npm pack builds the package with a prebuilt linux-x64 addon, LICENSE and CHANGELOG, and no os restriction', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'mb-package-'));
    project = { tmp, app: join(tmp, 'app'), tarball: '', installed: '' };
    const out = ok(run(npm, ['pack', '--json', '--pack-destination', tmp], root, {}, 600_000), 'npm pack');
    const info = (JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }>; size: number }>)[0]!;
    project.tarball = join(tmp, info.filename);
    const files = info.files.map((f) => f.path);
    for (const f of ['LICENSE', 'CHANGELOG.md', 'README.md', 'dist/index.js', 'dist/index.cjs', 'dist/types/index.d.ts', 'dist/types/index.d.cts',
      'dist/types/pybytes.d.cts', 'scripts/install.mjs', 'scripts/build-addon.mjs', 'native/membridge.cc']) {
      assert.ok(files.includes(f), `${f} is in the tarball`);
    }
    if (process.platform === 'linux' && process.arch === 'x64') {
      assert.ok(files.some((f) => /^prebuilds\/linux-x64\/membridge\.napi\.(glibc|musl)\.node$/.test(f)), `a linux-x64 prebuild is in the tarball: ${files.filter((f) => f.startsWith('prebuilds'))}`);
    }
    assert.not.ok(files.some((f) => f.startsWith('build/') || f.startsWith('test/') || f.startsWith('src/')), 'no build output, tests or sources beyond native/');
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.is(manifest.os, undefined, 'no os restriction: membridge/pybytes installs everywhere');
    assert.ok(manifest.repository && manifest.homepage && Array.isArray(manifest.keywords), 'repository, homepage and keywords are set');
    console.log(`tarball ${info.filename}: ${info.size} bytes, ${files.length} files`);
  });

  test('publint and arethetypeswrong find nothing wrong with the tarball', () => {
    const { tarball, tmp } = need();
    const lint = run(bin('publint'), ['run', tarball, '--strict', '--pack', 'false'], tmp);
    assert.is(lint.status, 0, `publint:\n${lint.stdout}\n${lint.stderr}`);
    assert.not.match(lint.stdout, /Errors:|Warnings:|Suggestions:/, lint.stdout);
    // --profile node16 would skip node10; every resolution mode must be clean.
    const attw = run(bin('attw'), [tarball, '--format', 'ascii'], tmp);
    assert.is(attw.status, 0, `attw:\n${attw.stdout}\n${attw.stderr}`);
    assert.match(attw.stdout, /No problems found/, attw.stdout);
  });

  test('the tarball installs from the npm cache alone, using the prebuild without a compiler', () => {
    const p = need();
    mkdirSync(p.app, { recursive: true });
    writeProject(p.app, p.tarball);
    // CXX names a compiler that does not exist: a matching prebuild must make it irrelevant.
    const r = run(npm, ['ci', '--offline', '--no-audit', '--no-fund'], p.app, { CXX: 'membridge-no-such-compiler' });
    ok(r, 'npm ci --offline');
    p.installed = join(p.app, 'node_modules', 'membridge');
    if (process.platform === 'linux' && process.arch === 'x64') {
      assert.not.ok(existsSync(join(p.installed, 'build')), 'nothing was compiled or recorded: the prebuild matched');
      assert.not.match(r.stderr, /membridge:/, 'the install printed nothing of its own');
    }
  });

  test('Node imports it as ESM and requires it as CommonJS, codec and shared memory alike', () => {
    const { app } = need();
    const name = testName('pkg-esm');
    writeFileSync(join(app, 'esm.mjs'), `import { writeMemory, readMemory, removeMemory, isNativeAvailable } from 'membridge';
import { encode, decode } from 'membridge/pybytes';
writeMemory(${JSON.stringify(name)}, { a: [1, 'x'] });
console.log(JSON.stringify([isNativeAvailable(), readMemory(${JSON.stringify(name)}), decode(encode([1, 2.5]))]));
removeMemory(${JSON.stringify(name)});
`);
    assert.equal(JSON.parse(ok(run(process.execPath, ['esm.mjs'], app), 'node esm.mjs')), [true, { a: [1, 'x'] }, [1, 2.5]]);
    writeFileSync(join(app, 'cjs.cjs'), `const { writeMemory, readMemory, removeMemory, IpcError } = require('membridge');
const { decode, encode } = require('membridge/pybytes');
writeMemory(${JSON.stringify(name)}, 7);
let code = '';
try { readMemory(${JSON.stringify(`${name}-missing`)}); } catch (e) { code = e instanceof IpcError ? e.code : String(e); }
console.log(JSON.stringify([readMemory(${JSON.stringify(name)}), code, decode(encode('s'))]));
removeMemory(${JSON.stringify(name)});
`);
    assert.equal(JSON.parse(ok(run(process.execPath, ['cjs.cjs'], app), 'node cjs.cjs')), [7, 'NOT_FOUND', 's']);
  });

  test('the declarations compile in a strict project with lib ES2022 and @types/node, no skipLibCheck (nodenext and bundler)', () => {
    const { app } = need();
    writeFileSync(join(app, 'use.ts'), `import { writeMemory, readMemory, IpcError, HostVariable, callFunction, createFunction, FrameBufferServer } from 'membridge';
import { encode, decode, Tuple, type DecodeOptions } from 'membridge/pybytes';
writeMemory('x', { a: 1 });
const value: unknown = readMemory('x');
const pose = new HostVariable<number[]>('y', { maxSize: 64, slots: 2 });
pose.data = [1];
const failure: IpcError | undefined = undefined;
const options: DecodeOptions = { lossless: true };
const served: Promise<boolean> = createFunction('f', (a: number) => a + 1);
const result: Promise<unknown> = callFunction('f', [1]);
console.log(value, failure, decode(encode(new Tuple([1])), options), served, result, FrameBufferServer);
`);
    writeFileSync(join(app, 'use.cts'), `import membridge = require('membridge');
import pybytes = require('membridge/pybytes');
membridge.writeMemory('x', 1);
const e: membridge.IpcError | undefined = undefined;
console.log(e, pybytes.decode(pybytes.encode([1])));
`);
    const common = { strict: true, noEmit: true, target: 'ES2022', lib: ['ES2022'], types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] };
    const configs: Array<[string, Record<string, unknown>, string[]]> = [
      ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }, ['use.ts', 'use.cts']],
      ['bundler', { module: 'esnext', moduleResolution: 'bundler' }, ['use.ts']],
    ];
    for (const [label, options, files] of configs) {
      writeFileSync(join(app, `tsconfig.${label}.json`), JSON.stringify({ compilerOptions: { ...common, ...options }, files }));
      const r = run(bin('tsc'), ['-p', `tsconfig.${label}.json`], app);
      assert.is(r.status, 0, `tsc (${label}):\n${r.stdout}${r.stderr}`);
    }
  });

  test("the README's Deno command and Bun run code that uses the installed package", () => {
    const { app } = need();
    const name = testName('pkg-hosts');
    writeFileSync(join(app, 'app.ts'), `import { writeMemory, readMemory, removeMemory } from 'membridge';
import { decode, encode } from 'membridge/pybytes';
const name = ${JSON.stringify(name)};
writeMemory(name, { host: typeof (globalThis as { Deno?: unknown }).Deno === 'object' ? 'deno' : 'bun' });
console.log(JSON.stringify([readMemory(name), decode(encode([3]))]));
removeMemory(name);
`);
    // No --allow-env: reading the MEMBRIDGE_* variables must not throw (nor prompt: stdin is closed).
    const deno = hostCommand('deno', 'app.ts', [])[0];
    assert.equal(JSON.parse(ok(run(deno, readmeDenoArgs('app.ts'), app), 'deno (README command)')), [{ host: 'deno' }, [3]]);
    // On a terminal Deno prompts instead of throwing (for env and sys access): under a pseudo-terminal
    // (util-linux `script`) the same command must finish without asking anything.
    if (spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0) {
      const line = [deno, ...readmeDenoArgs('app.ts')].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      const tty = run('script', ['-qec', line, '/dev/null'], app, {}, 60_000);
      assert.not.match(tty.stdout, /Deno requests/, `Deno prompted on a terminal:\n${tty.stdout}`);
      assert.is(tty.status, 0, `deno on a terminal:\n${tty.stdout}\n${tty.stderr}`);
      assert.match(tty.stdout, /"host":"deno"/);
    }
    const bun = hostCommand('bun', 'app.ts', [])[0];
    assert.equal(JSON.parse(ok(run(bun, ['app.ts'], app), 'bun app.ts')), [{ host: 'bun' }, [3]]);
  });

  test('a Node process serves a function and writes a value; Deno (README command) calls it and reads the value', async () => {
    const { app } = need();
    const fn = testName('pkg-fn');
    const mem = testName('pkg-mem');
    writeFileSync(join(app, 'server.mjs'), `import { createFunction, writeMemory, removeMemory } from 'membridge';
writeMemory(${JSON.stringify(mem)}, { from: 'node', pid: process.pid });
const served = createFunction(${JSON.stringify(fn)}, (a, b) => ({ sum: a + b, by: 'node' }));
console.log('READY');
const stop = setTimeout(() => process.exit(3), 60_000);
await served;
clearTimeout(stop);
removeMemory(${JSON.stringify(mem)});
console.log('SERVED');
`);
    writeFileSync(join(app, 'client.ts'), `import { callFunction, readMemory, removeFunction } from 'membridge';
const value = readMemory(${JSON.stringify(mem)});
const reply = await callFunction(${JSON.stringify(fn)}, [2, 40], { timeoutMs: 20_000 });
console.log(JSON.stringify({ value, reply, removed: removeFunction(${JSON.stringify(fn)}) }));
`);
    const server = spawn(process.execPath, ['server.mjs'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    server.stdout.on('data', (d) => (out += d));
    server.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    try {
      const started = Date.now();
      while (!out.includes('READY')) {
        if (Date.now() - started > 30_000 || server.exitCode !== null) throw new Error(`server did not start:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const deno = hostCommand('deno', 'client.ts', [])[0];
      const client = JSON.parse(ok(run(deno, readmeDenoArgs('client.ts'), app), 'deno client.ts')) as { value: { from: string; pid: number }; reply: unknown; removed: number };
      assert.equal(client.value, { from: 'node', pid: server.pid });
      assert.equal(client.reply, { sum: 42, by: 'node' });
      assert.is(client.removed, 1);
      assert.is(await exited, 0, `server:\n${out}\n${err}`);
      assert.match(out, /SERVED/);
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  });

  test('bundling membridge/pybytes for a browser pulls in no Node built-in', () => {
    const { app } = need();
    writeFileSync(join(app, 'page.js'), `import { encode, decode } from 'membridge/pybytes';\nglobalThis.roundTrip = (v) => decode(encode(v));\n`);
    // esbuild fails on a Node built-in under platform=browser; the metafile shows what was resolved.
    ok(run(bin('esbuild'), ['page.js', '--bundle', '--platform=browser', '--format=esm', '--log-level=error', '--metafile=meta.json', '--outfile=page.out.js'], app), 'esbuild --platform=browser');
    const inputs = Object.keys((JSON.parse(readFileSync(join(app, 'meta.json'), 'utf8')) as { inputs: Record<string, unknown> }).inputs);
    assert.ok(inputs.some((f) => f.includes('node_modules/membridge/dist/pybytes.js')), `resolved through the exports map: ${inputs}`);
    assert.equal(inputs.filter((f) => f.startsWith('node:') || !f.includes('/')), ['page.js']);
    assert.not.match(readFileSync(join(app, 'page.out.js'), 'utf8'), /from\s*["']node:|require\(["']node:/, 'no node: import is left for the browser');
  });

  test('with no prebuild and no compiler the install says why in one line, and so does NATIVE_UNAVAILABLE', () => {
    const { app, installed } = need();
    rmSync(join(installed, 'prebuilds'), { recursive: true, force: true });
    const rebuild = run(npm, ['rebuild', 'membridge', '--offline', '--foreground-scripts'], app, { CXX: 'membridge-no-such-compiler' });
    ok(rebuild, 'npm rebuild membridge');
    const lines = `${rebuild.stdout}\n${rebuild.stderr}`.split('\n').filter((l) => l.startsWith('membridge:'));
    assert.is(lines.length, 1, `one line says why and what to run:\n${rebuild.stdout}\n${rebuild.stderr}`);
    assert.match(lines[0]!, /no C\+\+ compiler was found.*npm rebuild membridge/);
    writeFileSync(join(app, 'unavailable.mjs'), `import { writeMemory, IpcError } from 'membridge';
import { decode, encode } from 'membridge/pybytes';
try { writeMemory('x', 1); console.log('WROTE'); } catch (e) { console.log(JSON.stringify({ code: e instanceof IpcError ? e.code : String(e), message: e.message, codec: decode(encode(1)) })); }
`);
    const r = JSON.parse(ok(run(process.execPath, ['unavailable.mjs'], app), 'node unavailable.mjs')) as { code: string; message: string; codec: number };
    assert.is(r.code, 'NATIVE_UNAVAILABLE');
    assert.match(r.message, /no C\+\+ compiler was found/);
    assert.match(r.message, /npm rebuild membridge/);
    assert.is(r.codec, 1, 'the codec works without the addon');
    // An install that ran no script (--ignore-scripts, or a script npm did not allow) says so.
    rmSync(join(installed, 'build'), { recursive: true, force: true });
    const s = JSON.parse(ok(run(process.execPath, ['unavailable.mjs'], app), 'node unavailable.mjs')) as { code: string; message: string };
    assert.match(s.message, /install script did not run/);
    assert.match(s.message, /npm rebuild membridge/);
  });

  test.after(() => {
    if (project) rmSync(project.tmp, { recursive: true, force: true });
    // A test that failed half-way leaves what its apps made: named memory lives at "mb.<name>" and
    // "mbd.<n>.<name>", functions at "mb.<name>", so match the run's test names anywhere in the file name.
    const ours = `mbt-${process.env.MEMBRIDGE_TEST_RUN ?? 'manual'}-`;
    for (const n of readdirSync('/dev/shm')) if (n.includes(ours) && n.includes('-pkg-')) rmSync(join('/dev/shm', n), { force: true });
  });
}

test.run();
