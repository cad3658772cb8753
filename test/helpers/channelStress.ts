// The two sides of the channel stress test (test/channelStress.test.ts, issue #11), shared by the
// test process and its client fixtures (test/fixtures/stressPeer.ts) in every runtime.
//
// A client works in rounds: connect, send requests and notifications of 1 byte to 64 x the ring size
// (several in flight), answer the server's requests, then ask for a tally and hang up. The server
// checks every byte it receives, answers every 4th request only after a request of its own to that
// client, and notifies the client after every 3rd. Every byte is checked on both sides; any
// failure, timeout included, is collected as an error.
import { Channel } from '../../src/messaging/Channel.ts';
import type { ChannelPeer } from '../../src/messaging/ChannelPeer.ts';
import { IpcError } from '../../src/errors/IpcError.ts';
import { checkPayload, CLIENT_KEY, makePayload, pickSize, random, sameTransformed, SERVER_KEY, transform } from './stressPattern.ts';

/** The library default. A lost wake-up costs a 100 ms liveness slice per chunk hand-off: the 300 KB message of the local pairs (600 hand-offs) then needs a minute. */
export const STRESS_TIMEOUT_MS = 30_000;

/** Bytes of each ring of the stress channels: messages go up to 64 times this. */
export const STRESS_RING = 1024;

export interface StressCounts {
  requests: number;
  notifications: number;
  bytes: number;
  rounds: number;
  errors: string[];
}

export function emptyCounts(): StressCounts {
  return { requests: 0, notifications: 0, bytes: 0, rounds: 0, errors: [] };
}

interface Tally {
  tally: true;
}

interface PeerState {
  notesIn: number;
  lastNote: number;
  notesOut: number;
  tag: number;
}

/** Serves stress clients on `server`; failures go to `counts.errors`. */
export function serveStress(server: Channel, counts: StressCounts, seed: number): void {
  const state = new WeakMap<ChannelPeer, PeerState>();
  const rand = random(seed);
  const ring = STRESS_RING;
  const of = (peer: ChannelPeer | undefined): PeerState => {
    let s = state.get(peer!);
    if (!s) state.set(peer!, (s = { notesIn: 0, lastNote: -1, notesOut: 0, tag: 1 }));
    return s;
  };
  server.setNotificationCallback((value, peer) => {
    const s = of(peer);
    try {
      const tag = checkPayload(value as Uint8Array, 'notification to the server');
      if (tag >= 0) {
        if (tag <= s.lastNote) counts.errors.push(`server: notification ${tag} after ${s.lastNote}`);
        s.lastNote = tag;
      }
      s.notesIn++;
      counts.notifications++;
      counts.bytes += (value as Uint8Array).length;
    } catch (err) {
      counts.errors.push(`server: ${(err as Error).message}`);
    }
  });
  server.setRequestCallback(async (value, req) => {
    const s = of(req.peer);
    if (!(value instanceof Uint8Array)) {
      if ((value as Tally | null)?.tally) {
        return { notesIn: s.notesIn, notesOut: s.notesOut };
      }
      throw new Error(`server: unexpected request ${JSON.stringify(value)}`);
    }
    const tag = checkPayload(value, 'request to the server');
    counts.requests++;
    counts.bytes += value.length;
    if (tag % 4 === 0) {
      // A request of our own to this client before answering: both directions at once.
      const mine = makePayload(s.tag++, pickSize(rand, ring));
      const back = await req.peer!.request(mine, { timeoutMs: STRESS_TIMEOUT_MS });
      const bad = sameTransformed(mine, back, SERVER_KEY);
      if (bad) counts.errors.push(`server: reply of the client to ${mine.length} bytes: ${bad}`);
    }
    if (tag % 3 === 0) {
      s.notesOut++;
      await req.peer!.notify(makePayload(s.tag++, pickSize(rand, ring)), { timeoutMs: STRESS_TIMEOUT_MS });
    }
    return transform(value, CLIENT_KEY);
  });
}


