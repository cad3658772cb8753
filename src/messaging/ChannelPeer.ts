import type { ChannelLink } from './ChannelLink.ts';
import type { SendOptions } from './ChannelOptions.ts';
import type { ChannelSlot } from './ChannelSlot.ts';

/** A client as its server sees it: the target of server-initiated requests and notifications. */
export class ChannelPeer {
  /** @internal */
  constructor(
    private readonly link: ChannelLink,
    private readonly conn: ChannelSlot,
    /** Process id of the client. */
    readonly pid: number,
  ) {}

  /**
   * Sends a request to this client and resolves with its reply.
   * @throws {IpcError} TIMED_OUT, ABORTED, FULL, PEER_GONE, CLOSED; {@link RemoteError} when its handler threw
   */
  request(value: unknown, options: SendOptions = {}): Promise<unknown> {
    return this.link.request(this.conn, value, options);
  }

  /**
   * Sends a notification to this client; resolves once it is in the ring.
   * @throws {IpcError} TIMED_OUT, ABORTED, FULL, PEER_GONE, CLOSED
   */
  notify(value: unknown, options: SendOptions = {}): Promise<void> {
    return this.link.notify(this.conn, value, options);
  }
}
