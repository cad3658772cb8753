// Process-wide bookkeeping of channels: the open ones (so a normal exit can hand client slots
// back at once instead of waiting to be found dead) and this process's servers by name (a client
// of this process cannot wait, synchronously, for its own event loop to reclaim a slot, so it asks
// the local server directly).
import process from 'node:process';
import { closeIdleWaiters } from '../platform/futex.ts';

/** What the registry needs of an open channel. */
export interface RegisteredChannel {
  readonly generation: number;
  readonly isOpen: boolean;
  /** Hands a client's slot back (or closes a server) as the process exits. */
  leaveOnExit(): void;
  /** Server: frees the slots of clients that left or died. */
  reap(): void;
  /** Server: a client on this thread connected (+1) or left (-1). */
  clientOnThisThread(delta: 1 | -1): void;
}

const openChannels = new Set<RegisteredChannel>();
const localServers = new Map<string, RegisteredChannel>();
let exitHookInstalled = false;

/** Records an open channel (and a server under its name). */
export function registerChannel(channel: RegisteredChannel, serverName: string | undefined): void {
  openChannels.add(channel);
  if (serverName !== undefined) localServers.set(serverName, channel);
  installExitHook();
}

/** Forgets a channel that closed or broke. */
export function unregisterChannel(channel: RegisteredChannel, serverName: string | undefined): void {
  openChannels.delete(channel);
  if (serverName !== undefined && localServers.get(serverName) === channel) localServers.delete(serverName);
}

/** This thread's open server of `name` in incarnation `generation` (the one a client opened), if any. */
export function localServer(name: string, generation: number): RegisteredChannel | undefined {
  const local = localServers.get(name);
  return local?.isOpen && local.generation === generation ? local : undefined;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of openChannels) c.leaveOnExit();
    // Works around the addon aborting at exit when two or more Waiter objects are still alive
    // (seen on Node 20: SIGABRT after the last line of output); idle ones are ours to close.
    closeIdleWaiters();
  });
}
