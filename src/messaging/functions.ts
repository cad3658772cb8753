// Shared state of the shared-function API: the functions this process serves (so that a
// removeFunction in the same process stops them directly instead of waiting on its own event
// loop) and one cached client connection per function name.
import { Channel } from './Channel.ts';
import type { ChannelOptions } from './ChannelOptions.ts';
import { IpcError } from '../errors/IpcError.ts';
import { SegmentKind } from '../segments/SegmentKind.ts';

/** What the function server's channel looks like. */
export const functionInternals = { kind: SegmentKind.FUNCTION, target: (n: string) => `function "${n}"` };

export interface LocalFunction {
  channel: Channel;
  stop(removed: boolean): void;
}

/** Functions served by this process, by name. */
export const served = new Map<string, LocalFunction>();

const clients = new Map<string, Channel>();

/** A connected client for `name`, reusing a live one; a broken one (server gone) is replaced. */
export function clientFor(name: string, options: ChannelOptions = {}): Channel {
  const cached = clients.get(name);
  if (cached?.serverOpen) return cached;
  if (cached) {
    cached.close();
    clients.delete(name);
  }
  const c = new Channel(name, 'client', options, functionInternals);
  c.open();
  clients.set(name, c);
  return c;
}

/** Drops the cached client for `name` (after PEER_GONE: the next call reconnects). */
export function forgetClient(name: string): void {
  const c = clients.get(name);
  if (c) {
    c.close();
    clients.delete(name);
  }
}

export function checkArgs(name: string, args: unknown): void {
  if (typeof name !== 'string') throw new TypeError(`Cannot call a function: "name" must be a string, not ${typeof name}`);
  if (!Array.isArray(args)) throw new TypeError(`Cannot call function "${name}": "args" must be an array`);
}

export function isPeerGone(err: unknown): boolean {
  return err instanceof IpcError && (err.code === 'PEER_GONE' || err.code === 'CLOSED');
}
