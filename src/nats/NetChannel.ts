// Channel on NATS: the same methods and callbacks as the shared-memory Channel
// (src/messaging/Channel.ts), over these subjects (docs/nats.md#channels):
//
//   client -> server   mb.<ns>.ch.<name>            hello, bye, request, notify, ping
//   server -> client   <client inbox>.ch.<name>     request, notify, bye
//   replies            <requester inbox>.r.<id>     reply, error
//
// Each direction uses one subject per sender, so messages of one sender arrive in order. One
// server per name at a time (a lease, as for functions).
import { Empty, type Msg, type Subscription } from '@nats-io/transport-node';
import { IpcError } from '../errors/IpcError.ts';
import { decode, encode } from '../pybytes.ts';
import { ChunkAssembler, type WireMessage } from './natsWire.ts';
import { errorBody, isNoResponders } from './natsErrors.ts';
import { encodeName } from './natsNames.ts';
import { NetLease } from './NetLease.ts';
import { NetQueue } from './NetQueue.ts';
import type { NatsNet, NetCallOptions } from './NatsNet.ts';

/** Options of `net.channel()`. */
export interface NetChannelOptions {
  /** Default timeout of `request()`. Defaults to 30000 ms. */
  timeoutMs?: number;
}

/** A client as its server sees it. */
export class NetChannelPeer {
  /** @internal */
  constructor(
    private readonly channel: NetChannel,
    /** The client connection's inbox prefix (its identity). */
    readonly inbox: string,
  ) {}

  /** Sends a request to this client and resolves with its reply. */
  request(value: unknown, options: NetCallOptions = {}): Promise<unknown> {
    return this.channel._requestPeer(this, value, options);
  }

  /** Sends a notification to this client. */
  notify(value: unknown): Promise<void> {
    return this.channel._notifyPeer(this, value);
  }
}

/** A request received by a handler; reply with `respond()` or `fail()`, now or later. */
export class NetIncomingRequest {
  private settled = false;
  private deferred = false;

  /** @internal */
  constructor(
    private readonly channel: NetChannel,
    private readonly msg: WireMessage,
    /** The decoded request. */
    readonly value: unknown,
    /** Who sent it: a client (on the server), undefined on a client. */
    readonly peer: NetChannelPeer | undefined,
  ) {}

  /** The sender's correlation id. */
  get id(): number {
    return this.msg.id;
  }

  /** Says the reply will come later than the handler's return. */
  defer(): void {
    this.deferred = true;
  }

  /** @internal */
  get isDeferred(): boolean {
    return this.deferred;
  }

  /** Whether a reply was sent. */
  get isSettled(): boolean {
    return this.settled;
  }

  /** Sends the reply. Later calls are ignored. */
  respond(value: unknown): void {
    if (this.settled) return;
    this.settled = true;
    let bytes: Uint8Array;
    try {
      bytes = encode(value);
    } catch (err) {
      this.channel._net.reply(this.msg, false, encode(errorBody(err)));
      return;
    }
    this.channel._net.reply(this.msg, true, bytes);
  }

  /** Sends an error reply; the requester's promise rejects with a RemoteError. */
  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.channel._net.reply(this.msg, false, encode(errorBody(error)));
  }
}

/** A notification as the async iterator yields it. */
export interface NetIncomingNotification {
  readonly value: unknown;
  readonly peer: NetChannelPeer | undefined;
}

type RequestCallback = (value: unknown, request: NetIncomingRequest) => unknown;
type NotificationCallback = (value: unknown, peer: NetChannelPeer | undefined) => void;

/**
 * One end of a request/response channel on NATS. Both sides can send requests and
 * notifications; delivery per sender is in order; messages larger than the server's payload
 * limit are chunked. A dead peer makes pending requests reject with PEER_GONE within about a
 * second.
 */
export class NetChannel {
  private state: 'new' | 'open' | 'closed' = 'new';
  private readonly subject: string;
  private readonly enc: string;
  private readonly peers = new Map<string, NetChannelPeer>();
  private requestCallback: RequestCallback | undefined;
  private notificationCallback: NotificationCallback | undefined;
  private requestQueue: NetQueue<NetIncomingRequest> | undefined;
  private notificationQueue: NetQueue<NetIncomingNotification> | undefined;
  private sub: Subscription | undefined;
  private lease: NetLease | undefined;
  private readonly assembler = new ChunkAssembler();
  private readonly timeoutMs: number;

