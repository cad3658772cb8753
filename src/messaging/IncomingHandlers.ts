// What a channel does with a record that arrived: a reply settles the pending request; a
// notification goes to the iterator or the callback; a request goes to the iterator (deferred) or
// to the callback, whose return value (awaited when a promise) or throw becomes the reply.
import { IpcError } from '../errors/IpcError.ts';
import type { AsyncQueue } from './AsyncQueue.ts';
import type { ChannelLink } from './ChannelLink.ts';
import type { IncomingNotification } from './ChannelOptions.ts';
import type { ChannelPeer } from './ChannelPeer.ts';
import { encodeError, messageValue, type ChannelSlot } from './ChannelSlot.ts';
import { IncomingRequest } from './IncomingRequest.ts';
import { RecordType } from './Ring.ts';

export type RequestCallback = (value: unknown, request: IncomingRequest) => unknown;
export type NotificationCallback = (value: unknown, peer: ChannelPeer | undefined) => void;

/** The receiving side of a channel end: its handlers and iterators. */
export class IncomingHandlers {
  requestCallback: RequestCallback | undefined;
  notificationCallback: NotificationCallback | undefined;
  requestQueue: AsyncQueue<IncomingRequest> | undefined;
  notificationQueue: AsyncQueue<IncomingNotification> | undefined;

  constructor(
    private readonly link: ChannelLink,
    private readonly peerOf: (conn: ChannelSlot) => ChannelPeer | undefined,
    private readonly describe: () => string,
    private readonly name: string,
  ) {}

  /** Whether anything listens for incoming messages. */
  get listening(): boolean {
    return this.requestCallback !== undefined || this.notificationCallback !== undefined || this.requestQueue !== undefined || this.notificationQueue !== undefined;
  }

  /** Ends the iterators (the channel closed or broke). */
  end(): void {
    this.requestQueue?.end();
    this.notificationQueue?.end();
  }

  /** Delivers one inbound record of `conn` (a MessageSink). */
  deliver(conn: ChannelSlot, kind: number, id: number, ptr: number, length: number, bytes: Uint8Array | undefined): void {
    const type = kind & 0xffff;
    if (type === RecordType.REPLY || type === RecordType.ERROR) {
      conn.settle(kind, id, ptr, length, bytes, this.describe());
      return;
    }
    let value: unknown;
    try {
      value = messageValue(kind, ptr, length, bytes);
    } catch (err) {
      if (type === RecordType.REQUEST) this.link.reply(conn, RecordType.ERROR, id, encodeError(err));
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
    const req = new IncomingRequest(this.link, conn, id, value, this.peerOf(conn), length);
    if (this.requestQueue) {
      req.defer();
      this.requestQueue.push(req);
      return;
    }
    const cb = this.requestCallback;
    if (!cb) {
      req.fail(new IpcError('NOT_FOUND', `${this.describe()} has no request handler`, { name: this.name }));
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
  }}
