// One connection of a process to a NATS server, and everything membridge does over it: values in
// a KV bucket, functions and channels over request/reply (docs/nats.md).
import { connect as natsConnect, Empty, headers, nuid, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import { IpcError } from '../errors/IpcError.ts';
import { decode, encode } from '../pybytes.ts';
import { ChunkAssembler, sendMessage, type WireKind, type WireMessage } from './natsWire.ts';
import { isNoResponders, remoteError, toIpcError } from './natsErrors.ts';
import { checkNamespace, NatsNames } from './natsNames.ts';
import { NetMemory } from './NetMemory.ts';
import { serveFunction, type NetFunctionOptions } from './serveFunction.ts';
import { NetChannel, type NetChannelOptions } from './NetChannel.ts';

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** One or more server URLs, e.g. "nats://127.0.0.1:4222". */
  servers: string | string[];
  /** Separates independent sets of names on one server (A-Z a-z 0-9 _ -). Defaults to "membridge". */
  namespace?: string;
  /** The connection's name as the server shows it. */
  name?: string;
  /** How long the first connection attempt may take. Defaults to 5000 ms. */
  timeoutMs?: number;
}

/** Options of a call or request over NATS. */
export interface NetCallOptions {
  /** How long to wait for the result. Defaults to 30000 ms. */
  timeoutMs?: number;
  /** Aborting rejects the call with `ABORTED` (a late reply is dropped). */
  signal?: AbortSignal;
}

/** @internal How a pending exchange is checked for a dead peer. */
export interface RequestPlan {
  target: string;
  /** Subject whose listener must answer pings while the exchange is pending. */
  ping: string;
  /** Message for NOT_FOUND when nobody listens on the subject. */
  notFound: string;
  name?: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  plan: RequestPlan;
}

/** How often a pending exchange asks its peer whether it is still there. */
export const LIVENESS_MS = 250;

/**
 * A process's connection to NATS with membridge's values, functions and channels on it. Make one
 * with {@link connect}; close it with `close()` or `await using`.
 */
export class NatsNet {
  /** This connection's id (the owner id in leases and pongs). */
  readonly id = nuid.next();
  /** @internal */ readonly names: NatsNames;
  /** @internal */ readonly inbox: string;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private readonly assembler = new ChunkAssembler();
  private readonly inboxSub: Subscription;
  private kvm: Kvm;
  private valuesKv: Promise<KV> | undefined;
  private leasesKv: Promise<KV> | undefined;
  private connectedNow = true;
  private closedNow = false;
  /** @internal Open memories, restarted after a reconnect. */
  readonly memories = new Set<NetMemory>();
  /** @internal Functions this connection serves, by name. */
  readonly served = new Map<string, { stop(removed: boolean): void }>();
  /** @internal Channels this connection has as a client, by the channel's encoded name. */
  readonly clientChannels = new Map<string, NetChannel>();
  /** Functions of this connection being set up: calls from here wait for them. */
  private readonly startingFns = new Map<string, Promise<void>>();
  /** @internal Called on 'disconnect' and 'reconnect'. */
  readonly statusListeners = new Set<(connected: boolean) => void>();

  /** @internal */
  constructor(
    /** @internal */ readonly nc: NatsConnection,
    namespace: string,
  ) {
    this.names = new NatsNames(namespace);
    this.inbox = this.names.inbox(this.id);
    this.kvm = new Kvm(nc);
    this.inboxSub = nc.subscribe(`${this.inbox}.>`, { callback: (_e, m) => this.onInbox(m) });
    void this.watchStatus();
  }

  /** The namespace of this connection's names. */
  get namespace(): string {
    return this.names.namespace;
  }

  /** Whether the connection to the server is up now (false while the client reconnects). */
  get connected(): boolean {
    return this.connectedNow && !this.closedNow;
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.closedNow;
  }

  /** The largest message the server takes; larger ones are chunked. */
  get maxPayload(): number {
    return this.nc.info?.max_payload ?? 1024 * 1024;
  }

  // ---- values ----

  /**
   * Writes `value` under `name` and resolves with its new version (the KV revision).
   * @throws {IpcError} INVALID_NAME, DISCONNECTED, CLOSED, TOO_LARGE
   * @throws {TypeError} for a value pybytes cannot encode
   */
  async writeMemory(name: string, value: unknown): Promise<number> {
    const key = this.names.valueKey(name);
    const bytes = encode(value);
    const kv = await this.values();
    if (bytes.length > this.maxPayload - 1024) throw new IpcError('TOO_LARGE', `Cannot write value "${name}": ${bytes.length} bytes are more than the NATS server's limit of ${this.maxPayload - 1024} (max_payload)`, { name });
    try {
      return await kv.put(key, bytes);
    } catch (err) {
      throw this.error(err, `write value "${name}"`, name);
    }
  }

