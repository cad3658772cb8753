// What one membridge message looks like on NATS (docs/nats.md#messages).
//
//   headers  Mb-Kind   call | reply | error | request | notify | hello | bye | ping | pong | stop
//            Mb-Id     decimal correlation id, unique per sender while the exchange is pending
//            Mb-From   the sender's inbox prefix ("mb.<ns>.in.<id>")
//            Mb-Chunk  "i/n" (0-based) only when the body is split into n > 1 messages
//            Mb-Owner  on pongs: the owner's id, so a caller notices an owner that changed
//   body     pybytes bytes of the value (or a chunk of them); errors carry
//            {"name", "message", "stack"} as a pybytes dict
//
// Chunks of one message go to the same subject one after the other, so NATS delivers them in
// order; the receiver joins them by (Mb-From, Mb-Kind, Mb-Id).
import { headers, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';

export type WireKind = 'call' | 'reply' | 'error' | 'request' | 'notify' | 'hello' | 'bye' | 'ping' | 'pong' | 'stop';

/** One received message, chunks joined. */
export interface WireMessage {
  kind: WireKind;
  id: number;
  from: string;
  body: Uint8Array;
  /** NATS reply subject of the (first) chunk. */
  reply: string | undefined;
  headers: MsgHdrs | undefined;
}

/** Bytes kept free below the server's max_payload for the headers. */
const HEADER_ROOM = 1024;

/** Publishes one message, in chunks when `body` is larger than the server takes in one. */
export function sendMessage(nc: NatsConnection, subject: string, kind: WireKind, id: number, from: string, body: Uint8Array, reply?: string, extra?: Record<string, string>): void {
  const max = Math.max(4096, (nc.info?.max_payload ?? 1024 * 1024) - HEADER_ROOM);
  const n = Math.max(1, Math.ceil(body.length / max));
  for (let i = 0; i < n; i++) {
    const h = headers();
    h.set('Mb-Kind', kind);
    h.set('Mb-Id', String(id));
    h.set('Mb-From', from);
    if (n > 1) h.set('Mb-Chunk', `${i}/${n}`);
    if (extra) for (const [k, v] of Object.entries(extra)) h.set(k, v);
    nc.publish(subject, n === 1 ? body : body.subarray(i * max, Math.min(body.length, (i + 1) * max)), { headers: h, reply });
  }
}

/** Joins chunks into messages; hands complete ones to the caller. */
export class ChunkAssembler {
  private readonly partial = new Map<string, { parts: Uint8Array[]; n: number; reply: string | undefined; headers: MsgHdrs | undefined }>();

  /** The complete message `msg` ends, or undefined (a chunk kept for later, or not a membridge message). */
  accept(msg: Msg): WireMessage | undefined {
    const h = msg.headers;
    const kind = h?.get('Mb-Kind') as WireKind | '';
    if (!h || !kind) return undefined;
    const id = Number(h.get('Mb-Id'));
    const from = h.get('Mb-From');
    const chunk = h.get('Mb-Chunk');
    if (!chunk) return { kind, id, from, body: msg.data, reply: msg.reply || undefined, headers: h };
    const [i, n] = chunk.split('/').map(Number) as [number, number];
    const key = `${from} ${kind} ${id}`;
    let p = this.partial.get(key);
    if (i === 0 || !p) {
      if (i !== 0) return undefined; // the start was lost (a reconnect): drop the rest
      p = { parts: [], n, reply: msg.reply || undefined, headers: h };
      this.partial.set(key, p);
    }
    p.parts.push(msg.data);
    if (p.parts.length < p.n) return undefined;
    this.partial.delete(key);
    let size = 0;
    for (const part of p.parts) size += part.length;
    const body = new Uint8Array(size);
    let at = 0;
    for (const part of p.parts) {
      body.set(part, at);
      at += part.length;
    }
    return { kind, id, from, body, reply: p.reply, headers: p.headers };
  }

  /** Drops partial messages (after a reconnect, their missing chunks will not come). */
  clear(): void {
    this.partial.clear();
  }
}