/** One client round on an open `client`: `ops` messages, `inFlight` at a time, then the tally. */
export async function clientRound(client: Channel, counts: StressCounts, rand: () => number, ops: number, inFlight: number, firstTag: number): Promise<number> {
  const ring = STRESS_RING;
  let notesIn = 0;
  let lastNote = -1;
  client.setNotificationCallback((value) => {
    try {
      const tag = checkPayload(value as Uint8Array, 'notification to the client');
      if (tag >= 0 && tag <= lastNote) counts.errors.push(`client: notification ${tag} after ${lastNote}`);
      if (tag >= 0) lastNote = tag;
      notesIn++;
      counts.bytes += (value as Uint8Array).length;
    } catch (err) {
      counts.errors.push(`client: ${(err as Error).message}`);
    }
  });
  client.setRequestCallback((value) => {
    checkPayload(value as Uint8Array, 'request to the client');
    counts.bytes += (value as Uint8Array).length;
    return transform(value as Uint8Array, SERVER_KEY);
  });
  let tag = firstTag;
  let noteTag = 1;
  let notesOut = 0;
  let left = ops;
  const worker = async (): Promise<void> => {
    while (left-- > 0) {
      const size = pickSize(rand, ring);
      try {
        if (rand() < 0.3) {
          // Notification tags only grow within a connection (order is checked on arrival).
          const p = makePayload(noteTag++, size);
          notesOut++;
          await client.notify(p, { timeoutMs: STRESS_TIMEOUT_MS });
        } else {
          const p = makePayload(tag++, size);
          const back = await client.request(p, { timeoutMs: STRESS_TIMEOUT_MS });
          const bad = sameTransformed(p, back, CLIENT_KEY);
          if (bad) counts.errors.push(`client: reply to ${size} bytes: ${bad}`);
          counts.requests++;
          counts.bytes += size;
        }
      } catch (err) {
        counts.errors.push(`client: ${size} bytes: ${err instanceof IpcError ? `${err.code} ` : ''}${(err as Error).message}`);
        if (err instanceof IpcError && (err.code === 'PEER_GONE' || err.code === 'CLOSED')) return;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  try {
    const t = (await client.request({ tally: true }, { timeoutMs: STRESS_TIMEOUT_MS })) as { notesIn: number; notesOut: number };
    if (t.notesIn !== notesOut) counts.errors.push(`client: sent ${notesOut} notifications, the server got ${t.notesIn}`);
    if (t.notesOut !== notesIn) counts.errors.push(`client: the server sent ${t.notesOut} notifications, got ${notesIn}`);
  } catch (err) {
    counts.errors.push(`client: tally: ${(err as Error).message}`);
  }
  counts.notifications += notesOut;
  counts.rounds++;
  return tag;
}

/** Rounds of connect, clientRound, hang up, until `deadline` (performance.now() time). */
export async function clientRounds(name: string, counts: StressCounts, seed: number, deadline: number): Promise<void> {
  const rand = random(seed);
  let tag = 1;
  while (performance.now() < deadline && counts.errors.length === 0) {
    const client = new Channel(name, 'client', { openTimeoutMs: 5000 }).open();
    try {
      tag = await clientRound(client, counts, rand, 20 + Math.floor(rand() * 40), 1 + Math.floor(rand() * 4), tag);
    } finally {
      client.close();
    }
  }
}

/**
 * In one process: a server and a client that are opened, used and closed again and again, so
 * each new segment lands in the window the last one left (the case of issue #11).
 */
export async function localPairs(prefix: string, counts: StressCounts, seed: number, deadline: number): Promise<void> {
  const rand = random(seed);
  let tag = 1;
  for (let k = 0; performance.now() < deadline && counts.errors.length === 0; k++) {
    const name = `${prefix}-${k}`;
    const server = new Channel(name, 'server', { ringSize: STRESS_RING, maxClients: 2 }).open();
    try {
      serveStress(server, counts, seed + k);
      const client = new Channel(name, 'client').open();
      try {
        tag = await clientRound(client, counts, rand, 4, 2, tag);
        // The message of the original report: 300 KB through 1 KB rings.
        const big = makePayload(tag++, 300_000);
        const back = await client.request(big, { timeoutMs: STRESS_TIMEOUT_MS });
        const bad = sameTransformed(big, back, CLIENT_KEY);
        if (bad) counts.errors.push(`local pair: 300 KB reply: ${bad}`);
        counts.requests++;
      } catch (err) {
        counts.errors.push(`local pair ${k}: ${(err as Error).message}`);
      } finally {
        client.close();
      }
    } finally {
      server.close();
    }
  }
}
