// The gateway (`membridge gateway`, src/nats/Gateway.ts) against a real nats-server: a function
// served over shared memory by a Bun process, called over NATS from Deno; values both ways
// (membridge and sysframe layouts); a function on NATS imported as a local one; local owners
// dying and coming back; the NATS server restarting under it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { callFunction, readMemory, removeFunction, removeMemory, writeMemory } from '../src/index.ts';
import { connect } from '../src/nats.ts';
import { NatsServer } from './helpers/natsServer.ts';
import { optionalComponent, skipTest } from './helpers/optionalComponent.ts';
import { Peer, type Host } from './helpers/hosts.ts';
import { testName } from './helpers/names.ts';

const nats = optionalComponent('nats-server');
const server = nats.available ? new NatsServer(nats.path) : undefined;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const natsPeer = (host: Host, args: string[]): Peer => new Peer(host, args, {}, {}, 'natsPeer');

/** Reads the gateway's lines until one matches. */
async function waitLine(gw: Peer, re: RegExp, seen: string[]): Promise<string> {
  for (;;) {
    const { line } = await gw.next<{ line: string }>(20_000).catch((err: Error) => {
      throw new Error(`${err.message}\nwaiting for ${re}; gateway said:\n${seen.join('\n')}`);
    });
    seen.push(line);
    if (re.test(line)) return line;
  }
}

async function eventually<T>(what: string, f: () => Promise<T> | T, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = performance.now() + ms;
  let last: unknown;
  while (performance.now() < end) {
    try {
      const v = await f();
      if (ok(v)) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    await sleep(50);
  }
  throw new Error(`${what}: not within ${ms} ms; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
}

const title = 'gateway: a Bun shared-memory function called over NATS from Deno; values both ways; imports; owners dying; NATS restart';

async function run(): Promise<void> {
  const ns = `gw${process.pid}`;
  const fn = testName('gwfn');
  const remoteFn = testName('gwremote');
  const value = testName('gwval');
  const sysValue = testName('gwsys');
  const inValue = testName('gwin');
  const lines: string[] = [];
  writeMemory(value, { rate: 1 });
  writeMemory(sysValue, [1, 2, 3], { layout: 'sysframe' });
  let bunOwner = natsPeer('bun', ['local-serve', fn]);
  await bunOwner.next();
  const gw = natsPeer('node', ['gateway', '--nats', server!.url, '--namespace', ns, '--export', `fn:${fn}`, `value:${value}`, `sysframe:${sysValue}`, '--import', `fn:${remoteFn}`, `value:${inValue}`]);
  const net = await connect({ servers: server!.url, namespace: ns });
  const peers: Peer[] = [bunOwner, gw];
  try {
    await waitLine(gw, new RegExp(`^export fn ${fn}$`), lines);
    // Deno calls the Bun process's shared-memory function over NATS.
    const deno = natsPeer('deno', ['call', server!.url, ns, fn, '5']);
    peers.push(deno);
    await deno.next();
    for (let i = 0; i < 5; i++) assert.equal(await deno.next(), { i, ok: i });
    assert.is(await deno.done(), 0);
    // Its errors arrive with the original name and message.
    const e = (await net.callFunction(fn, ['throw', 'q']).catch((x) => x)) as { remoteName?: string; remoteMessage?: string };
    assert.is(e.remoteName, 'TypeError');
    assert.is(e.remoteMessage, 'bad q');

    // Values: local -> NATS (membridge and sysframe layouts), NATS -> local.
    assert.equal(await eventually('exported value on NATS', () => net.readMemory(value), (v) => JSON.stringify(v) === '{"rate":1}'), { rate: 1 });
    const watched = await net.openMemory(value);
    writeMemory(value, { rate: 2 });
    await eventually('a local write reaches a NATS watcher', () => watched.read(), (v) => (v as { rate: number })?.rate === 2);
    watched.close();
    assert.equal(await eventually('exported sysframe value', () => net.readMemory(sysValue), (v) => Array.isArray(v)), [1, 2, 3]);
    await net.writeMemory(inValue, 'from afar');
    assert.is(await eventually('imported value written locally', () => readMemory(inValue), (v) => v === 'from afar'), 'from afar');

    // A function on NATS (served by Deno) becomes a local shared-memory function.
    const remote = natsPeer('deno', ['serve', server!.url, ns, remoteFn]);
    peers.push(remote);
    await remote.next();
    assert.is(await eventually('imported function callable locally', () => callFunction(remoteFn, ['echo', 'hi'], { timeoutMs: 2000 }), (v) => v === 'hi'), 'hi');

    // The local owner dies: the gateway stops exporting; a new owner is exported again.
    bunOwner.kill();
    await bunOwner.exited;
    await waitLine(gw, new RegExp(`^unexport fn ${fn}`), lines);
    const gone = ((await net.callFunction(fn, ['echo', 1]).catch((x: unknown) => x)) as { code?: string }).code;
    assert.ok(gone === 'NOT_FOUND' || gone === 'PEER_GONE', `after the owner died: ${gone}`);
    bunOwner = natsPeer('bun', ['local-serve', fn]);
    peers.push(bunOwner);
    await bunOwner.next();
    await waitLine(gw, new RegExp(`^export fn ${fn}$`), lines);
    assert.is(await net.callFunction(fn, ['echo', 'back']), 'back');

    // The NATS server restarts: the gateway reconnects and everything works again.
    await server!.restart(300);
    assert.is(await eventually('call through the gateway after a NATS restart', () => net.callFunction(fn, ['echo', 'again'], { timeoutMs: 2000 }), (v) => v === 'again'), 'again');
    writeMemory(value, { rate: 3 });
    await eventually('exported value after a NATS restart', () => net.readMemory(value), (v) => (v as { rate: number })?.rate === 3);
    await net.writeMemory(inValue, 'after restart');
    await eventually('imported value after a NATS restart', () => readMemory(inValue), (v) => v === 'after restart');
    assert.is(await eventually('imported function after a NATS restart', () => callFunction(remoteFn, ['echo', 2], { timeoutMs: 2000 }), (v) => v === 2), 2);
    assert.ok(lines.some((l) => l.startsWith('gateway: connected')), lines.join('\n'));
    assert.ok(lines.some((l) => l === `import fn ${remoteFn}`), lines.join('\n'));
  } finally {
    gw.kill('SIGTERM');
    await gw.done(5000);
    for (const p of peers) p.kill();
    await net.close();
    // A killed owner leaves its segment; removing the function takes the stale name away.
    removeFunction(fn);
    removeMemory(value);
    removeMemory(inValue);
    removeMemory(sysValue, { layout: 'sysframe' });
  }
}

if (!server) skipTest(test, title, nats);
else {
  test.before(async () => {
    await server.start();
  });
  test.after(async () => {
    await server.dispose();
  });
  test(title, run);
}
test.run();
