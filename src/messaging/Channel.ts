// Request/response and notifications between one server and many clients over shared memory.
// Layout: assembly/channel.ts and assembly/ring.ts (docs/layout.md#channel). Each client claims a
// slot of the server's segment: a private pair of rings, so replies can never reach the wrong
// client. Clients ring the server's one doorbell; the server rings each client's own.
// The pieces: ChannelSlotTable (the slot table), ChannelPump (the event-loop side),
// channelRegistry (process-wide bookkeeping), ChannelPeer and IncomingRequest (public handles).
import { IpcError } from '../errors/IpcError.ts';
import { AsyncQueue } from './AsyncQueue.ts';
import { outgoing, type ChannelSlot } from './ChannelSlot.ts';
import { ChannelSlotTable } from './ChannelSlotTable.ts';
import { ChannelPump, pumpError, type PumpedChannel } from './ChannelPump.ts';
import { ChannelPeer } from './ChannelPeer.ts';
import type { IncomingRequest } from './IncomingRequest.ts';
import { IncomingHandlers, type NotificationCallback, type RequestCallback } from './IncomingHandlers.ts';
import type { ChannelLink } from './ChannelLink.ts';
import { localServer, registerChannel, unregisterChannel, type RegisteredChannel } from './channelRegistry.ts';
import { CHANNEL_DEFAULTS, type ChannelInternals, type ChannelOptions, type ChannelRole, type IncomingNotification, type SendOptions } from './ChannelOptions.ts';
import { Doorbell } from '../segments/Doorbell.ts';
import { takeOverStaleName } from '../segments/staleSegment.ts';
import { unlinkSegment } from '../segments/SegmentMapping.ts';
import { isProcessAlive, selfIdentity } from '../platform/processIdentity.ts';
import { sleepMs } from '../platform/sleep.ts';
import { Outgoing, RecordType, ringCore, type CoreExports } from './Ring.ts';
import { fullError, noop, sendNotification, sendRequest, type SendContext } from './sendOnSlot.ts';
import { runtime } from '../platform/runtime.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import { Segment } from '../segments/Segment.ts';
import { objectSegmentName } from '../segments/segmentName.ts';
import { CHANNEL_LAYOUT_VERSION, SEGMENT_STATE_READY } from '../platform/coreAbi.generated.ts';

/** Layout version of channel segments (declared in assembly/channel.ts). */
export const CHANNEL_VERSION = CHANNEL_LAYOUT_VERSION;