  /**
   * Writes `value` only if the value's version is still `expected` (0: only if it does not exist)
   * and resolves with the new version, or `undefined` when another write came first.
   */
  async compareAndSetMemory(name: string, expected: number, value: unknown): Promise<number | undefined> {
    const key = this.names.valueKey(name);
    const bytes = encode(value);
    const kv = await this.values();
    try {
      return expected === 0 ? await kv.create(key, bytes) : await kv.update(key, bytes, expected);
    } catch (err) {
      if (/wrong last sequence|key exists/i.test((err as Error)?.message ?? '')) return undefined;
      throw this.error(err, `write value "${name}"`, name);
    }
  }

  /**
   * Reads the newest value of `name` from the server.
   * @throws {IpcError} NOT_FOUND when nothing is stored under `name`, DISCONNECTED, CLOSED
   */
  async readMemory(name: string): Promise<unknown> {
    const got = await this.readVersioned(name);
    if (!got) throw new IpcError('NOT_FOUND', `Cannot read value "${name}": nothing is stored under that name in namespace "${this.namespace}"`, { name });
    return got.value;
  }

  /** @internal The value and its version, or undefined when missing. */
  async readVersioned(name: string): Promise<{ value: unknown; version: number } | undefined> {
    const key = this.names.valueKey(name);
    const kv = await this.values();
    try {
      const e = await kv.get(key);
      if (!e || e.operation !== 'PUT') return undefined;
      return { value: decode(e.value), version: e.revision };
    } catch (err) {
      throw this.error(err, `read value "${name}"`, name);
    }
  }

  /** Removes the value `name`; resolves false when there was none. */
  async removeMemory(name: string): Promise<boolean> {
    const key = this.names.valueKey(name);
    const kv = await this.values();
    try {
      const e = await kv.get(key);
      if (!e || e.operation !== 'PUT') return false;
      await kv.delete(key);
      return true;
    } catch (err) {
      throw this.error(err, `remove value "${name}"`, name);
    }
  }

  /**
   * Opens `name` for synchronous reads from a cache that a KV watch keeps current. The value
   * need not exist yet (then `read()` is null and `version` 0 until the first write).
   */
  async openMemory(name: string): Promise<NetMemory> {
    const m = new NetMemory(this, name);
    await m._start();
    return m;
  }

  // ---- functions ----

  /**
   * Serves `fn` under `name` for every process on the namespace, until `removeFunction(name)`
   * (from any process) or `close()`. Resolves true when removed, false when serving ended
   * otherwise (the connection closed, the ownership was lost).
   * @throws {IpcError} ALREADY_EXISTS (rejected) when a live process serves `name`
   */
  createFunction(name: string, fn: (...args: any[]) => unknown, options: NetFunctionOptions = {}): Promise<boolean> {
    // Calls from this connection wait until the function is reachable (as they would locally).
    let ready!: () => void;
    const starting = new Promise<void>((r) => (ready = r));
    this.startingFns.set(name, starting);
    const done = (): void => {
      if (this.startingFns.get(name) === starting) this.startingFns.delete(name);
      ready();
    };
    const served = serveFunction(this, name, fn, {
      onReady: () => {
        done();
        options.onReady?.();
      },
    });
    served.then(done, done);
    return served;
  }

  /**
   * Calls the function served under `name` with `args`.
   * @throws {IpcError} NOT_FOUND, PEER_GONE (the owner died or stopped during the call), TIMED_OUT,
   * ABORTED, DISCONNECTED, CLOSED; {@link RemoteError} when the function threw
   */
  callFunction(name: string, args: unknown[], options: NetCallOptions = {}): Promise<unknown> {
    if (!Array.isArray(args)) return Promise.reject(new TypeError(`Cannot call function "${name}": "args" must be an array`));
    let subject: string;
    let body: Uint8Array;
    try {
      subject = this.names.fn(name);
      body = encode(args);
    } catch (err) {
      return Promise.reject(err);
    }
    const starting = this.startingFns.get(name);
    const plan = {
      target: `function "${name}"`,
      ping: subject,
      notFound: `Cannot call function "${name}": no process serves it in namespace "${this.namespace}"`,
      name,
    };
    if (starting) return starting.then(() => this._request(subject, 'call', body, options, plan));
    return this._request(subject, 'call', body, options, plan);
  }

  /**
   * Stops the function served under `name`, wherever it runs (its createFunction resolves true).
   * Resolves false when nobody serves it.
   */
  async removeFunction(name: string, timeoutMs = 2000): Promise<boolean> {
    const local = this.served.get(name);
    if (local) {
      local.stop(true);
      return true;
    }
    const subject = this.names.fn(name);
    try {
      await this.nc.request(subject, Empty, { timeout: timeoutMs, headers: this.controlHeaders('stop') });
      return true;
    } catch (err) {
      if (isNoResponders(err)) return false;
      throw this.error(err, `remove function "${name}"`, name);
    }
  }