  /** @internal */
  constructor(
    /** @internal */ readonly _net: NatsNet,
    /** The channel's name. */
    readonly name: string,
    /** Which end this is. */
    readonly role: 'server' | 'client',
    options: NetChannelOptions,
  ) {
    if (role !== 'server' && role !== 'client') throw new TypeError(`Cannot make a channel with role "${String(role)}": it must be "server" or "client"`);
    this.subject = _net.names.channel(name);
    this.enc = encodeName(name);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  private get target(): string {
    return `channel "${this.name}"`;
  }

  /** Whether the channel is open. */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Server: the clients that said hello and did not leave. */
  get clients(): NetChannelPeer[] {
    return [...this.peers.values()];
  }

  /** @internal */
  async _open(): Promise<void> {
    const net = this._net;
    if (this.role === 'server') {
      this.lease = await NetLease.acquire(net, net.names.channelLease(this.name), this.subject, this.target, () => this.close());
      this.sub = net.nc.subscribe(this.subject, { callback: (_e, m) => this.onServerMsg(m) });
      await net.nc.flush().catch(() => {});
    } else {
      if (net.clientChannels.has(this.enc)) throw new IpcError('ALREADY_EXISTS', `Cannot open ${this.target} as a client twice on one connection`, { name: this.name });
      net.clientChannels.set(this.enc, this);
      try {
        await net.nc.request(this.subject, Empty, { timeout: 2000, headers: net.controlHeaders('hello') });
      } catch (err) {
        net.clientChannels.delete(this.enc);
        if (isNoResponders(err)) throw new IpcError('NOT_FOUND', `Cannot open ${this.target}: no process serves it in namespace "${net.namespace}"`, { name: this.name, cause: err });
        throw net.error(err, `open ${this.target}`, this.name);
      }
    }
    this.state = 'open';
  }

  /** Sets the function that answers requests (its return value, awaited, is the reply). */
  setRequestCallback(callback: RequestCallback | undefined): void {
    this.requestCallback = callback;
  }

  /** Sets the function that receives notifications. */
  setNotificationCallback(callback: NotificationCallback | undefined): void {
    this.notificationCallback = callback;
  }

  /** Incoming requests as an async iterator (each deferred: reply with `respond()`). */
  requests(): AsyncIterableIterator<NetIncomingRequest> {
    this.requestQueue?.end();
    const q: NetQueue<NetIncomingRequest> = new NetQueue(() => {
      if (this.requestQueue === q) this.requestQueue = undefined;
    });
    this.requestQueue = q;
    return q;
  }

  /** Incoming notifications as an async iterator. */
  notifications(): AsyncIterableIterator<NetIncomingNotification> {
    this.notificationQueue?.end();
    const q: NetQueue<NetIncomingNotification> = new NetQueue(() => {
      if (this.notificationQueue === q) this.notificationQueue = undefined;
    });
    this.notificationQueue = q;
    return q;
  }

  /**
   * Sends a request and resolves with the reply. A server sends to its only client.
   * @throws {IpcError} TIMED_OUT, ABORTED, PEER_GONE, NOT_FOUND, DISCONNECTED, CLOSED; RemoteError when the handler threw
   */
  request(value: unknown, options: NetCallOptions = {}): Promise<unknown> {
    try {
      this.checkOpen('send a request on');
      if (this.role === 'server') return this.onlyClient('request').request(value, options);
      return this._net._request(this.subject, 'request', encode(value), { timeoutMs: this.timeoutMs, ...options }, {
        target: this.target,
        ping: this.subject,
        notFound: `Cannot send a request on ${this.target}: its server is gone`,
        name: this.name,
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Sends a notification (a server: to every client). */
  async notify(value: unknown): Promise<void> {
    this.checkOpen('notify on');
    if (this.role === 'server') {
      await Promise.all(this.clients.map((p) => p.notify(value)));
      return;
    }
    this.publish(this.subject, 'notify', encode(value));
  }

  /** Closes this end: a server stops serving and tells its clients; a client says goodbye. */
  close(): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.requestQueue?.end();
    this.notificationQueue?.end();
    const net = this._net;
    if (this.role === 'server') {
      this.sub?.unsubscribe();
      this.lease?.release();
      if (wasOpen) for (const p of this.peers.values()) this.publish(`${p.inbox}.ch.${this.enc}`, 'bye', Empty, true);
      this.peers.clear();
    } else {
      if (net.clientChannels.get(this.enc) === this) net.clientChannels.delete(this.enc);
      if (wasOpen) this.publish(this.subject, 'bye', Empty, true);
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal */
  _requestPeer(peer: NetChannelPeer, value: unknown, options: NetCallOptions): Promise<unknown> {
    try {
      this.checkOpen('send a request on');
      return this._net._request(`${peer.inbox}.ch.${this.enc}`, 'request', encode(value), { timeoutMs: this.timeoutMs, ...options }, {
        target: `the client of ${this.target}`,
        ping: `${peer.inbox}.ping`,
        notFound: `Cannot send a request on ${this.target}: the client is gone`,
        name: this.name,
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** @internal */
  async _notifyPeer(peer: NetChannelPeer, value: unknown): Promise<void> {
    this.checkOpen('notify on');
    this.publish(`${peer.inbox}.ch.${this.enc}`, 'notify', encode(value));
  }

  /** @internal A message from the server to this client (through the connection's inbox). */
  _receive(m: WireMessage): void {
    if (this.state !== 'open') return;
    if (m.kind === 'bye') {
      this.close();
      return;
    }
    this.deliver(m, undefined);
  }

  private onServerMsg(msg: Msg): void {
    if (this.state !== 'open') return;
    const kind = msg.headers?.get('Mb-Kind');
    const from = msg.headers?.get('Mb-From') ?? '';
    if (kind === 'ping' || kind === 'hello') {
      if (kind === 'hello' && from) this.peerOf(from);
      if (msg.reply) msg.respond(Empty, { headers: this._net.pongHeaders() });
      return;
    }
    if (kind === 'bye') {
      this.peers.delete(from);
      return;
    }
    const m = this.assembler.accept(msg);
    if (m) this.deliver(m, this.peerOf(m.from));
  }

  private peerOf(inbox: string): NetChannelPeer {
    let p = this.peers.get(inbox);
    if (!p) {
      p = new NetChannelPeer(this, inbox);
      this.peers.set(inbox, p);
    }
    return p;
  }

  private deliver(m: WireMessage, peer: NetChannelPeer | undefined): void {
    let value: unknown;
    try {
      value = decode(m.body);
    } catch (err) {
      if (m.kind === 'request') this._net.reply(m, false, encode(errorBody(err)));
      return;
    }
    if (m.kind === 'notify') {
      if (this.notificationQueue) this.notificationQueue.push({ value, peer });
      else this.notificationCallback?.(value, peer);
      return;
    }
    if (m.kind !== 'request') return;
    const req = new NetIncomingRequest(this, m, value, peer);
    if (this.requestQueue) {
      req.defer();
      this.requestQueue.push(req);
      return;
    }
    const cb = this.requestCallback;
    if (!cb) {
      req.fail(new Error(`${this.target} has no request handler on this side`));
      return;
    }
    try {
      const r = cb(value, req);
      if (req.isDeferred) return;
      Promise.resolve(r).then(
        (v) => req.respond(v),
        (e) => req.fail(e),
      );
    } catch (err) {
      req.fail(err);
    }
  }

  private publish(subject: string, kind: 'notify' | 'bye', body: Uint8Array, quiet = false): void {
    try {
      this._net.send(subject, kind, 0, body);
    } catch (err) {
      if (!quiet) throw this._net.error(err, `send on ${this.target}`, this.name);
    }
  }

  private onlyClient(what: string): NetChannelPeer {
    const c = this.clients;
    if (c.length !== 1) throw new IpcError(c.length === 0 ? 'NOT_FOUND' : 'WRONG_KIND', `Cannot ${what} on ${this.target} from its server: it has ${c.length} clients; use a peer from \`clients\` or from a request`, { name: this.name });
    return c[0]!;
  }

  private checkOpen(what: string): void {
    if (this.state !== 'open') throw new IpcError('CLOSED', `Cannot ${what} ${this.target}: it is closed`, { name: this.name });
  }
}