const PLAIN: ChannelInternals = { kind: SegmentKind.CHANNEL, target: (n) => `Channel "${n}"` };

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
  private core!: CoreExports;
  private table!: ChannelSlotTable;
  private pump!: ChannelPump;
  private myBell!: Doorbell;
  /** Server: clients of this thread connected now (their requests come from our own event loop). */
  private localClients = 0;
  /** Client: the server, when it runs on this thread. */
  private serverOnThisThread: RegisteredChannel | undefined;
  private readonly peers = new Map<ChannelSlot, ChannelPeer>();
  private client: ChannelSlot | undefined;
  private readonly incoming: IncomingHandlers;
  private readonly stopper = new AbortController();
  private brokenBy: Error | undefined;
  private readonly opts: Required<ChannelOptions>;
  private readonly internals: ChannelInternals;
  private readonly link: ChannelLink;
  private readonly registered: RegisteredChannel;
  private readonly sender: SendContext;
  /** Its file in /dev/shm: "mb.<name>" (src/segments/segmentName.ts). */
  private readonly segmentName: string;

  /**
   * @param name name of the channel (its segment is "mb.<name>" in /dev/shm)
   * @throws {IpcError} INVALID_NAME unless `name` is 1-180 characters of [A-Za-z0-9._-], not starting with "." or "-"
   * @param role `'server'` creates it, `'client'` connects to it
   * @throws {TypeError} for a role other than 'server' or 'client'
   */
  constructor(name: string, role: ChannelRole, options?: ChannelOptions);
  /** @internal Shared functions pass their segment kind and hooks. */
  constructor(name: string, role: ChannelRole, options: ChannelOptions, internals: ChannelInternals);
  constructor(
    readonly name: string,
    readonly role: ChannelRole,
    options: ChannelOptions = {},
    internals: ChannelInternals = PLAIN,
  ) {
    if (role !== 'server' && role !== 'client') throw new TypeError(`Cannot make a channel with role "${String(role)}": it must be "server" or "client"`);
    this.opts = { ...CHANNEL_DEFAULTS, ...options };
    this.internals = internals;
    this.segmentName = objectSegmentName(name, 'channel');
    this.link = {
      request: (conn, value, opts) => this.requestOn(conn, value, opts),
      notify: (conn, value, opts) => this.notifyOn(conn, value, opts),
      reply: (conn, type, id, payload) => this.reply(conn, type, id, payload),
      send: (conn, msg) => this.send(conn, msg),
    };
    this.incoming = new IncomingHandlers(this.link, (conn) => this.peerOf(conn), () => this.target(), name);
    this.sender = {
      name,
      timeoutMs: this.opts.timeoutMs,
      describe: () => this.target(),
      ensureRunning: () => this.pump.ensureRunning(),
    };
    const self = this;
    this.registered = {
      get generation() {
        return self.generation;
      },
      get isOpen() {
        return self.isOpen;
      },
      leaveOnExit: () => this.leaveOnExit(),
      reap: () => this.table.reap(),
      clientOnThisThread: (delta) => {
        this.localClients += delta;
        this.myBell?.setRingerOnThisThread(this.localClients > 0);
      },
    };
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
    return this.state === 'open' && this.seg !== undefined && runtime().core.segState(this.seg.segment.ptr) === SEGMENT_STATE_READY;
  }

  /** Server: the connected clients. */
  get clients(): ChannelPeer[] {
    if (this.table === undefined) return [];
    return this.table.conns.filter((c): c is ChannelSlot => c !== undefined).map((c) => this.peerOf(c)!);
  }

  private target(): string {
    return this.internals.target(this.name);
  }

  /**
   * Creates (server) or connects to (client) the channel.
   * @throws {IpcError} server: ALREADY_EXISTS when a live server has the name; client: NOT_FOUND,
   * PEER_GONE (the server died), FULL (no free slot), VERSION_MISMATCH, WRONG_KIND, CORRUPT
   */
  open(): this {
    if (this.state !== 'new') throw new IpcError('CLOSED', `Cannot open ${this.target()}: it was opened before`, { name: this.name });
    this.core = ringCore();
    if (this.role === 'server') this.openServer();
    else this.openClient();
    this.state = 'open';
    registerChannel(this.registered, this.role === 'server' ? this.name : undefined);
    if (this.role === 'server') this.pump.ensureRunning();
    return this;
  }

  private openServer(): void {
    const { maxClients, ringSize } = this.opts;
    if (!Number.isInteger(maxClients) || maxClients < 1 || maxClients > 4096) throw new RangeError(`Cannot create ${this.target()} for ${maxClients} clients: it must be an integer from 1 to 4096`);
    if (!Number.isInteger(ringSize) || ringSize < 256 || ringSize > 0x4000_0000 || (ringSize & (ringSize - 1)) !== 0) {
      throw new RangeError(`Cannot create ${this.target()} with rings of ${ringSize} bytes: it must be a power of two from 256 to 2^30`);
    }
    const core = this.core;
    const payloadSize = core.chanPayloadSize(maxClients, ringSize);
    const create = (generation: number): Segment =>
      Segment.create(this.segmentName, {
        kind: this.internals.kind,
        version: CHANNEL_VERSION,
        payloadSize,
        generation,
        populate: false,
        init: (_s, ptr) => {
          if (core.chanInit(ptr, maxClients, ringSize) < 0) throw new RangeError(`Cannot create ${this.target()}: bad ring size ${ringSize}`);
        },
      });
    try {
      this.seg = create(1);
    } catch (err) {
      if (!(err instanceof IpcError && err.code === 'ALREADY_EXISTS')) throw err;
      // The previous server died or closed: take the name over with the next generation, unless
      // another process claimed the stale segment first (it is taking over right now).
      const stale = takeOverStaleName(this.segmentName);
      if (stale === undefined) throw new IpcError('ALREADY_EXISTS', `Cannot serve ${this.target()}: a live process serves it already (or is taking it over)`, { name: this.name });
      this.seg = create(stale + 1);
    }
    this.attach(maxClients, ringSize);
    this.myBell = this.table.serverBell();
    this.startPump();
  }

  private openClient(): void {
    let seg: Segment;
    try {
      seg = Segment.open(this.segmentName, { kind: this.internals.kind, version: CHANNEL_VERSION, timeoutMs: this.opts.openTimeoutMs, allowOtherUsers: this.opts.allowOtherUsers });
    } catch (err) {
      if (err instanceof IpcError && err.code === 'NOT_FOUND') throw new IpcError('NOT_FOUND', `Cannot open ${this.target()}: no process serves it`, { name: this.name, cause: err });
      if (err instanceof IpcError && err.code === 'CLOSED') throw new IpcError('PEER_GONE', `Cannot open ${this.target()}: its server closed it`, { name: this.name, cause: err });
      throw err;
    }
    this.seg = seg;
    try {
      // Geometry read once, checked, and kept (docs/layout.md, "What a process trusts").
      const slotCount = this.core.chanSlotCount(seg.payloadPtr);
      const ringSize = this.core.chanRingCapacity(seg.payloadPtr);
      if (this.core.chanValidate(seg.payloadPtr, seg.info.payloadSize, slotCount, ringSize) !== 0) {
        throw new IpcError('CORRUPT', `Cannot open ${this.target()}: its slot table does not match the segment size`, { name: this.name });
      }
      if (!isProcessAlive(seg.info.creatorPid, seg.info.creatorStamp)) throw this.goneError('open');
      this.attach(slotCount, ringSize);
      this.claimSlot();
      this.startPump();
    } catch (err) {
      seg.unmap();
      this.seg = undefined;
      throw err;
    }
  }

  private attach(slotCount: number, ringSize: number): void {
    this.table = new ChannelSlotTable(
      slotCount,
      ringSize,
      this.core,
      this.seg!.payloadPtr,
      this.role,
      (conn) => (type, id, ptr, length, bytes) => this.incoming.deliver(conn, type, id, ptr, length, bytes),
      (conn) => this.peers.delete(conn),
      () => {
        this.internals.onStopRequested?.();
        return this.state === 'open';
      },
      () => this.target(),
      this.name,
    );
  }

  private startPump(): void {
    const pumped: PumpedChannel = {
      role: this.role,
      wantsLoop: () => this.wantsLoop(),
      pollOnce: () => this.pollOnce(),
      reap: () => this.table.reap(),
      checkPeer: () => this.checkPeer(),
      fail: (err) => {
        if (this.state === 'open') this.breakWith(pumpError(err, this.target(), this.name));
      },
      describeRequest: () => `Cannot finish the request on ${this.target()}`,
    };
    this.pump = new ChannelPump(pumped, this.myBell, this.table.conns, this.opts.livenessMs, this.stopper.signal);
  }

  private ensureRunning(): void {
    this.pump.ensureRunning();
  }

  private claimSlot(): void {
    const { pid, stamp } = selfIdentity();
    const deadline = performance.now() + this.opts.openTimeoutMs;
    // Every slot taken: ask the server to look for owners that died, and retry for a while.
    const reclaim = (): boolean => {
      const local = localServer(this.name, this.generation);
      local?.reap();
      return local !== undefined;
    };
    for (;;) {
      const conn = this.table.tryClaim(pid, stamp, reclaim);
      if (conn) {
        this.client = conn;
        this.myBell = conn.myBell;
        // Our server runs on this thread: its replies come from our own event loop, and ours
        // reach it the same way, so neither side may hold the thread waiting (Doorbell.ts).
        this.serverOnThisThread = localServer(this.name, this.generation);
        this.serverOnThisThread?.clientOnThisThread(1);
        this.myBell.setRingerOnThisThread(this.serverOnThisThread !== undefined);
        return;
      }
      if (performance.now() >= deadline) {
        throw new IpcError('FULL', `Cannot open ${this.target()}: all ${this.table.slotCount} client slots are taken`, { name: this.name });
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
    this.incoming.requestCallback = callback;
    if (callback && this.state === 'open') this.ensureRunning();
  }

  /** Sets the function that receives notifications. Without one (and no iterator), they are dropped. */
  setNotificationCallback(callback: NotificationCallback | undefined): void {
    this.incoming.notificationCallback = callback;
    if (callback && this.state === 'open') this.ensureRunning();
  }

  /**
   * Incoming requests as an async iterator (each already deferred: reply with `respond()`).
   * While it is in use, it takes the place of the request callback.
   */
  requests(): AsyncIterableIterator<IncomingRequest> {
    const incoming = this.incoming;
    incoming.requestQueue?.end();
    const q = new AsyncQueue<IncomingRequest>(() => {
      if (incoming.requestQueue === q) incoming.requestQueue = undefined;
    });
    incoming.requestQueue = q;
    if (this.state === 'open') this.ensureRunning();
    return q;
  }

  /** Incoming notifications as an async iterator; takes the place of the notification callback while in use. */
  notifications(): AsyncIterableIterator<IncomingNotification> {
    const incoming = this.incoming;
    incoming.notificationQueue?.end();
    const q = new AsyncQueue<IncomingNotification>(() => {
      if (incoming.notificationQueue === q) incoming.notificationQueue = undefined;
    });
    incoming.notificationQueue = q;
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
      return this.requestOn(this.defaultSlot(), value, options);
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
        return Promise.all(this.table.conns.filter((c): c is ChannelSlot => c !== undefined).map((c) => this.notifyOn(c, value, options))).then(() => undefined);
      }
      return this.notifyOn(this.defaultSlot(), value, options);
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
        conn.expire(now, () => `Cannot finish the request on ${this.target()}`);
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
    unregisterChannel(this.registered, this.role === 'server' ? this.name : undefined);
    this.leaveLocalServer();
    this.stopper.abort();
    const err = (): Error => this.closedError('finish the request');
    for (const c of this.table.conns) c?.failAll(err);
    this.incoming.end();
    const seg = this.seg;
    if (!seg) return;
    if (this.role === 'server' && !wasBroken) {
      // Remove the name first, so nobody new opens a channel that is about to close.
      try {
        unlinkSegment(this.segmentName);
      } catch {
        /* already removed (removeFunction) */
      }
      seg.markClosed();
      this.table.ringAll();
    } else if (this.client && !wasBroken) {
      this.table.leave(this.client.index);
    }
    this.table.clear();
    this.seg = undefined;
    seg.unmap();
  }

  // ---- what ChannelPeer, IncomingRequest, the registry and the pump reach through their links ----

  /** A client that exits normally hands its slot back at once instead of waiting to be found dead. */
  private leaveOnExit(): void {
    if (this.state !== 'open' || !this.seg) return;
    if (this.client) {
      this.table.leave(this.client.index);
    } else if (this.role === 'server') {
      this.close();
    }
  }

  private requestOn(conn: ChannelSlot, value: unknown, options: SendOptions): Promise<unknown> {
    this.ensureUsable('send a request');
    return sendRequest(conn, value, options, this.sender);
  }

  private notifyOn(conn: ChannelSlot, value: unknown, options: SendOptions): Promise<void> {
    this.ensureUsable('send a notification');
    return sendNotification(conn, value, options, this.sender);
  }

  /** Sends a reply without ever blocking: a full ring queues it. */
  private reply(conn: ChannelSlot, type: number, id: number, payload: Uint8Array): void {
    this.send(conn, new Outgoing(type, id, payload));
  }

  /** Sends a message without ever blocking: a full ring queues it. */
  private send(conn: ChannelSlot, msg: Outgoing): void {
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
      if (this.role === 'server') this.table.quarantine(conn);
      else this.breakWith(err);
      return;
    }
    if (conn.queue.length > 0) this.ensureRunning();
  }

  private defaultSlot(): ChannelSlot {
    this.ensureUsable('send');
    if (this.client) return this.client;
    const live = this.table.conns.filter((c): c is ChannelSlot => c !== undefined);
    if (live.length !== 1) {
      throw new IpcError(live.length === 0 ? 'NOT_FOUND' : 'FULL', `Cannot send on ${this.target()} as its server: ${live.length} clients are connected; pick one from "clients"`, { name: this.name });
    }
    return live[0]!;
  }

  private ensureUsable(action: string): void {
    if (this.state === 'open') return;
    if (this.state === 'broken') throw this.brokenBy!;
    throw this.closedError(action);
  }

  private closedError(action: string): IpcError {
    return new IpcError('CLOSED', `Cannot ${action} on ${this.target()}: it is ${this.state === 'new' ? 'not open yet' : 'closed'}`, { name: this.name });
  }

  private fullError(): IpcError {
    return fullError(this.sender);
  }

  private goneError(action: string): IpcError {
    return new IpcError('PEER_GONE', `Cannot ${action} ${this.target()}: the server is gone (generation ${this.generation} ended)`, { name: this.name });
  }

  private peerOf(conn: ChannelSlot): ChannelPeer | undefined {
    if (this.role !== 'server') return undefined;
    let p = this.peers.get(conn);
    if (!p) {
      p = new ChannelPeer(this.link, conn, Number(conn.owner & 0xffff_ffffn));
      this.peers.set(conn, p);
    }
    return p;
  }

  /** One pass over the connections: deliver inbound records, push queued outbound ones. */
  private pollOnce(): boolean {
    if (this.role === 'client') {
      const conn = this.client!;
      if (runtime().core.segState(this.seg!.segment.ptr) !== SEGMENT_STATE_READY) {
        // Replies the server wrote before it closed are still delivered, then the rest fails.
        conn.inbound.read(conn.sink!);
        this.breakWith(this.goneError('use'));
        return true;
      }
      const [n, wants] = conn.inbound.read(conn.sink!);
      if (wants) conn.peerBell.ring();
      if (conn.queue.length > 0) conn.flush();
      return n > 0;
    }
    return this.table.poll();
  }

  /** Client: fails everything when the server is gone. Server: reaps clients, checks its segment. */
  private checkPeer(): void {
    if (this.state !== 'open') return;
    if (this.role === 'server') {
      // Only this server closes its segment; any other state means another process closed or
      // overwrote it, and serving on would answer nobody.
      if (runtime().core.segState(this.seg!.segment.ptr) !== SEGMENT_STATE_READY) {
        this.breakWith(new IpcError('CORRUPT', `${this.target()} stopped: another process closed or overwrote its segment`, { name: this.name }));
        return;
      }
      this.table.reap();
      return;
    }
    const info = this.seg!.info;
    if (runtime().core.segState(this.seg!.segment.ptr) !== SEGMENT_STATE_READY || !isProcessAlive(info.creatorPid, info.creatorStamp)) this.breakWith(this.goneError('use'));
  }

  private leaveLocalServer(): void {
    this.serverOnThisThread?.clientOnThisThread(-1);
    this.serverOnThisThread = undefined;
  }

  private breakWith(err: IpcError): void {
    if (this.state !== 'open') return;
    this.state = 'broken';
    this.brokenBy = err;
    unregisterChannel(this.registered, undefined);
    this.leaveLocalServer();
    this.stopper.abort();
    for (const c of this.table.conns) c?.failAll(() => new IpcError('PEER_GONE', err.message, { name: this.name }));
    this.incoming.end();
    // The mapping stays until close(): the slot is the dead server's business now.
    this.internals.onBroken?.(err);
  }

  private wantsLoop(): boolean {
    if (this.state !== 'open') return false;
    if (this.role === 'server') return true;
    const conn = this.client!;
    return conn.busy || this.incoming.listening;
  }

}
