/**
 * membridge: inter-process communication over POSIX shared memory for Node, Deno and Bun.
 *
 * This barrel lists every public name; nothing else is public.
 * @module
 */

// Errors
export { IpcError } from './errors/IpcError.ts';
export type { IpcErrorCode, IpcErrorOptions } from './errors/IpcError.ts';

// Runtime support
export { isNativeAvailable } from './platform/addon.ts';

// pybytes codec (also available alone as `membridge/pybytes`, which needs no addon)
export {
  encode, encodeInto, Encoder, decode, DecodeError, ENCODE_DEFAULTS, DECODE_DEFAULTS,
  Tuple, Deque, FrozenSet, ByteArray, MemoryView, OrderedDict, Counter, ChainMap, Float, Complex, Decimal,
  UUID, Range, NamedTuple, Path, PurePath, Ellipsis, DateTime, CalendarDate, Time, TimeDelta,
  toTypedJson, fromTypedJson,
} from './pybytes.ts';
export type { EncodeOptions, DecodeOptions, DecodeInput, DecodeErrorCode, TypedJson } from './pybytes.ts';

// Shared values: named memory (the Python membridge API) and shared variables
export { createMemory } from './values/createMemory.ts';
export { writeMemory } from './values/writeMemory.ts';
export { readMemory } from './values/readMemory.ts';
export { removeMemory } from './values/removeMemory.ts';
export type { MemoryOptions } from './values/memoryHandles.ts';
export type { ValueReadOptions } from './values/valueCodec.ts';
export { SharedMemory } from './values/SharedMemory.ts';
export type { SharedMemoryOptions } from './values/SharedMemory.ts';
export { HostVariable } from './values/HostVariable.ts';
export type { HostVariableOptions, VersionedValue } from './values/HostVariable.ts';
export type { AllowedUsers } from './segments/segmentOwner.ts';
export type { WaitForChangeOptions } from './values/waitForVersion.ts';
// Frame buffer: bulk frames through a shared ring
export { FrameBufferServer } from './framebuffer/FrameBufferServer.ts';
export type { FrameBufferServerOptions } from './framebuffer/FrameBufferServer.ts';
export { FrameBufferClient } from './framebuffer/FrameBufferClient.ts';
export type { FrameBufferClientOptions, FrameBufferStats, FrameView, ReadOptions } from './framebuffer/FrameBufferClient.ts';
export { FrameBufferTimeout } from './framebuffer/FrameBufferTimeout.ts';
export type { FrameBufferTimeoutCode } from './framebuffer/FrameBufferTimeout.ts';

// Messaging: channels, shared functions, dispatchers
export { Channel } from './messaging/Channel.ts';
export { ChannelPeer } from './messaging/ChannelPeer.ts';
export { IncomingRequest } from './messaging/IncomingRequest.ts';
export type { ChannelOptions, ChannelRole, SendOptions, IncomingNotification } from './messaging/ChannelOptions.ts';
export { RemoteError } from './errors/RemoteError.ts';
export { createFunction } from './messaging/createFunction.ts';
export type { CreateFunctionOptions } from './messaging/createFunction.ts';
export { callFunction } from './messaging/callFunction.ts';
export type { CallOptions } from './messaging/callFunction.ts';
export { callFunctionSync } from './messaging/callFunctionSync.ts';
export { removeFunction } from './messaging/removeFunction.ts';
export type { RemoveFunctionOptions, RemoveFunctionResult } from './messaging/removeFunction.ts';
export { HostFunctionDispatcher } from './messaging/HostFunctionDispatcher.ts';
export type { HostFunctionLimits } from './messaging/HostFunctionDispatcher.ts';
export { HostFunctionCaller, type HostFunctionCallerOptions } from './messaging/HostFunctionCaller.ts';
