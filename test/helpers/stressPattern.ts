// Self-checking payloads for the channel stress test (test/channelStress.test.ts): every byte of a
// message follows from its tag (a sequence number stored in its first four bytes) and its length,
// so a receiver can check every byte without being told what to expect.

/** A message of `length` bytes carrying `tag` (only the low bits fit in messages under 4 bytes). */
export function makePayload(tag: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  const t = length >= 4 ? tag : 0;
  for (let i = 0; i < length; i++) b[i] = byteAt(t, length, i);
  if (length >= 4) new DataView(b.buffer).setUint32(0, tag >>> 0, true);
  return b;
}

function byteAt(tag: number, length: number, i: number): number {
  return (Math.imul(tag, 31) + i * 7 + (i >>> 8) + length) & 0xff;
}

/** The tag of a payload made by makePayload (-1 when shorter than 4 bytes), or throws where a byte is wrong. */
export function checkPayload(b: Uint8Array, what: string): number {
  if (!(b instanceof Uint8Array)) throw new Error(`${what}: not bytes but ${typeof b}`);
  const tag = b.length >= 4 ? new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true) : -1;
  for (let i = b.length >= 4 ? 4 : 0; i < b.length; i++) {
    const want = b.length >= 4 ? byteAt(tag, b.length, i) : byteAt(0, b.length, i);
    if (b[i] !== want) throw new Error(`${what}: byte ${i} of ${b.length} is ${b[i]}, expected ${want}`);
  }
  return tag;
}

/** The reply to a payload: every byte xor `key` (so a reply can never pass for its request). */
export function transform(b: Uint8Array, key: number): Uint8Array {
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b[i]! ^ key;
  return out;
}

/** Whether `reply` is `sent` transformed with `key`, byte for byte; describes the first difference. */
export function sameTransformed(sent: Uint8Array, reply: unknown, key: number): string | undefined {
  if (!(reply instanceof Uint8Array)) return `reply is not bytes but ${typeof reply}`;
  if (reply.length !== sent.length) return `reply has ${reply.length} bytes, sent ${sent.length}`;
  for (let i = 0; i < sent.length; i++) if (reply[i] !== (sent[i]! ^ key)) return `byte ${i} of ${sent.length} differs`;
  return undefined;
}

/** Sizes from 1 byte to 64 x `ring`: mostly small, regularly a chunked one. */
export function pickSize(rand: () => number, ring: number): number {
  const r = rand();
  if (r < 0.3) return 1 + Math.floor(rand() * 64);
  if (r < 0.55) return 64 + Math.floor(rand() * ring);
  if (r < 0.8) return ring + Math.floor(rand() * 4 * ring);
  if (r < 0.95) return 4 * ring + Math.floor(rand() * 12 * ring);
  return 16 * ring + Math.floor(rand() * 48 * ring);
}

/** A small deterministic generator (mulberry32), so a failing run can be replayed from its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Request keys: client to server replies xor CLIENT_KEY, server to client replies xor SERVER_KEY. */
export const CLIENT_KEY = 0x5a;
export const SERVER_KEY = 0xa5;
