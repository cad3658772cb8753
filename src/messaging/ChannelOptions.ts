// The options and small public types of a channel.
import type { AllowedUsers } from '../segments/segmentOwner.ts';
import type { ChannelPeer } from './ChannelPeer.ts';

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

export const CHANNEL_DEFAULTS: Required<ChannelOptions> = { maxClients: 16, ringSize: 65536, openTimeoutMs: 1000, timeoutMs: 30_000, livenessMs: 100, allowOtherUsers: false };

/** Options of one request or notification. */
export interface SendOptions {
  /** Overrides the channel's `timeoutMs` for this message. */
  timeoutMs?: number;
  /** Aborting rejects the request with `ABORTED` (a late reply is then dropped). */
  signal?: AbortSignal;
  /** When the ring is full: wait for space (true, the default) or reject at once with `FULL`. */
  wait?: boolean;
}

/** A notification as the async iterator yields it. */
export interface IncomingNotification {
  readonly value: unknown;
  readonly peer: ChannelPeer | undefined;
}

/**
 * What a shared function's channel differs in from a plain one: its segment kind, how errors name
 * it, and the hooks its server needs (not public: createFunction and HostFunctionDispatcher pass it).
 */
export interface ChannelInternals {
  kind: number;
  target: (name: string) => string;
  /** Called when the server stops because another process asked it to (removeFunction). */
  onStopRequested?: () => void;
  /** Called once when the channel breaks (a dead peer for a client, a failure for a server). */
  onBroken?: (error: Error) => void;
}
