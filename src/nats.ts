/**
 * `membridge/nats`: membridge's values, functions and channels across machines, on a NATS server
 * (docs/nats.md), and the gateway that makes local shared-memory names reachable there. Nothing
 * here is imported by `membridge` itself: the shared-memory path needs no NATS.
 *
 * This barrel lists every public name of the subpath; nothing else is public.
 * @module
 */

// Connecting
export { connect, NatsNet } from './nats/NatsNet.ts';
export type { ConnectOptions, NetCallOptions } from './nats/NatsNet.ts';
export type { NetFunctionOptions } from './nats/serveFunction.ts';

// Values
export { NetMemory } from './nats/NetMemory.ts';
export type { NetWaitOptions } from './nats/NetMemory.ts';

// Channels
export { NetChannel, NetChannelPeer, NetIncomingRequest } from './nats/NetChannel.ts';
export type { NetChannelOptions, NetIncomingNotification } from './nats/NetChannel.ts';

// Names on the wire
export { encodeName, decodeName } from './nats/natsNames.ts';

// Errors (the same classes as `membridge`)
export { IpcError } from './errors/IpcError.ts';
export type { IpcErrorCode } from './errors/IpcError.ts';
export { RemoteError } from './errors/RemoteError.ts';

// Gateway between local shared memory and NATS
export { Gateway, startGateway } from './nats/Gateway.ts';
export type { GatewayOptions } from './nats/Gateway.ts';
