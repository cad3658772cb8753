import { callSysframeFunction } from './sysframeFunction.ts';
import type { AllowedUsers } from '../segments/segmentOwner.ts';
import { checkArgs, clientFor, forgetClient, isPeerGone } from './functions.ts';

/** Options of {@link callFunction} and {@link callFunctionSync}. */
export interface CallOptions {
  /** How long to wait for the result. Defaults to 30000 ms; `Infinity` waits as long as the owner lives. */
  timeoutMs?: number;
  /** Aborting rejects the call with `ABORTED` (async form only). */
  signal?: AbortSignal;
  /**
   * "membridge" (default), or "sysframe": call a shared function of Python's sysframe.membridge
   * (`create_function`), or one made with `createFunction(…, { layout: 'sysframe' })`; Linux/glibc/x86-64
   * only, arguments and result at most 1024 bytes each (docs/python.md).
   */
  layout?: 'membridge' | 'sysframe';
  /** layout "sysframe": decode the result losslessly. Default false. */
  lossless?: boolean;
  /**
   * Which other users' function segments to accept: false (default) refuses a function served by
   * another user with `PERMISSION_DENIED` (another local user can serve under a name you use and
   * see your arguments and choose your results); true accepts any user; a list accepts those user ids.
   */
  allowOtherUsers?: AllowedUsers;
}

/**
 * Calls the function another process serves under `name` with `args` and resolves with its
 * result. Arguments and results may be of any size.
 *
 * @throws {IpcError} NOT_FOUND (nobody serves `name`), PERMISSION_DENIED (another user serves it
 * and `allowOtherUsers` does not accept that user), PEER_GONE (the owner died or stopped),
 * TIMED_OUT, ABORTED; {@link RemoteError} when the function threw
 * @throws {TypeError} when `args` is not an array or cannot be encoded
 * @example
 * ```ts
 * import { callFunction } from 'membridge';
 * console.log(await callFunction('add', [1, 2])); // 3
 * ```
 */
export async function callFunction(name: string, args: unknown[], options: CallOptions = {}): Promise<unknown> {
  checkArgs(name, args);
  if (options.layout === 'sysframe') return callSysframeFunction(name, args, options);
  if (options.layout !== undefined && options.layout !== 'membridge') throw new TypeError(`Cannot call function "${name}" with layout "${String(options.layout)}": use "membridge" or "sysframe"`);
  const client = clientFor(name, { allowOtherUsers: options.allowOtherUsers });
  try {
    return await client.request(args, options);
  } catch (err) {
    if (isPeerGone(err)) forgetClient(name, options.allowOtherUsers);
    throw err;
  }
}
