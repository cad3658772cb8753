// What ChannelPeer and IncomingRequest need from the channel they belong to. The channel hands
// them this object instead of exposing its sending internals as public methods.
import type { ChannelSlot } from './ChannelSlot.ts';
import type { SendOptions } from './ChannelOptions.ts';
import type { Outgoing } from './Ring.ts';

export interface ChannelLink {
  /** Sends a request on `conn` and resolves with the reply. */
  request(conn: ChannelSlot, value: unknown, options: SendOptions): Promise<unknown>;
  /** Sends a notification on `conn`; resolves once it is in the ring. */
  notify(conn: ChannelSlot, value: unknown, options: SendOptions): Promise<void>;
  /** Sends an encoded reply without ever blocking: a full ring queues it. */
  reply(conn: ChannelSlot, type: number, id: number, payload: Uint8Array): void;
  /** Sends a message without ever blocking: a full ring queues it. */
  send(conn: ChannelSlot, msg: Outgoing): void;
}