  // ---- channels ----

  /**
   * Opens one end of the channel `name`: 'server' (one per name at a time) or 'client'.
   * @throws {IpcError} server: ALREADY_EXISTS; client: NOT_FOUND
   */
  async channel(name: string, role: 'server' | 'client', options: NetChannelOptions = {}): Promise<NetChannel> {
    const c = new NetChannel(this, name, role, options);
    await c._open();
    return c;
  }

  // ---- life ----

  /** Stops serving, closes memories and channels, and closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closedNow) return;
    for (const s of [...this.served.values()]) s.stop(false);
    for (const m of [...this.memories]) m.close();
    for (const c of [...this.clientChannels.values()]) c.close();
    this.closedNow = true;
    this.failAll(() => new IpcError('CLOSED', 'Cannot finish the call: the NATS connection was closed'));
    try {
      await this.nc.drain();
    } catch {
      await this.nc.close().catch(() => {});
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- internals ----

  /** @internal The values bucket, created on first use. */
  values(): Promise<KV> {
    this.valuesKv ??= this.kvm.create(this.names.valueBucket, { history: 1 }).catch((err) => {
      this.valuesKv = undefined;
      throw this.error(err, `open the KV bucket "${this.names.valueBucket}"`);
    });
    return this.valuesKv;
  }

  /** @internal The leases bucket: entries expire unless their owner refreshes them. */
  leases(): Promise<KV> {
    this.leasesKv ??= this.kvm.create(this.names.leaseBucket, { history: 1, ttl: LEASE_TTL_MS }).catch((err) => {
      this.leasesKv = undefined;
      throw this.error(err, `open the KV bucket "${this.names.leaseBucket}"`);
    });
    return this.leasesKv;
  }

  /** @internal */
  error(err: unknown, what: string, name?: string): IpcError {
    if (this.closedNow && !(err instanceof IpcError)) return new IpcError('CLOSED', `Cannot ${what}: the NATS connection was closed`, { cause: err, name });
    return toIpcError(err, what, this.connectedNow, name);
  }

  /** @internal Headers of a control message (ping, stop, hello, bye). */
  controlHeaders(kind: WireKind): ReturnType<typeof headers> {
    const h = headers();
    h.set('Mb-Kind', kind);
    h.set('Mb-Id', '0');
    h.set('Mb-From', this.inbox);
    return h;
  }

  /** @internal Sends a message of the membridge wire format. */
  send(subject: string, kind: WireKind, id: number, body: Uint8Array, reply?: string, extra?: Record<string, string>): void {
    sendMessage(this.nc, subject, kind, id, this.inbox, body, reply, extra);
  }

  /** @internal Replies to a received call or request. */
  reply(to: WireMessage, ok: boolean, body: Uint8Array): void {
    if (!to.reply || this.closedNow) return;
    try {
      this.send(to.reply, ok ? 'reply' : 'error', to.id, body);
    } catch {
      // The connection closed meanwhile: the caller sees DISCONNECTED or CLOSED.
    }
  }

