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

// pybytes codec (also available alone as `membridge/pybytes`, which needs no addon)
export {
  encode, decode, DecodeError, ENCODE_DEFAULTS, DECODE_DEFAULTS,
  Tuple, Deque, FrozenSet, ByteArray, MemoryView, OrderedDict, Counter, ChainMap, Float, Complex, Decimal,
  UUID, Range, NamedTuple, Path, PurePath, Ellipsis, DateTime, CalendarDate, Time, TimeDelta,
  toTypedJson, fromTypedJson,
} from './pybytes.ts';
export type { EncodeOptions, DecodeOptions, DecodeInput, DecodeErrorCode, TypedJson } from './pybytes.ts';

// Shared values: named memory (the Python membridge API) and shared variables
export { createMemory } from './createMemory.ts';
export { writeMemory } from './writeMemory.ts';
export { readMemory } from './readMemory.ts';
export { removeMemory } from './removeMemory.ts';
export type { MemoryOptions } from './internal/memoryHandles.ts';
export { SharedMemory } from './SharedMemory.ts';
export type { SharedMemoryOptions } from './SharedMemory.ts';
export { HostVariable } from './HostVariable.ts';
export type { HostVariableOptions, VersionedValue } from './HostVariable.ts';
export type { WaitForChangeOptions } from './internal/waitForVersion.ts';
// Frame buffer: bulk frames through a shared ring
export { FrameBufferServer } from './FrameBufferServer.ts';
export type { FrameBufferServerOptions } from './FrameBufferServer.ts';
export { FrameBufferClient } from './FrameBufferClient.ts';
export type { FrameBufferClientOptions, FrameBufferStats, FrameView, ReadOptions } from './FrameBufferClient.ts';
export { FrameBufferTimeout } from './FrameBufferTimeout.ts';
export type { FrameBufferTimeoutCode } from './FrameBufferTimeout.ts';

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
