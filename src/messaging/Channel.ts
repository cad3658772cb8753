// Request/response and notifications between one server and many clients over shared memory.
// Layout: assembly/channel.ts and assembly/ring.ts (docs/layout.md#channel). Each client claims a
// slot of the server's segment: a private pair of rings, so replies can never reach the wrong
// client. Clients ring the server's one doorbell; the server rings each client's own.
import type { AllowedUsers } from '../segments/segmentOwner.ts';
import process from 'node:process';
import { IpcError } from '../errors/IpcError.ts';
import { AsyncQueue } from './AsyncQueue.ts';
import { ChannelSlot, encodeError, messageValue, outgoing } from './ChannelSlot.ts';
import { Doorbell } from '../segments/Doorbell.ts';
import { closeIdleWaiters, noteActivity } from '../platform/futex.ts';
import { removeStaleName } from '../segments/claimStaleName.ts';
import { SegmentMapping, unlinkSegment } from '../segments/SegmentMapping.ts';
import { isProcessAlive, selfIdentity } from '../platform/processIdentity.ts';
import { Outgoing, RecordType, Ring, ringCore, type RingExports } from './Ring.ts';
import { runtime } from '../platform/runtime.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { Segment } from '../segments/Segment.ts';

/** Which end of a channel this object is. */
export type ChannelRole = 'server' | 'client';

/** Options of a {@link Channel}. */
export interface ChannelOptions {
  /** Server: how many clients can be connected at once. Defaults to 16. */
  maxClients?: number;
  /** Server: bytes of each ring (one per direction per client), a power of two from 256. Defaults to 65536. Larger messages are sent in chunks. */
  ringSize?: number;
  /** Client: how long `open()` waits for a server that is still initialising or for a free slot. Defaults to 1000 ms. */
  openTimeoutMs?: number;
  /** Default timeout of `request()` and of waiting for ring space. Defaults to 30000 ms; `Infinity` waits as long as the peer lives. */
  timeoutMs?: number;
  /** How often a waiting side checks that its peer still lives. Defaults to 100 ms. */
  livenessMs?: number;
  /**
   * Client: accept a server of another user: true, or a list of user ids (default: only this
   * process's user; another user's segment of that name gives PERMISSION_DENIED).
   */
  allowOtherUsers?: AllowedUsers;
}

/** Options of one request or notification. */
export interface SendOptions {
  /** Overrides the channel's `timeoutMs` for this message. */
  timeoutMs?: number;
  /** Aborting rejects the request with `ABORTED` (a late reply is then dropped). */
  signal?: AbortSignal;
  /** When the ring is full: wait for space (true, the default) or reject at once with `FULL`. */
  wait?: boolean;
}

/** Internal: what kind of segment backs the channel (shared functions use their own kind). */
export interface ChannelInternals {
  kind: number;
  target: (name: string) => string;
}

/** Layout version of channel segments (assembly/channel.ts). */
export const CHANNEL_VERSION = 2;
const STOP = 1;
const RECLAIM = 2;
const HELLO = 4;
const REAP_EVERY_MS = 1000;
/**
 * High-water mark of the local queue of notifications waiting for ring space, per connection:
 * past it, notify() rejects at once with FULL (docs/layout.md, Ring: backpressure).
 */
export const NOTIFY_QUEUE_MAX_MESSAGES = 4096;
export const NOTIFY_QUEUE_MAX_BYTES = 16 * 1024 * 1024;

const DEFAULTS = { maxClients: 16, ringSize: 65536, openTimeoutMs: 1000, timeoutMs: 30_000, livenessMs: 100, allowOtherUsers: false as AllowedUsers };

/** A client as its server sees it: the target of server-initiated requests and notifications. */
export class ChannelPeer {
  /** @internal */
  constructor(
    private readonly channel: Channel,
    /** @internal */ readonly conn: ChannelSlot,
    /** Process id of the client. */
    readonly pid: number,
  ) {}

  /**
   * Sends a request to this client and resolves with its reply.
   * @throws {IpcError} TIMED_OUT, ABORTED, FULL, PEER_GONE, CLOSED; {@link RemoteError} when its handler threw
   */
  request(value: unknown, options: SendOptions = {}): Promise<unknown> {
    return this.channel._request(this.conn, value, options);
  }

  /**
   * Sends a notification to this client; resolves once it is in the ring.
   * @throws {IpcError} TIMED_OUT, ABORTED, FULL, PEER_GONE, CLOSED
   */
  notify(value: unknown, options: SendOptions = {}): Promise<void> {
    return this.channel._notify(this.conn, value, options);
  }
}

/** A request received by a handler; reply with `respond()` or `fail()`, now or later. */
export class IncomingRequest {
  private settled = false;
  private deferred = false;

  /** @internal */
  constructor(
    private readonly channel: Channel,
    /** @internal */ readonly conn: ChannelSlot,
    /** The correlation id (unique per sender while the request is pending). */
    readonly id: number,
    /** The decoded request. */
    readonly value: unknown,
    /** Who sent it (a client, or the server). */
    readonly peer: ChannelPeer | undefined,
    /** Encoded size of the request in bytes. */
    readonly size: number,
  ) {}

