/**
 * Why an operation on shared memory failed. Each code names one condition a caller may want to
 * handle; the message says what was attempted, on which segment, and what was found instead.
 */
export type IpcErrorCode =
  /** A segment with that name exists already (exclusive create). */
  | 'ALREADY_EXISTS'
  /** No segment, function or channel with that name. */
  | 'NOT_FOUND'
  /** The operating system refused access (file mode, owner). */
  | 'PERMISSION_DENIED'
  /** The name cannot name a segment (characters, length). */
  | 'INVALID_NAME'
  /** The segment exists but its creator has not finished initialising it. */
  | 'NOT_READY'
  /** The segment was written by an incompatible layout version. */
  | 'VERSION_MISMATCH'
  /** The segment holds another kind of object. */
  | 'WRONG_KIND'
  /** The shared memory contradicts itself (sizes, offsets, magic). */
  | 'CORRUPT'
  /** A wait ran out of time. */
  | 'TIMED_OUT'
  /** An AbortSignal ended the operation. */
  | 'ABORTED'
  /** The process on the other side died or went away. */
  | 'PEER_GONE'
  /** The caller does not hold the lock it tried to release. */
  | 'NOT_OWNER'
  /** The object was closed or unmapped already. */
  | 'CLOSED'
  /** A bounded queue is full and the caller asked not to wait. */
  | 'FULL'
  /** A value is larger than the space declared for it. */
  | 'TOO_LARGE'
  /** The data was overwritten before it was read (a FrameBuffer ring lapped the frame). */
  | 'OVERWRITTEN'
  /** The machine is out of shared memory, address space or file descriptors. */
  | 'NO_SPACE'
  /** The WebAssembly memory moved after growing, which would cut it off from its mappings. */
  | 'MEMORY_MOVED'
  /** The native addon could not be loaded on this host. */
  | 'NATIVE_UNAVAILABLE'
  /** The function or handler on the other side threw; see {@link RemoteError} for its name, message and stack. */
  | 'REMOTE_ERROR'
  /**
   * membridge/nats: the connection to the NATS server is lost. The client reconnects by itself;
   * calls and requests pending at the moment of the loss, and those made before it is back, fail
   * with this code (their replies may be lost), and may be retried once it is back.
   */
  | 'DISCONNECTED'
  /** Any other operating-system failure; `errno` says which. */
  | 'SYSTEM';

/** Details attached to an {@link IpcError}. */
export interface IpcErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** The Linux errno value behind the failure, if it came from a system call. */
  errno?: number;
  /** The segment or object name involved. */
  name?: string;
}

/**
 * The one error class for failures of shared-memory operations. Inspect `code`, not the message.
 *
 * @example Telling "missing" apart from other failures
 * ```ts
 * import { IpcError } from 'membridge';
 * try { readMemory('nope'); } catch (err) {
 *   if (err instanceof IpcError && err.code === 'NOT_FOUND') console.log('no such value');
 * }
 * ```
 */
export class IpcError extends Error {
  /** What went wrong, as a closed set of codes. */
  readonly code: IpcErrorCode;
  /** The Linux errno value, when a system call failed. */
  readonly errno: number | undefined;
  /** The segment or object name involved, when there is one. */
  readonly segment: string | undefined;

  constructor(code: IpcErrorCode, message: string, options: IpcErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IpcError';
    this.code = code;
    this.errno = options.errno;
    this.segment = options.name;
  }
}
