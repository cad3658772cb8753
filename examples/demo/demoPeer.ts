// One process of `npm run demo` (scripts/demo.mjs starts several, in Node, Deno and Bun). It uses
// only membridge's public API and reports in JSON lines on stdout:
//
//   value-write NAME N        write N versions of {seq, t} to named memory NAME, 2 ms apart
//   value-watch NAME N        watch NAME until version N, measuring how late each change is seen
//   value-remove NAME        remove it
//   fn-serve NAME             serve the shared function NAME(a, b) = a + b until SIGTERM/SIGINT
//   fn-call NAME N            call it N times; median round trip
//   chan-serve NAME           a Channel server: doubles requests, notifies each client 200 times
//   chan-client NAME N        N requests; counts and times the server's notifications
//   fb-produce NAME N SIZE    a FrameBuffer of N frames of SIZE bytes, announced over a Channel
//   fb-consume NAME           reads each announced frame with a checked read (XXH64)
//   sock-serve PATH           a Unix socket echo server (the baseline)
//   sock-call PATH N          N round trips over it; median
import { createServer, connect } from 'node:net';
import { unlinkSync } from 'node:fs';
import process from 'node:process';
import { Channel, createFunction, callFunction, removeFunction, FrameBufferServer, FrameBufferClient, SharedMemory, removeMemory } from '../../src/index.ts';

const [role, name, ...rest] = process.argv.slice(2) as [string, string, ...string[]];
const say = (o: unknown): void => void process.stdout.write(JSON.stringify(o) + '\n');
const now = (): number => performance.timeOrigin + performance.now(); // ms since the epoch, sub-µs resolution
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1]! : NaN;
};
const us = (ms: number): number => Math.round(ms * 1000 * 10) / 10;
const cleanups: Array<() => void> = [];
function finish(code = 0): never {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      c();
    } catch {
      // already gone
    }
  }
  process.exit(code);
}
// Ctrl-C (SIGINT to the whole process group) or the demo's SIGTERM: close and remove what this
// process made, then exit; servers otherwise run until then.
for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => finish(130));
const forever = new Promise<void>(() => setInterval(() => {}, 1 << 30));

