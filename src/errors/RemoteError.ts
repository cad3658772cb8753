import { IpcError } from './IpcError.ts';

/**
 * An exception thrown by a shared function or a channel request handler in another process,
 * delivered to the caller. `remoteName`, `remoteMessage` and `remoteStack` are the original
 * error's; `code` is always `'REMOTE_ERROR'`.
 *
 * @example Reading what the other process threw
 * ```ts
 * import { callFunction, RemoteError } from 'membridge';
 * try { await callFunction('parse', ['{']); } catch (err) {
 *   if (err instanceof RemoteError) console.log(err.remoteName, err.remoteMessage);
 * }
 * ```
 */
export class RemoteError extends IpcError {
  /** The remote error's `name` (e.g. "TypeError"). */
  readonly remoteName: string;
  /** The remote error's message. */
  readonly remoteMessage: string;
  /** The remote error's stack as text, "" when it had none. */
  readonly remoteStack: string;

  constructor(remoteName: string, remoteMessage: string, remoteStack: string, target: string) {
    super('REMOTE_ERROR', `${target} failed in the other process: ${remoteName}: ${remoteMessage}`, { name: target });
    this.name = 'RemoteError';
    this.remoteName = remoteName;
    this.remoteMessage = remoteMessage;
    this.remoteStack = remoteStack;
  }
}
