import { checkArgs, clientFor, forgetClient, isPeerGone } from './functions.ts';

/** Options of {@link callFunction} and {@link callFunctionSync}. */
export interface CallOptions {
  /** How long to wait for the result. Defaults to 30000 ms; `Infinity` waits as long as the owner lives. */
  timeoutMs?: number;
  /** Aborting rejects the call with `ABORTED` (async form only). */
  signal?: AbortSignal;
}

/**
 * Calls the function another process serves under `name` with `args` and resolves with its
 * result. Arguments and results may be of any size.
 *
 * @throws {IpcError} NOT_FOUND (nobody serves `name`), PEER_GONE (the owner died or stopped),
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
  const client = clientFor(name);
  try {
    return await client.request(args, options);
  } catch (err) {
    if (isPeerGone(err)) forgetClient(name);
    throw err;
  }
}