async function main(): Promise<void> {
  const n = Number(rest[0] ?? 0);
  switch (role) {
    case 'value-write': {
      const m = SharedMemory.openOrCreate(name);
      cleanups.push(() => m.close());
      for (let seq = 1; seq <= n; seq++) {
        m.write({ seq, t: now() });
        await new Promise((r) => setTimeout(r, 2));
      }
      say({ wrote: n });
      return finish();
    }
    case 'value-watch': {
      const m = SharedMemory.openOrCreate(name);
      cleanups.push(() => m.close());
      say({ ready: true });
      const late: number[] = [];
      let since = m.version;
      let last = 0;
      while (last < n) {
        since = await m.waitForChange(since, { timeoutMs: 10_000 });
        const got = m.read()?.value as { seq: number; t: number } | undefined;
        if (!got) continue;
        late.push(now() - got.t);
        last = got.seq;
      }
      say({ seen: late.length, of: n, medianUs: us(median(late)) });
      return finish();
    }
    case 'value-remove':
      removeMemory(name);
      return finish();
    case 'fn-serve': {
      const done = createFunction(name, (a: number, b: number) => a + b);
      cleanups.push(() => removeFunction(name));
      say({ ready: true });
      await done;
      return finish();
    }
    case 'fn-call': {
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        const r = await callFunction(name, [i, 1]);
        times.push(performance.now() - t);
        if (r !== i + 1) throw new Error(`add(${i}, 1) returned ${String(r)}`);
      }
      say({ calls: n, medianUs: us(median(times.slice(n >> 3))) });
      return finish();
    }
    case 'chan-serve': {
      const server = new Channel(name, 'server').open();
      cleanups.push(() => server.close());
            // Each client's first request is "hello": answer, then send it 200 notifications.
      server.setRequestCallback(async (v, req) => {
        if (v === 'hello') {
          const peer = req.peer;
          setTimeout(async () => {
            for (let i = 0; i < 200; i++) {
              await peer!.notify({ i, t: now() });
              await new Promise((r) => setTimeout(r, 1)); // paced: latency, not queueing
            }
          }, 0);
          return 'hi';
        }
        return (v as number) * 2;
      });
      say({ ready: true });
      await forever;
      return finish();
    }
    case 'chan-client': {
      const client = new Channel(name, 'client').open();
      cleanups.push(() => client.close());
      const late: number[] = [];
      const got = (async () => {
        for await (const { value } of client.notifications()) {
          late.push(now() - (value as { t: number }).t);
          if (late.length === 200) return;
        }
      })();
      if ((await client.request('hello')) !== 'hi') throw new Error('no hello');
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        const r = await client.request(i);
        times.push(performance.now() - t);
        if (r !== i * 2) throw new Error(`request ${i} answered ${String(r)}`);
      }
      await got;
      say({ requests: n, requestMedianUs: us(median(times.slice(n >> 3))), notifications: late.length, notificationMedianUs: us(median(late)) });
      return finish();
    }
    case 'fb-produce': {
      const size = Number(rest[1]);
      const fb = new FrameBufferServer(size * 8, { name: name + '-frames' }).start();
      cleanups.push(() => fb.stop());
      const writer = new FrameBufferClient(fb.getKey()).start();
      cleanups.push(() => writer.stop());
      const announce = new Channel(name, 'server').open();
      cleanups.push(() => announce.close());
      let sent = 0;
      const frame = new Uint8Array(size);
      // The consumer asks for the next frame; the answer says where it is and its checksum.
      announce.setRequestCallback(() => {
        if (sent === n) return null;
        frame.fill(sent & 0xff);
        const offset = writer.allocate(size);
        const t = now();
        const checksum = writer.write(offset, frame);
        return { seq: sent++, offset, size, checksum, t };
      });
      say({ ready: true });
      await new Promise((r) => setTimeout(r, 60_000)); // the demo stops it sooner
      return finish();
    }
    case 'fb-consume': {
      const announce = new Channel(name, 'client').open();
      cleanups.push(() => announce.close());
      let client: FrameBufferClient | undefined;
      const times: number[] = [];
      let frames = 0;
      let bytes = 0;
      for (;;) {
        const a = (await announce.request('next')) as { seq: number; offset: number; size: number; checksum: string; t: number; key?: string } | null;
        if (a === null) break;
        client ??= new FrameBufferClient(`mbfb1:${name}-frames:1`).start();
        const t = performance.now();
        const got = client.read(a.offset, a.size, a.checksum, { verify: true }); // hashed and compared with its XXH64 checksum
        times.push(performance.now() - t);
        if (got[0] !== (a.seq & 0xff) || got[got.length - 1] !== (a.seq & 0xff)) throw new Error(`frame ${a.seq} has the wrong content`);
        frames++;
        bytes += got.length;
      }
      client?.stop();
      const m = median(times);
      say({ frames, bytes, readMedianUs: us(m), gbPerS: Math.round((bytes / frames / (m / 1000) / 1e9) * 100) / 100 });
      return finish();
    }
    case 'sock-serve': {
      const server = createServer((s) => s.on('data', (d) => s.write(d)));
      cleanups.push(() => {
        server.close();
        unlinkSync(name);
      });
      server.listen(name, () => say({ ready: true }));
      await forever;
      return finish();
    }
    case 'sock-call': {
      const s = connect(name);
      await new Promise((r) => s.once('connect', r));
      const times: number[] = [];
      const payload = JSON.stringify([0, 1]);
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        s.write(payload);
        await new Promise((r) => s.once('data', r));
        times.push(performance.now() - t);
      }
      s.destroy();
      say({ calls: n, medianUs: us(median(times.slice(n >> 3))) });
      return finish();
    }
    default:
      throw new Error(`unknown role ${role}`);
  }
}

main().catch((err) => {
  process.stderr.write(`${role}: ${(err as Error).stack ?? String(err)}\n`);
  finish(1);
});
