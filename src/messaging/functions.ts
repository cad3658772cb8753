// Shared state of the shared-function API: the functions this process serves (so that a
// removeFunction in the same process stops them directly instead of waiting on its own event
// loop) and one cached client connection per function name.
import { Channel } from './Channel.ts';
import type { ChannelOptions } from './ChannelOptions.ts';
import { IpcError } from '../errors/IpcError.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';
import type { AllowedUsers } from '../segments/segmentOwner.ts';

/** What the function server's channel looks like. */
export const functionInternals = { kind: SegmentKind.FUNCTION, target: (n: string) => `function "${n}"` };

export interface LocalFunction {
  channel: Channel;
  stop(removed: boolean): void;
}

/** Functions served by this process, by name. */
export const served = new Map<string, LocalFunction>();

// Cached by name and by which other users' segments the caller accepts: a connection opened with
// { allowOtherUsers: true } must not answer a later call that did not opt in.
const clients = new Map<string, Channel>();

const clientKey = (name: string, allow: AllowedUsers | undefined): string =>
  `${allow === true ? '*' : Array.isArray(allow) ? [...allow].sort((a, b) => a - b).join(',') : ''}/${name}`;

/** A connected client for `name`, reusing a live one; a broken one (server gone) is replaced. */
export function clientFor(name: string, options: ChannelOptions = {}): Channel {
  const key = clientKey(name, options.allowOtherUsers);
  const cached = clients.get(key);
  if (cached?.serverOpen) return cached;
  if (cached) {
    cached.close();
    clients.delete(key);
  }
  const c = new Channel(name, 'client', options, functionInternals);
  c.open();
  clients.set(key, c);
  return c;
}

/** Drops the cached client for `name` (after PEER_GONE: the next call reconnects). */
export function forgetClient(name: string, allow?: AllowedUsers): void {
  const key = clientKey(name, allow);
  const c = clients.get(key);
  if (c) {
    c.close();
    clients.delete(key);
  }
}

export function checkArgs(name: string, args: unknown): void {
  if (typeof name !== 'string') throw new TypeError(`Cannot call a function: "name" must be a string, not ${typeof name}`);
  if (!Array.isArray(args)) throw new TypeError(`Cannot call function "${name}": "args" must be an array`);
}

export function isPeerGone(err: unknown): boolean {
  return err instanceof IpcError && (err.code === 'PEER_GONE' || err.code === 'CLOSED');
}
