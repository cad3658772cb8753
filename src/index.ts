/**
 * membridge: inter-process communication over POSIX shared memory for Node, Deno and Bun.
 *
 * This barrel lists every public name; nothing else is public.
 * @module
 */

// Errors
export { IpcError } from './IpcError.ts';
export type { IpcErrorCode, IpcErrorOptions } from './IpcError.ts';

// Runtime support
export { isNativeAvailable } from './internal/addon.ts';

// Messaging: channels, shared functions, dispatchers
export { Channel, ChannelPeer, IncomingRequest } from './Channel.ts';
export type { ChannelOptions, ChannelRole, SendOptions, IncomingNotification } from './Channel.ts';
export { RemoteError } from './RemoteError.ts';
export { createFunction } from './createFunction.ts';
export type { CreateFunctionOptions } from './createFunction.ts';
export { callFunction } from './callFunction.ts';
export type { CallOptions } from './callFunction.ts';
export { callFunctionSync } from './callFunctionSync.ts';
export { removeFunction } from './removeFunction.ts';
export type { RemoveFunctionResult } from './removeFunction.ts';
export { HostFunctionDispatcher } from './HostFunctionDispatcher.ts';
export type { HostFunctionLimits } from './HostFunctionDispatcher.ts';
export { HostFunctionCaller } from './HostFunctionCaller.ts';
