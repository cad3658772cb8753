// Reads the producer's frames: a checked copy (hashed and compared with the XXH64 checksum) and a
// zero-copy view (used first, then validated).
//   node examples/framebuffer/consumer.mjs [NAME]          (start it before the producer)
import { FrameBufferClient, IpcError, SharedMemory, removeMemory } from 'membridge';

const name = process.argv[2] ?? 'example.camera';
const latest = SharedMemory.openOrCreate(`${name}.latest`);
let client;
let since = latest.version;
let checked = 0;
console.log(`waiting for frames announced in ${name}.latest`);
for (;;) {
  since = await latest.waitForChange(since, { timeoutMs: 30_000 });
  const a = latest.read().value;
  if (a.done) break;
  client ??= new FrameBufferClient(a.key).start();
  try {
    const copy = client.read(a.offset, a.size, a.checksum, { verify: true, waitMs: 100 });
    if (copy[0] !== (a.seq & 0xff) || copy[copy.length - 1] !== (a.seq & 0xff)) throw new Error(`frame ${a.seq}: wrong content`);
    const view = client.view(a.offset, a.size, a.checksum); // no copy: aliases shared memory
    const first = view.bytes[0];
    if (!view.isValid()) throw new Error(`frame ${a.seq} was overwritten while viewed`);
    checked++;
    console.log(`frame ${a.seq}: ${a.size} bytes, checksum ok, first byte ${first} (view)`);
  } catch (err) {
    // A frame the ring has lapped fails with OVERWRITTEN: skip it, never read torn data.
    if (err instanceof IpcError && err.code === 'OVERWRITTEN') console.log(`frame ${a.seq}: overwritten before it was read; skipped`);
    else throw err;
  }
}
console.log(`${checked} frames checked`);
client?.stop();
latest.close();
removeMemory(`${name}.latest`);
