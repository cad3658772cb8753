// A value on NATS opened for synchronous reads: a KV watch on its one key keeps a local copy, so
// read() and version cost no round trip. After a reconnect the watch resumes from the revision
// after the cached one, so no change is missed.
import type { KvEntry, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';
import { IpcError } from '../errors/IpcError.ts';
import { decode, encode } from '../pybytes.ts';
import type { NatsNet } from './NatsNet.ts';

/** Options of {@link NetMemory.waitForChange}. */
export interface NetWaitOptions {
  /** How long to wait (default 30000 ms; Infinity waits until a change or an abort). */
  timeoutMs?: number;
  /** Ends the wait with IpcError ABORTED. */
  signal?: AbortSignal;
}

/**
 * A value of a {@link NatsNet} with a watch-fed local copy. The version is the KV revision of the
 * latest write: it rises with every write but skips numbers (the bucket counts the writes of all
 * its keys). A removal sets the value to null with a version of its own.
 */
export class NetMemory {
  private value: unknown = null;
  private rev = 0;
  private watcher: QueuedIterator<KvWatchEntry> | undefined;
  private waiters = new Set<() => void>();
  private closedNow = false;
  private readonly onStatus = (connected: boolean): void => {
    if (connected) void this.watch();
  };

  /** @internal */
  constructor(
    private readonly net: NatsNet,
    /** The value's name. */
    readonly name: string,
  ) {}

  /** @internal Reads the current value, then starts the watch. */
  async _start(): Promise<void> {
    const got = await this.net.readVersioned(this.name);
    if (got) this.apply(got.value, got.version);
    this.net.memories.add(this);
    this.net.statusListeners.add(this.onStatus);
    await this.watch();
  }

  /** The latest value seen (null before the first write or after a removal). Synchronous. */
  read(): unknown {
    this.checkOpen('read');
    return this.value;
  }

  /** The KV revision of the latest value seen; 0 when none was seen. */
  get version(): number {
    return this.rev;
  }

  /**
   * Resolves with the new version once it differs from `since` (default: the current one).
   * @throws {IpcError} TIMED_OUT, ABORTED, CLOSED
   */
  waitForChange(since: number = this.rev, options: NetWaitOptions = {}): Promise<number> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (this.closedNow) return Promise.reject(this.closedError('wait for a change of'));
    if (this.rev !== since) return Promise.resolve(this.rev);
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new IpcError('ABORTED', `Cannot wait for a change of value "${this.name}": it was aborted`, { cause: signal.reason, name: this.name }));
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.waiters.delete(check);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const check = (): void => {
        if (this.closedNow) {
          done();
          reject(this.closedError('wait for a change of'));
        } else if (this.rev !== since) {
          done();
          resolve(this.rev);
        }
      };
      const onAbort = (): void => {
        done();
        reject(new IpcError('ABORTED', `Cannot wait for a change of value "${this.name}": it was aborted`, { cause: signal!.reason, name: this.name }));
      };
      const timer =
        timeoutMs === Infinity
          ? undefined
          : setTimeout(() => {
              done();
              reject(new IpcError('TIMED_OUT', `Cannot see a change of value "${this.name}" within ${timeoutMs} ms: it is still at version ${since}`, { name: this.name }));
            }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(check);
    });
  }

  /** Writes `value` and resolves with its version. */
  async write(value: unknown): Promise<number> {
    this.checkOpen('write');
    const v = await this.net.writeMemory(this.name, value);
    // Our own write is known now; the watch will bring the same revision (and is ignored then).
    this.apply(decode(encode(value)), v);
    return v;
  }

  /** Writes `value` only if the version is still `expected` (0: not written yet); undefined when another write came first. */
  async compareAndSet(expected: number, value: unknown): Promise<number | undefined> {
    this.checkOpen('write');
    return this.net.compareAndSetMemory(this.name, expected, value);
  }

  /** Stops the watch. Idempotent; waits pending in waitForChange reject with CLOSED. */
  close(): void {
    if (this.closedNow) return;
    this.closedNow = true;
    this.net.memories.delete(this);
    this.net.statusListeners.delete(this.onStatus);
    this.watcher?.stop();
    this.watcher = undefined;
    for (const w of [...this.waiters]) w();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private apply(value: unknown, version: number): void {
    if (version <= this.rev) return;
    this.value = value;
    this.rev = version;
    for (const w of [...this.waiters]) w();
  }

  private async watch(): Promise<void> {
    if (this.closedNow) return;
    this.watcher?.stop();
    const kv = await this.net.values();
    const key = this.net.names.valueKey(this.name);
    let it: QueuedIterator<KvWatchEntry>;
    try {
      it = await kv.watch(this.rev > 0 ? { key, resumeFromRevision: this.rev + 1 } : { key });
    } catch (err) {
      // Disconnected while starting: the reconnect starts it again.
      if (this.net.connected) throw this.net.error(err, `watch value "${this.name}"`, this.name);
      return;
    }
    if (this.closedNow) {
      it.stop();
      return;
    }
    this.watcher = it;
    void (async () => {
      try {
        for await (const e of it) this.onEntry(e);
      } catch {
        // The watch broke (the server went away); a reconnect starts a new one.
      }
    })();
  }

  private onEntry(e: KvEntry): void {
    if (e.operation === 'PUT') {
      let v: unknown;
      try {
        v = decode(e.value);
      } catch {
        return; // not pybytes: written by someone else; keep the last good value
      }
      this.apply(v, e.revision);
    } else this.apply(null, e.revision);
  }

  private checkOpen(what: string): void {
    if (this.closedNow) throw this.closedError(what);
  }

  private closedError(what: string): IpcError {
    return new IpcError('CLOSED', `Cannot ${what} value "${this.name}": it was closed`, { name: this.name });
  }
}