  /** Says the reply will come later than the handler's return (its return value is then ignored). */
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
    let msg: Outgoing;
    try {
      msg = outgoing(RecordType.REPLY, this.id, value);
    } catch (err) {
      this.channel._reply(this.conn, RecordType.ERROR, this.id, encodeError(err));
      return;
    }
    this.channel._send(this.conn, msg);
  }

  /** @internal Sends a reply encoded already. */
  _respondEncoded(bytes: Uint8Array): void {
    if (this.settled) return;
    this.settled = true;
    this.channel._reply(this.conn, RecordType.REPLY, this.id, bytes);
  }

  /** Sends an error reply; the requester's promise rejects with a {@link RemoteError}. */
  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.channel._reply(this.conn, RecordType.ERROR, this.id, encodeError(error));
  }
}

/** A notification as the async iterator yields it. */
export interface IncomingNotification {
  readonly value: unknown;
  readonly peer: ChannelPeer | undefined;
}

type RequestCallback = (value: unknown, request: IncomingRequest) => unknown;
type NotificationCallback = (value: unknown, peer: ChannelPeer | undefined) => void;

const openChannels = new Set<Channel>();
// Servers of this process by name: a client of this process cannot wait (synchronously) for its
// own event loop to reclaim a slot, so it asks the local server directly.
const localServers = new Map<string, Channel>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A client that exits normally hands its slot back at once instead of waiting to be found dead.
  process.on('exit', () => {
    for (const c of openChannels) c._leaveOnExit();
    // Works around the addon aborting at exit when two or more Waiter objects are still alive
    // (seen on Node 20: SIGABRT after the last line of output); idle ones are ours to close.
    closeIdleWaiters();
  });
}

/**
 * One end of a request/response channel over shared memory. The server creates the channel
 * (segment `name`); each client claims a slot with its own pair of rings. Both sides can send
 * requests and notifications; delivery per sender is in order. Handlers may reply later than they
 * return. A dead peer makes pending requests reject with `PEER_GONE` within `livenessMs`; a
 * restarted server has a higher `generation`.
 *
 * @example A server and a client
 * ```ts
 * import { Channel } from 'membridge';
 * const server = new Channel('calc', 'server');
 * server.open();
 * server.setRequestCallback((value) => (value as number) * 2);
 * // in another process:
 * const client = new Channel('calc', 'client');
 * client.open();
 * console.log(await client.request(21)); // 42
 * client.close();
 * ```
 */
export class Channel {
  private state: 'new' | 'open' | 'closed' | 'broken' = 'new';
  private seg: Segment | undefined;
  private core!: RingExports;
  private payload = 0;
  private slotCount = 0;
  private ringSize = 0;
  private myBell!: Doorbell;
  private conns: Array<ChannelSlot | undefined> = [];
  /** Server: the connected slots' connections, in no particular order. */
  private active: ChannelSlot[] = [];
  private readonly peers = new Map<ChannelSlot, ChannelPeer>();
  private client: ChannelSlot | undefined;
  private requestCallback: RequestCallback | undefined;
  private notificationCallback: NotificationCallback | undefined;
  private requestQueue: AsyncQueue<IncomingRequest> | undefined;
  private notificationQueue: AsyncQueue<IncomingNotification> | undefined;
  private running = false;
  private stopper = new AbortController();
  private brokenBy: Error | undefined;
  private readonly opts: Required<ChannelOptions>;
  private readonly kind: number;
  private readonly target: (name: string) => string;
  /** Called when the server stops because another process asked it to (removeFunction). */
  onStopRequested: (() => void) | undefined;
  /** Called once when the channel breaks (a dead peer for a client, a failure for a server). */
  onBroken: ((error: IpcError) => void) | undefined;

  /**
   * @param name segment name of the channel
   * @param role `'server'` creates it, `'client'` connects to it
   * @throws {TypeError} for a role other than 'server' or 'client'
   */
  constructor(
    readonly name: string,
    readonly role: ChannelRole,
    options: ChannelOptions = {},
    internals?: ChannelInternals,
  ) {
    if (role !== 'server' && role !== 'client') throw new TypeError(`Cannot make a channel with role "${String(role)}": it must be "server" or "client"`);
    this.opts = { ...DEFAULTS, ...options };
    this.kind = internals?.kind ?? SegmentKind.CHANNEL;
    this.target = internals?.target ?? ((n) => `Channel "${n}"`);
  }

  /** The server's incarnation: a restarted server has a higher one. 0 before open(). */
  get generation(): number {
    return this.seg?.info.generation ?? 0;
  }

  /** Whether open() succeeded and neither close() nor a dead peer ended the channel. */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Client: whether the server has not closed the channel (a cheap check, no liveness probe). */
  get serverOpen(): boolean {
    return this.state === 'open' && this.seg !== undefined && runtime().core.segState(this.seg.segment.ptr) === 1;
  }

  /** Server: the connected clients. */
  get clients(): ChannelPeer[] {
    return this.conns.filter((c): c is ChannelSlot => c !== undefined).map((c) => this.peerOf(c)!);
  }

