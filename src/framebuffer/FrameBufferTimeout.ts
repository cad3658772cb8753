import { IpcError } from '../errors/IpcError.ts';

/** Why a frame could not be delivered. */
export type FrameBufferTimeoutCode = 'OVERWRITTEN' | 'TIMED_OUT';

/**
 * A frame of a {@link FrameBufferClient} is not available: the ring lapped it (`code`
 * `'OVERWRITTEN'`: its bytes are gone for good, send them again), or it was still being written
 * when the read's wait ran out (`code` `'TIMED_OUT'`: it may still arrive). The name is the one the
 * original Python framebuffer used for "already reused"; it extends {@link IpcError}, so code that
 * handles every shared-memory failure in one place catches it too.
 *
 * @example Re-requesting a frame that was lapped
 * ```ts
 * import { FrameBufferTimeout } from 'membridge';
 * try {
 *   data = client.read(offset, size, checksum);
 * } catch (err) {
 *   if (err instanceof FrameBufferTimeout && err.code === 'OVERWRITTEN') askForItAgain();
 *   else throw err;
 * }
 * ```
 */
export class FrameBufferTimeout extends IpcError {
  declare readonly code: FrameBufferTimeoutCode;
  /** The frame's offset, as returned by `allocate()`. */
  readonly offset: number;

  constructor(code: FrameBufferTimeoutCode, message: string, offset: number, segment?: string) {
    super(code, message, segment === undefined ? {} : { name: segment });
    this.name = 'FrameBufferTimeout';
    this.offset = offset;
  }
}
