// Produces 30 frames of 4 MiB in a FrameBuffer and announces each one (where it is, its checksum)
// in a shared value.
//   node examples/framebuffer/producer.mjs [NAME]
import { FrameBufferClient, FrameBufferServer, SharedMemory } from 'membridge';

const name = process.argv[2] ?? 'example.camera';
const frameSize = 4 << 20;
const server = new FrameBufferServer(8 * frameSize, { name }).start(); // a ring of 8 frames
const writer = new FrameBufferClient(server.getKey()).start();
const latest = SharedMemory.openOrCreate(`${name}.latest`);
process.on('SIGINT', () => {
  server.stop(); // removes the frame buffer's segment
  process.exit(0);
});
const frame = new Uint8Array(frameSize);
for (let seq = 0; seq < 30; seq++) {
  frame.fill(seq & 0xff);
  frame[0] = seq; // a recognisable first byte
  const offset = writer.allocate(frameSize);
  const checksum = writer.write(offset, frame); // 16 hex digits of XXH64
  latest.write({ key: server.getKey(), seq, offset, size: frameSize, checksum });
  console.log(`frame ${seq} at offset ${offset}, checksum ${checksum}`);
  await new Promise((r) => setTimeout(r, 50));
}
latest.write({ done: true });
latest.close();
// Give the consumer a moment for its last read before the ring goes away.
await new Promise((r) => setTimeout(r, 500));
writer.stop();
server.stop();
