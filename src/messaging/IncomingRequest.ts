import type { ChannelLink } from './ChannelLink.ts';
import type { ChannelPeer } from './ChannelPeer.ts';
import { encodeError, outgoing, type ChannelSlot } from './ChannelSlot.ts';
import { RecordType, type Outgoing } from './Ring.ts';

/** A request received by a handler; reply with `respond()` or `fail()`, now or later. */
export class IncomingRequest {
  private settled = false;
  private deferred = false;

  /** @internal */
  constructor(
    private readonly link: ChannelLink,
    private readonly conn: ChannelSlot,
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

  /** @internal Whether defer() was called. */
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
      this.link.reply(this.conn, RecordType.ERROR, this.id, encodeError(err));
      return;
    }
    this.link.send(this.conn, msg);
  }

  /** @internal Sends a reply encoded already (HostFunctionDispatcher checks its size first). */
  respondEncoded(bytes: Uint8Array): void {
    if (this.settled) return;
    this.settled = true;
    this.link.reply(this.conn, RecordType.REPLY, this.id, bytes);
  }

  /** Sends an error reply; the requester's promise rejects with a {@link RemoteError}. */
  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.link.reply(this.conn, RecordType.ERROR, this.id, encodeError(error));
  }
}
