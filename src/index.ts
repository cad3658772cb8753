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

// Frame buffer: bulk frames through a shared ring
export { FrameBufferServer } from './FrameBufferServer.ts';
export type { FrameBufferServerOptions } from './FrameBufferServer.ts';
export { FrameBufferClient } from './FrameBufferClient.ts';
export type { FrameBufferClientOptions, FrameBufferStats, FrameView, ReadOptions } from './FrameBufferClient.ts';
export { FrameBufferTimeout } from './FrameBufferTimeout.ts';
export type { FrameBufferTimeoutCode } from './FrameBufferTimeout.ts';
