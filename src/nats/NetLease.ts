// Ownership of a name across hosts: one process serves a function or a channel at a time. The
// owner creates a key in the namespace's lease bucket (KV create() fails when it exists) and
// refreshes it every second; the bucket's max age (LEASE_TTL_MS) removes the key of an owner
// that stopped refreshing. A taker that finds the key pings the name's subject first: when
// nobody listens the owner is dead and the key is taken over by compare-and-set.
import { Empty } from '@nats-io/transport-node';
import type { KV } from '@nats-io/kv';
import { IpcError } from '../errors/IpcError.ts';
import { encode } from '../pybytes.ts';
import { isNoResponders } from './natsErrors.ts';
import type { NatsNet } from './NatsNet.ts';

const REFRESH_MS = 1000;

export class NetLease {
  private timer: ReturnType<typeof setInterval> | undefined;
  private released = false;

  private constructor(
    private readonly net: NatsNet,
    private readonly kv: KV,
    private readonly key: string,
    private readonly body: Uint8Array,
    private rev: number,
    private readonly onLost: () => void,
  ) {
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  /**
   * Takes the lease `key` for the listener of `subject`.
   * @throws {IpcError} ALREADY_EXISTS when a live process holds it
   */
  static async acquire(net: NatsNet, key: string, subject: string, what: string, onLost: () => void): Promise<NetLease> {
    const kv = await net.leases();
    const body = encode({ owner: net.id, inbox: net.inbox, namespace: net.namespace });
    try {
      return new NetLease(net, kv, key, body, await kv.create(key, body), onLost);
    } catch (err) {
      if (!/wrong last sequence|key exists/i.test((err as Error)?.message ?? '')) throw net.error(err, `own ${what}`);
    }
    // Held: by a live owner, or by one that died less than a lease age ago.
    try {
      await net.nc.request(subject, Empty, { timeout: 1000, headers: net.controlHeaders('ping') });
    } catch (err) {
      if (isNoResponders(err)) {
        const e = await kv.get(key).catch(() => null);
        try {
          const rev = e && e.operation === 'PUT' ? await kv.update(key, body, e.revision) : await kv.create(key, body);
          return new NetLease(net, kv, key, body, rev, onLost);
        } catch {
          // another taker was faster
        }
      }
    }
    throw new IpcError('ALREADY_EXISTS', `Cannot serve ${what}: another process serves it in namespace "${net.namespace}"`);
  }

  private async refresh(): Promise<void> {
    if (this.released || !this.net.connected) return;
    try {
      this.rev = await this.kv.update(this.key, this.body, this.rev);
    } catch (err) {
      if (this.released || !/wrong last sequence/i.test((err as Error)?.message ?? '')) return; // a network hiccup: try next time
      // The key expired (we were cut off longer than its age) or was taken: take it again if free.
      try {
        this.rev = await this.kv.create(this.key, this.body);
      } catch {
        if (!this.released) {
          this.release();
          this.onLost();
        }
      }
    }
  }

  /** Gives the lease up (removes the key if it is still ours). */
  release(): void {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    if (!this.net.connected) return;
    void this.kv.delete(this.key, { previousSeq: this.rev }).catch(() => {});
  }
}
