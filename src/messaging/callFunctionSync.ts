import type { CallOptions } from './callFunction.ts';
import { IpcError } from '../errors/IpcError.ts';
import { checkArgs, clientFor, forgetClient, isPeerGone, served } from './functions.ts';

/**
 * Like {@link callFunction}, but blocks this thread until the result arrives: for scripts and
 * workers. Never call it for a function served by the same thread (it could not answer).
 *
 * @throws {IpcError} NOT_FOUND (also when this process serves `name`: it could not answer while
 * blocked), PERMISSION_DENIED (another user serves it; see `allowOtherUsers`), PEER_GONE, TIMED_OUT; {@link RemoteError} when the function threw
 * @throws {TypeError} when `args` is not an array or cannot be encoded
 * @example
 * ```ts
 * import { callFunctionSync } from 'membridge';
 * const sum = callFunctionSync('add', [1, 2]);
 * ```
 */
export function callFunctionSync(name: string, args: unknown[], options: Omit<CallOptions, 'signal'> = {}): unknown {
  checkArgs(name, args);
  if (served.has(name)) {
    throw new IpcError('NOT_FOUND', `Cannot call function "${name}" synchronously from the process that serves it: its event loop could not answer (use callFunction)`, { name });
  }
  const client = clientFor(name, { allowOtherUsers: options.allowOtherUsers });
  try {
    return client.requestSync(args, options);
  } catch (err) {
    if (isPeerGone(err)) forgetClient(name, options.allowOtherUsers);
    throw err;
  }
}