  /**
   * Creates (server) or connects to (client) the channel.
   * @throws {IpcError} server: ALREADY_EXISTS when a live server has the name; client: NOT_FOUND,
   * PEER_GONE (the server died), FULL (no free slot), VERSION_MISMATCH, WRONG_KIND, CORRUPT
   */
  open(): this {
    if (this.state !== 'new') throw new IpcError('CLOSED', `Cannot open ${this.target(this.name)}: it was opened before`, { name: this.name });
    this.core = ringCore();
    if (this.role === 'server') this.openServer();
    else this.openClient();
    this.state = 'open';
    openChannels.add(this);
    if (this.role === 'server') localServers.set(this.name, this);
    installExitHook();
    if (this.role === 'server') this.ensureRunning();
    return this;
  }

  private openServer(): void {
    const { maxClients, ringSize } = this.opts;
    if (!Number.isInteger(maxClients) || maxClients < 1 || maxClients > 4096) throw new RangeError(`Cannot create ${this.target(this.name)} for ${maxClients} clients: it must be an integer from 1 to 4096`);
    if (!Number.isInteger(ringSize) || ringSize < 256 || ringSize > 0x4000_0000 || (ringSize & (ringSize - 1)) !== 0) {
      throw new RangeError(`Cannot create ${this.target(this.name)} with rings of ${ringSize} bytes: it must be a power of two from 256 to 2^30`);
    }
    const core = this.core;
    const payloadSize = core.chanPayloadSize(maxClients, ringSize);
    const create = (generation: number): Segment =>
      Segment.create(this.name, {
        kind: this.kind,
        version: CHANNEL_VERSION,
        payloadSize,
        generation,
        populate: false,
        init: (_s, ptr) => {
          if (core.chanInit(ptr, maxClients, ringSize) < 0) throw new RangeError(`Cannot create ${this.target(this.name)}: bad ring size ${ringSize}`);
        },
      });
    try {
      this.seg = create(1);
    } catch (err) {
      if (!(err instanceof IpcError && err.code === 'ALREADY_EXISTS')) throw err;
      // The previous server died or closed: take the name over with the next generation, unless
      // another process claimed the stale segment first (it is taking over right now).
      const stale = takeStaleName(this.name);
      if (stale === undefined) throw new IpcError('ALREADY_EXISTS', `Cannot serve ${this.target(this.name)}: a live process serves it already (or is taking it over)`, { name: this.name });
      this.seg = create(stale + 1);
    }
    this.attach(maxClients, ringSize);
  }

  private openClient(): void {
    let seg: Segment;
    try {
      seg = Segment.open(this.name, { kind: this.kind, version: CHANNEL_VERSION, timeoutMs: this.opts.openTimeoutMs, allowOtherUsers: this.opts.allowOtherUsers });
    } catch (err) {
      if (err instanceof IpcError && err.code === 'NOT_FOUND') throw new IpcError('NOT_FOUND', `Cannot open ${this.target(this.name)}: no process serves it`, { name: this.name, cause: err });
      if (err instanceof IpcError && err.code === 'CLOSED') throw new IpcError('PEER_GONE', `Cannot open ${this.target(this.name)}: its server closed it`, { name: this.name, cause: err });
      throw err;
    }
    this.seg = seg;
    try {
      // Geometry read once, checked, and kept (docs/layout.md, "What a process trusts").
      const slotCount = this.core.chanSlotCount(seg.payloadPtr);
      const ringSize = this.core.chanRingCapacity(seg.payloadPtr);
      if (this.core.chanValidate(seg.payloadPtr, seg.info.payloadSize, slotCount, ringSize) !== 0) {
        throw new IpcError('CORRUPT', `Cannot open ${this.target(this.name)}: its slot table does not match the segment size`, { name: this.name });
      }
      if (!isProcessAlive(seg.info.creatorPid, seg.info.creatorStamp)) throw this.goneError('open');
      this.attach(slotCount, ringSize);
      this.claimSlot();
    } catch (err) {
      seg.unmap();
      this.seg = undefined;
      throw err;
    }
  }

  private attach(slotCount: number, ringSize: number): void {
    const seg = this.seg!;
    this.payload = seg.payloadPtr;
    this.slotCount = slotCount;
    this.ringSize = ringSize;
    this.conns = new Array(this.slotCount).fill(undefined);
    this.myBell = this.role === 'server' ? new Doorbell(this.core.chanServerBell(this.payload)) : (undefined as unknown as Doorbell);
  }

  private connection(index: number, owner: bigint): ChannelSlot {
    const core = this.core;
    const slot = core.chanSlot(this.payload, this.slotCount, this.ringSize, index);
    const toServer = new Ring(core.chanSlotToServer(slot), this.ringSize);
    const toClient = new Ring(core.chanSlotToClient(slot, this.ringSize), this.ringSize);
    const slotBell = new Doorbell(core.chanSlotBell(slot));
    const serverBell = new Doorbell(core.chanServerBell(this.payload));
    const conn =
      this.role === 'server'
        ? new ChannelSlot(index, toClient, toServer, serverBell, slotBell, owner)
        : new ChannelSlot(index, toServer, toClient, slotBell, serverBell, owner);
    conn.slot = slot;
    conn.sink = (type, id, ptr, length, bytes) => this.onMessage(conn, type, id, ptr, length, bytes);
    return conn;
  }