  /**
   * @internal Sends `body` to `subject` and resolves with the decoded reply, watching the listener
   * of `plan.ping` while waiting.
   */
  _request(subject: string, kind: WireKind, body: Uint8Array, options: NetCallOptions, plan: RequestPlan, extra?: Record<string, string>): Promise<unknown> {
    if (this.closedNow) return Promise.reject(new IpcError('CLOSED', `Cannot call ${plan.target}: the NATS connection is closed`, { name: plan.name }));
    if (!this.connectedNow) return Promise.reject(new IpcError('DISCONNECTED', `Cannot call ${plan.target}: the connection to the NATS server is lost (the client is reconnecting)`, { name: plan.name }));
    const timeoutMs = options.timeoutMs ?? 30_000;
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new IpcError('ABORTED', `Cannot call ${plan.target}: it was aborted`, { cause: signal.reason, name: plan.name }));
    const id = ++this.nextId;
    return new Promise<unknown>((resolve, reject) => {
      let owner: string | undefined;
      let pinging = false;
      const finish = (): void => {
        this.pending.delete(id);
        clearTimeout(timer);
        clearInterval(pinger);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        finish();
        reject(new IpcError('ABORTED', `Cannot finish the call to ${plan.target}: it was aborted`, { cause: signal!.reason, name: plan.name }));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new IpcError('TIMED_OUT', `Cannot finish the call to ${plan.target} within ${timeoutMs} ms`, { name: plan.name }));
      }, Math.min(timeoutMs, 2 ** 31 - 1));
      // A request in flight to a process that died waits for nothing: NATS tells nobody. So ask
      // the listener now and then; "no responders" means it is gone, another owner id that it
      // was replaced (either way the call is lost).
      const pinger = setInterval(() => {
        if (pinging || !this.connectedNow) return;
        pinging = true;
        this.nc
          .request(plan.ping, Empty, { timeout: 1000, headers: this.controlHeaders('ping') })
          .then((m) => {
            const o = m.headers?.get('Mb-Owner');
            if (owner === undefined) owner = o;
            else if (o && o !== owner) this.settle(id, new IpcError('PEER_GONE', `Cannot finish the call to ${plan.target}: its owner was replaced during the call`, { name: plan.name }));
          })
          .catch((err) => {
            if (isNoResponders(err)) this.settle(id, new IpcError('PEER_GONE', `Cannot finish the call to ${plan.target}: its owner went away during the call`, { name: plan.name }));
            // A ping timeout is a busy owner, not a dead one.
          })
          .finally(() => (pinging = false));
      }, LIVENESS_MS);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        plan,
        resolve: (v) => {
          finish();
          resolve(v);
        },
        reject: (e) => {
          finish();
          reject(e);
        },
      });
      try {
        this.send(subject, kind, id, body, `${this.inbox}.r.${id}`, extra);
      } catch (err) {
        this.settle(id, this.error(err, `call ${plan.target}`, plan.name));
      }
    });
  }

  private settle(id: number, error: Error): void {
    this.pending.get(id)?.reject(error);
  }

  private failAll(make: (p: Pending) => IpcError): void {
    for (const p of [...this.pending.values()]) p.reject(make(p));
  }

  private onInbox(msg: Msg): void {
    const rest = msg.subject.slice(this.inbox.length + 1);
    if (rest.startsWith('r.')) {
      const id = Number(rest.slice(2));
      const p = this.pending.get(id);
      if (!p) return;
      if (msg.headers?.hasError && msg.headers.code === 503) {
        p.reject(new IpcError('NOT_FOUND', p.plan.notFound, { name: p.plan.name }));
        return;
      }
      const m = this.assembler.accept(msg);
      if (!m) return;
      if (m.kind === 'error') p.reject(remoteError(m.body, p.plan.target));
      else {
        let value: unknown;
        try {
          value = decode(m.body);
        } catch (err) {
          p.reject(new IpcError('CORRUPT', `Cannot decode the reply of ${p.plan.target}: ${(err as Error).message}`, { cause: err, name: p.plan.name }));
          return;
        }
        p.resolve(value);
      }
      return;
    }
    if (rest === 'ping') {
      if (msg.reply) msg.respond(Empty, { headers: this.pongHeaders() });
      return;
    }
    if (rest.startsWith('ch.')) {
      const m = this.assembler.accept(msg);
      if (m) this.clientChannels.get(rest.slice(3))?._receive(m);
    }
  }

  /** @internal Headers of a pong: who answers. */
  pongHeaders(): ReturnType<typeof headers> {
    const h = this.controlHeaders('pong');
    h.set('Mb-Owner', this.id);
    return h;
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect') {
        this.connectedNow = false;
        this.assembler.clear();
        this.failAll((p) => new IpcError('DISCONNECTED', `Cannot finish the call to ${p.plan.target}: the connection to the NATS server was lost during the call (the client is reconnecting)`, { name: p.plan.name }));
        for (const l of this.statusListeners) l(false);
      } else if (s.type === 'reconnect') {
        this.connectedNow = true;
        for (const l of this.statusListeners) l(true);
      }
    }
  }
}

/** How long a lease of a function or channel lives without a refresh. */
export const LEASE_TTL_MS = 5000;

/**
 * Connects to a NATS server (with JetStream for values and ownership) and resolves with the
 * connection. The client reconnects by itself after a loss, forever, every 250 ms.
 * @throws {IpcError} DISCONNECTED when no server answers within `timeoutMs`, INVALID_NAME for a bad namespace
 * @example
 * ```ts
 * import { connect } from 'membridge/nats';
 * await using net = await connect({ servers: 'nats://127.0.0.1:4222' });
 * await net.writeMemory('config', { rate: 50 });
 * ```
 */
export async function connect(options: ConnectOptions): Promise<NatsNet> {
  const namespace = checkNamespace(options.namespace ?? 'membridge');
  let nc: NatsConnection;
  try {
    nc = await natsConnect({
      servers: options.servers,
      name: options.name,
      timeout: options.timeoutMs ?? 5000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 50,
      pingInterval: 10_000,
    });
  } catch (err) {
    throw new IpcError('DISCONNECTED', `Cannot connect to the NATS server at ${String(options.servers)}: ${(err as Error)?.message ?? err}`, { cause: err });
  }
  return new NatsNet(nc, namespace);
}
