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