  private claimSlot(): void {
    const { pid, stamp } = selfIdentity();
    const deadline = performance.now() + this.opts.openTimeoutMs;
    const core = this.core;
    for (;;) {
      for (let i = 0; i < this.slotCount; i++) {
        const slot = core.chanSlot(this.payload, this.slotCount, this.ringSize, i);
        if (core.chanSlotOwner(slot) !== 0n) continue;
        if (core.chanSlotClaim(slot, pid, stamp) === 0n) {
          const conn = this.connection(i, core.chanSlotOwner(slot));
          this.client = conn;
          this.conns[i] = conn;
          this.myBell = conn.myBell;
          core.chanSetControl(this.payload, HELLO);
          new Doorbell(core.chanServerBell(this.payload)).ring();
          return;
        }
      }
      // Every slot taken: ask the server to look for owners that died, and retry for a while.
      const local = localServers.get(this.name);
      if (local?.isOpen && local.generation === this.generation) {
        local._reap();
      } else core.chanSetControl(this.payload, RECLAIM);
      new Doorbell(core.chanServerBell(this.payload)).ring();
      if (performance.now() >= deadline) {
        throw new IpcError('FULL', `Cannot open ${this.target(this.name)}: all ${this.slotCount} client slots are taken`, { name: this.name });
      }
      sleepMs(5);
    }
  }

  /**
   * Sets the function that answers requests. Its return value (awaited when a promise) is the
   * reply; a throw becomes a {@link RemoteError} for the requester. Call `request.defer()` to
   * reply later with `request.respond()`. Without a handler, requests are answered with an error.
   */
  setRequestCallback(callback: RequestCallback | undefined): void {
    this.requestCallback = callback;
    if (callback && this.state === 'open') this.ensureRunning();
  }

  /** Sets the function that receives notifications. Without one (and no iterator), they are dropped. */
  setNotificationCallback(callback: NotificationCallback | undefined): void {
    this.notificationCallback = callback;
    if (callback && this.state === 'open') this.ensureRunning();
  }

  /**
   * Incoming requests as an async iterator (each already deferred: reply with `respond()`).
   * While it is in use, it takes the place of the request callback.
   */
  requests(): AsyncIterableIterator<IncomingRequest> {
    this.requestQueue?.end();
    const q = new AsyncQueue<IncomingRequest>(() => {
      if (this.requestQueue === q) this.requestQueue = undefined;
    });
    this.requestQueue = q;
    if (this.state === 'open') this.ensureRunning();
    return q;
  }

  /** Incoming notifications as an async iterator; takes the place of the notification callback while in use. */
  notifications(): AsyncIterableIterator<IncomingNotification> {
    this.notificationQueue?.end();
    const q = new AsyncQueue<IncomingNotification>(() => {
      if (this.notificationQueue === q) this.notificationQueue = undefined;
    });
    this.notificationQueue = q;
    if (this.state === 'open') this.ensureRunning();
    return q;
  }

  /**
   * Sends a request and resolves with the reply. A server sends to its only client (use a
   * {@link ChannelPeer} from `clients` or from a request when there are several).
   * @throws {IpcError} TIMED_OUT, ABORTED, FULL (`wait: false`), PEER_GONE, CLOSED; {@link RemoteError} when the handler threw
   * @throws {TypeError} when the value cannot be encoded
   */
  request(value: unknown, options: SendOptions = {}): Promise<unknown> {
    try {
      return this._request(this.defaultSlot(), value, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Sends a notification; resolves once it is in the ring (at once unless the ring is full).
   * A server sends it to every connected client.
   * @throws {IpcError} TIMED_OUT, ABORTED, FULL (`wait: false`), PEER_GONE, CLOSED
   */
  notify(value: unknown, options: SendOptions = {}): Promise<void> {
    try {
      if (this.role === 'server') {
        this.ensureUsable('notify');
        return Promise.all(this.clients.map((p) => this._notify(p.conn, value, options))).then(() => undefined);
      }
      return this._notify(this.defaultSlot(), value, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Sends a notification if the ring has room now, without a promise: the fast path for streams.
   * Returns false when the ring is full (nothing was sent).
   * @throws {IpcError} PEER_GONE, CLOSED
   */
  tryNotify(value: unknown): boolean {
    const conn = this.defaultSlot();
    const msg = outgoing(RecordType.NOTIFY, conn.takeId(), value);
    if (!conn.tryPost(msg)) return false;
    // A message larger than the free space went in partly; the loop sends the rest.
    if (conn.queue.length > 0) this.ensureRunning();
    return true;
  }

  /**
   * Client: sends a request and blocks this thread until the reply (for scripts and workers).
   * Incoming requests and notifications are handled while it waits.
   * @throws {IpcError} TIMED_OUT, FULL (`wait: false`), PEER_GONE, CLOSED; {@link RemoteError} when the handler threw
   */
  requestSync(value: unknown, options: Omit<SendOptions, 'signal'> = {}): unknown {
    const conn = this.defaultSlot();
    const timeoutMs = options.timeoutMs ?? this.opts.timeoutMs;
    const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
    const id = conn.takeId();
    const msg = outgoing(RecordType.REQUEST, id, value);
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown } | undefined;
    conn.addPending(id, { resolve: (v) => (outcome = { ok: true, value: v }), reject: (e) => (outcome = { ok: false, error: e }), deadline });
    if (!conn.tryPost(msg)) {
      if (options.wait === false) {
        conn.pending.delete(id);
        throw this.fullError();
      }
      conn.enqueue({ msg, resolve: noop, reject: (e) => conn.pending.delete(id) && (outcome = { ok: false, error: e }), deadline });
    }
    for (;;) {
      const seen = this.myBell.seq;
      this.pollOnce();
      if (outcome) break;
      const now = performance.now();
      if (now >= deadline) {
        conn.expire(now, () => `Cannot finish the request on ${this.target(this.name)}`);
        if (outcome) break;
      }
      if (this.myBell.wait(seen, Math.min(this.opts.livenessMs, Math.max(0, deadline - now))) === 'timed-out') this.checkPeer();
      if (this.state !== 'open') {
        if (!outcome) outcome = { ok: false, error: this.brokenBy ?? this.closedError('request') };
        break;
      }
    }
    const o = outcome as { ok: true; value: unknown } | { ok: false; error: unknown };
    if (o.ok) return o.value;
    throw o.error;
  }

  /**
   * Closes this end. A server marks the channel closed, removes its name and makes its clients'
   * requests reject with PEER_GONE; a client hands its slot back. Pending requests reject with CLOSED.
   */
  close(): void {
    if (this.state === 'closed' || this.state === 'new') {
      this.state = 'closed';
      return;
    }
    const wasBroken = this.state === 'broken';
    this.state = 'closed';
    openChannels.delete(this);
    if (localServers.get(this.name) === this) localServers.delete(this.name);
    this.stopper.abort();
    const err = (): Error => this.closedError('finish the request');
    for (const c of this.conns) c?.failAll(err);
    this.requestQueue?.end();
    this.notificationQueue?.end();
    const seg = this.seg;
    if (!seg) return;
    if (this.role === 'server' && !wasBroken) {
      // Remove the name first, so nobody new opens a channel that is about to close.
      try {
        unlinkSegment(this.name);
      } catch {
        /* already removed (removeFunction) */
      }
      seg.markClosed();
      for (let i = 0; i < this.slotCount; i++) new Doorbell(this.core.chanSlotBell(this.core.chanSlot(this.payload, this.slotCount, this.ringSize, i))).ring();
    } else if (this.client && !wasBroken) {
      this.core.chanSlotLeave(this.core.chanSlot(this.payload, this.slotCount, this.ringSize, this.client.index));
      new Doorbell(this.core.chanServerBell(this.payload)).ring();
    }
    for (let i = 0; i < this.conns.length; i++) this.conns[i] = undefined;
    this.active = [];
    this.seg = undefined;
    seg.unmap();
  }

  // ---- internals (public only for ChannelPeer, IncomingRequest and shared functions) ----

  /** @internal */
  _leaveOnExit(): void {
    if (this.state !== 'open' || !this.seg) return;
    if (this.client) {
      this.core.chanSlotLeave(this.core.chanSlot(this.payload, this.slotCount, this.ringSize, this.client.index));
      new Doorbell(this.core.chanServerBell(this.payload)).ring();
    } else if (this.role === 'server') {
      this.close();
    }
  }

  /** @internal */
  _request(conn: ChannelSlot, value: unknown, options: SendOptions): Promise<unknown> {
    this.ensureUsable('send a request');
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(abortError(this.target(this.name), signal));
    const timeoutMs = options.timeoutMs ?? this.opts.timeoutMs;
    const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
    const id = conn.takeId();
    const msg = outgoing(RecordType.REQUEST, id, value);
    return new Promise((resolve, reject) => {
      let cleanup: (() => void) | undefined;
      if (signal) {
        const onAbort = (): void => {
          conn.pending.delete(id);
          const i = conn.queue.findIndex((q) => q.msg === msg);
          if (i >= 0 && !msg.started) conn.queue.splice(i, 1);
          reject(abortError(this.target(this.name), signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      conn.addPending(id, { resolve, reject, deadline, cleanup });
      if (!conn.tryPost(msg)) {
        if (options.wait === false) {
          conn.pending.delete(id);
          cleanup?.();
          reject(this.fullError());
          return;
        }
        conn.enqueue({
          msg,
          resolve: noop,
          reject: (e) => {
            if (conn.pending.delete(id)) reject(e);
          },
          deadline,
        });
        conn.flush();
      }
      this.ensureRunning();
    });
  }

  /** @internal */
  _notify(conn: ChannelSlot, value: unknown, options: SendOptions): Promise<void> {
    this.ensureUsable('send a notification');
    const msg = outgoing(RecordType.NOTIFY, conn.takeId(), value);
    if (conn.tryPost(msg)) {
      if (conn.queue.length > 0) this.ensureRunning();
      return Promise.resolve();
    }
    if (options.wait === false) return Promise.reject(this.fullError());
    // Notifications that wait for ring space wait in this process's memory: bounded, so that a
    // loop that does not await them fails typed instead of growing without limit.
    if (conn.queueOver(NOTIFY_QUEUE_MAX_MESSAGES, NOTIFY_QUEUE_MAX_BYTES, msg.payload.length)) {
      return Promise.reject(new IpcError('FULL', `Cannot send a notification on ${this.target(this.name)}: ${conn.queue.length} messages already wait for ring space in this process (at most ${NOTIFY_QUEUE_MAX_MESSAGES} messages or ${NOTIFY_QUEUE_MAX_BYTES} bytes); await notify() before sending more`, { name: this.name }));
    }
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(abortError(this.target(this.name), signal));
    const timeoutMs = options.timeoutMs ?? this.opts.timeoutMs;
    return new Promise((resolve, reject) => {
      let cleanup: (() => void) | undefined;
      if (signal) {
        const onAbort = (): void => {
          const i = conn.queue.findIndex((q) => q.msg === msg);
          if (i >= 0 && !msg.started) {
            conn.queue.splice(i, 1);
            reject(abortError(this.target(this.name), signal));
          }
        };
        signal.addEventListener('abort', onAbort, { once: true });
        cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      conn.enqueue({ msg, resolve, reject, deadline: timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs, cleanup });
      conn.flush();
      this.ensureRunning();
    });
  }

  /** @internal Sends a reply without ever blocking: a full ring queues it. */
  _reply(conn: ChannelSlot, type: number, id: number, payload: Uint8Array): void {
    this._send(conn, new Outgoing(type, id, payload));
  }

  /** @internal */
  _send(conn: ChannelSlot, msg: Outgoing): void {
    if (this.state !== 'open' || conn.dead) return;
    try {
      if (!conn.tryPost(msg)) {
        conn.enqueue({ msg, resolve: noop, reject: noop, deadline: Infinity });
        conn.flush();
      }
    } catch (err) {
      // Replies are sent from handlers' promises: a ring another process made impossible must
      // end that connection here, typed, never as an unhandled rejection.
      if (!(err instanceof IpcError && err.code === 'CORRUPT')) throw err;
      if (this.role === 'server') this.quarantine(conn);
      else this.breakWith(err);
      return;
    }
    if (conn.queue.length > 0) this.ensureRunning();
  }

  private defaultSlot(): ChannelSlot {
    this.ensureUsable('send');
    if (this.client) return this.client;
    const live = this.conns.filter((c): c is ChannelSlot => c !== undefined);
    if (live.length !== 1) {
      throw new IpcError(live.length === 0 ? 'NOT_FOUND' : 'FULL', `Cannot send on ${this.target(this.name)} as its server: ${live.length} clients are connected; pick one from "clients"`, { name: this.name });
    }
    return live[0]!;
  }

  private ensureUsable(action: string): void {
    if (this.state === 'open') return;
    if (this.state === 'broken') throw this.brokenBy!;
    throw this.closedError(action);
  }

  private closedError(action: string): IpcError {
    return new IpcError('CLOSED', `Cannot ${action} on ${this.target(this.name)}: it is ${this.state === 'new' ? 'not open yet' : 'closed'}`, { name: this.name });
  }

  private fullError(): IpcError {
    return new IpcError('FULL', `Cannot send on ${this.target(this.name)}: the ring is full`, { name: this.name });
  }

  private goneError(action: string): IpcError {
    return new IpcError('PEER_GONE', `Cannot ${action} ${this.target(this.name)}: the server is gone (generation ${this.generation} ended)`, { name: this.name });
  }

  private peerOf(conn: ChannelSlot): ChannelPeer | undefined {
    if (this.role !== 'server') return undefined;
    let p = this.peers.get(conn);
    if (!p) {
      p = new ChannelPeer(this, conn, Number(conn.owner & 0xffff_ffffn));
      this.peers.set(conn, p);
    }
    return p;
  }

  private onMessage(conn: ChannelSlot, kind: number, id: number, ptr: number, length: number, bytes: Uint8Array | undefined): void {
    const type = kind & 0xffff;
    if (type === RecordType.REPLY || type === RecordType.ERROR) {
      conn.settle(kind, id, ptr, length, bytes, this.target(this.name));
      return;
    }
    let value: unknown;
    try {
      value = messageValue(kind, ptr, length, bytes);
    } catch (err) {
      if (type === RecordType.REQUEST) this._reply(conn, RecordType.ERROR, id, encodeError(err));
      return;
    }
    if (type === RecordType.NOTIFY) {
      const peer = this.peerOf(conn);
      if (this.notificationQueue) this.notificationQueue.push({ value, peer });
      else if (this.notificationCallback) {
        try {
          this.notificationCallback(value, peer);
        } catch (err) {
          queueMicrotask(() => {
            throw err;
          });
        }
      }
      return;
    }
    if (type !== RecordType.REQUEST) return;
    const req = new IncomingRequest(this, conn, id, value, this.peerOf(conn), length);
    if (this.requestQueue) {
      req.defer();
      this.requestQueue.push(req);
      return;
    }
    const cb = this.requestCallback;
    if (!cb) {
      req.fail(new IpcError('NOT_FOUND', `${this.target(this.name)} has no request handler`, { name: this.name }));
      return;
    }
    let result: unknown;
    try {
      result = cb(value, req);
    } catch (err) {
      req.fail(err);
      return;
    }
    if (req.isDeferred || req.isSettled) return;
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(
        (v) => req.respond(v),
        (e) => req.fail(e),
      );
    } else req.respond(result);
  }

  /** One pass over the connections: deliver inbound records, push queued outbound ones. */
  private pollOnce(): boolean {
    const core = this.core;
    let work = false;
    if (this.role === 'client') {
      const conn = this.client!;
      if (runtime().core.segState(this.seg!.segment.ptr) !== 1) {
        this.breakWith(this.goneError('use'));
        return true;
      }
      const [n, wants] = conn.inbound.read(conn.sink!);
      if (wants) conn.peerBell.ring();
      if (conn.queue.length > 0) conn.flush();
      return n > 0;
    }
    const control = core.chanControl(this.payload);
    if (control & STOP) {
      this.onStopRequested?.();
      if (this.state !== 'open') return true;
    }
    if (control & RECLAIM) {
      core.chanClearControl(this.payload, RECLAIM);
      this.reap();
    }
    if (control & HELLO) {
      // New clients announce themselves, so a poll visits only connected slots, not all of them.
      core.chanClearControl(this.payload, HELLO);
      for (let i = 0; i < this.slotCount; i++) {
        if (this.conns[i]) continue;
        const owner = core.chanSlotOwner(core.chanSlot(this.payload, this.slotCount, this.ringSize, i));
        if (owner === 0n) continue;
        const conn = (this.conns[i] = this.connection(i, owner));
        this.active.push(conn);
      }
    }
    const active = this.active;
    for (let k = 0; k < active.length; k++) {
      const conn = active[k]!;
      if (core.chanSlotClosing(conn.slot)) {
        this.freeSlot(conn.index, 'left');
        k--;
        work = true;
        continue;
      }
      let n: number;
      let wants: boolean;
      try {
        [n, wants] = conn.inbound.read(conn.sink!);
        if (conn.queue.length > 0) conn.flush();
      } catch (err) {
        // One client's ring is its own business: a corrupt record (a buggy or hostile client
        // wrote it) costs that client its slot, never the other clients their server.
        if (!(err instanceof IpcError && err.code === 'CORRUPT')) throw err;
        this.quarantine(conn);
        k--;
        work = true;
        continue;
      }
      if (n > 0) work = true;
      if (wants) conn.peerBell.ring();
    }
    return work;
  }

  /** @internal */
  _reap(): void {
    this.reap();
  }

  /** Server: frees the slots of clients that left or died. */
  private reap(): void {
    const core = this.core;
    for (let i = 0; i < this.slotCount; i++) {
      const slot = core.chanSlot(this.payload, this.slotCount, this.ringSize, i);
      const owner = core.chanSlotOwner(slot);
      if (owner === 0n) continue;
      if (core.chanSlotClosing(slot)) this.freeSlot(i, 'left');
      else if (!isProcessAlive(Number(owner & 0xffff_ffffn), Number(owner >> 32n))) this.freeSlot(i, 'died');
    }
  }

  /**
   * Server: stops serving a client that wrote an impossible record. Its slot stays taken (the
   * client still lives and may still write into it) until reap() sees it leave or die.
   */
  private quarantine(conn: ChannelSlot): void {
    const k = this.active.indexOf(conn);
    if (k >= 0) this.active.splice(k, 1);
    conn.dead = true;
    this.peers.delete(conn);
    const pid = Number(conn.owner & 0xffff_ffffn);
    conn.failAll(() => new IpcError('CORRUPT', `Cannot finish the request on ${this.target(this.name)}: the client (pid ${pid}) wrote an impossible record into its ring and was disconnected`, { name: this.name }));
  }

  private freeSlot(index: number, why: 'left' | 'died'): void {
    const conn = this.conns[index];
    this.conns[index] = undefined;
    if (conn) {
      const k = this.active.indexOf(conn);
      if (k >= 0) this.active.splice(k, 1);
      conn.dead = true;
      this.peers.delete(conn);
      conn.failAll(() => new IpcError('PEER_GONE', `Cannot finish the request on ${this.target(this.name)}: the client (pid ${Number(conn.owner & 0xffff_ffffn)}) ${why}`, { name: this.name }));
    }
    this.core.chanSlotFree(this.core.chanSlot(this.payload, this.slotCount, this.ringSize, index), this.ringSize);
  }

  /** Client: fails everything when the server is gone. Server: reaps clients, checks its segment. */
  private checkPeer(): void {
    if (this.state !== 'open') return;
    if (this.role === 'server') {
      // Only this server closes its segment; any other state means another process closed or
      // overwrote it, and serving on would answer nobody.
      if (runtime().core.segState(this.seg!.segment.ptr) !== 1) {
        this.breakWith(new IpcError('CORRUPT', `${this.target(this.name)} stopped: another process closed or overwrote its segment`, { name: this.name }));
        return;
      }
      this.reap();
      return;
    }
    const info = this.seg!.info;
    if (runtime().core.segState(this.seg!.segment.ptr) !== 1 || !isProcessAlive(info.creatorPid, info.creatorStamp)) this.breakWith(this.goneError('use'));
  }

  private breakWith(err: IpcError): void {
    if (this.state !== 'open') return;
    this.state = 'broken';
    this.brokenBy = err;
    openChannels.delete(this);
    this.stopper.abort();
    for (const c of this.conns) c?.failAll(() => new IpcError('PEER_GONE', err.message, { name: this.name }));
    this.requestQueue?.end();
    this.notificationQueue?.end();
    // The mapping stays until close(): the slot is the dead server's business now.
    this.onBroken?.(err);
  }

  private wantsLoop(): boolean {
    if (this.state !== 'open') return false;
    if (this.role === 'server') return true;
    const conn = this.client!;
    return conn.busy || this.requestCallback !== undefined || this.notificationCallback !== undefined || this.requestQueue !== undefined || this.notificationQueue !== undefined;
  }

  private ensureRunning(): void {
    if (this.running || !this.wantsLoop()) return;
    this.running = true;
    void this.run();
  }

  // The event-loop side: drain, then sleep on our doorbell on a native waiter thread (never on
  // the event loop), in slices of livenessMs so a dead peer is noticed within a slice.
  private async run(): Promise<void> {
    let lastYield = performance.now();
    // A client starts its loop because it just sent something: treat that as traffic.
    if (this.role === 'client') noteActivity(lastYield);
    let lastReap = lastYield;
    try {
      while (this.wantsLoop()) {
        const seen = this.myBell.seq;
        const worked = this.pollOnce();
        if (!this.wantsLoop()) break;
        let now = performance.now();
        for (const c of this.conns) if (c && c.earliest <= now) c.expire(now, () => `Cannot finish the request on ${this.target(this.name)}`);
        // A busy server never times out a slice: look for dead clients on a clock as well.
        if (this.role === 'server' && now - lastReap > REAP_EVERY_MS) {
          lastReap = now;
          this.reap();
        }
        if (worked) noteActivity(now);
        else {
          let earliest = Infinity;
          for (const c of this.conns) if (c && c.earliest < earliest) earliest = c.earliest;
          now = performance.now();
          const wait = Math.max(0, Math.min(this.opts.livenessMs, earliest - now));
          // Right after traffic, wait briefly on this thread, synchronously (futex.ts,
          // waitWordHot). That is no yield to the event loop, hence the one below.
          if (this.myBell.waitHot(seen, wait) !== 'changed') {
            const outcome = await this.myBell.waitAsync(seen, wait, this.stopper.signal, false);
            lastYield = performance.now();
            if (outcome === 'timed-out') this.checkPeer();
            continue;
          }
        }
        // While traffic lasts, let timers and I/O in at least once a millisecond, and handlers'
        // promises after every batch of work.
        if (now - lastYield > 1) {
          await new Promise<void>((r) => setImmediate(r));
          lastYield = performance.now();
        } else if (worked) await Promise.resolve();
      }
    } catch (err) {
      if (this.state === 'open') {
        const e = err instanceof IpcError ? err : new IpcError('SYSTEM', `${this.target(this.name)} stopped: ${(err as Error).message}`, { cause: err, name: this.name });
        this.breakWith(e);
      }
    } finally {
      this.running = false;
    }
    // A request may have arrived between the last check and the end of the loop.
    if (this.wantsLoop()) this.ensureRunning();
  }
}

function noop(): void {}

function abortError(target: string, signal: AbortSignal): IpcError {
  return new IpcError('ABORTED', `Cannot finish the request on ${target}: it was aborted`, { cause: signal.reason });
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * Removes the name of a segment left by a server that died or closed and returns that segment's
 * generation (0 when the name was free), or undefined when a live server still holds the name or
 * another process has claimed the stale segment first (claimStaleName).
 */
function takeStaleName(name: string): number | undefined {
  let seg: SegmentMapping;
  try {
    seg = SegmentMapping.open(name);
  } catch (err) {
    if (err instanceof IpcError && err.code === 'NOT_FOUND') return 0;
    // Size 0: a creator between shm_open and ftruncate, whoever it is. Not ours to remove.
    if (err instanceof IpcError && err.code === 'NOT_READY') return undefined;
    throw err;
  }
  try {
    const core = runtime().core;
    // Someone else's file (or a truncated one): never remove what membridge did not make.
    if (seg.size < core.segHeaderSize() || core.segMagic(seg.ptr) !== 0x4753424d) return undefined;
    const state = core.segState(seg.ptr);
    const alive = isProcessAlive(core.segCreatorPid(seg.ptr), core.segCreatorStamp(seg.ptr));
    if ((state === 1 || state === 0) && alive) return undefined;
    return removeStaleName(name, seg) ? core.segGeneration(seg.ptr) : undefined;
  } finally {
    seg.unmap();
  }
}
