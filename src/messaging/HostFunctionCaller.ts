import { Channel } from './Channel.ts';
import { IpcError } from '../errors/IpcError.ts';
import { functionInternals } from './functions.ts';
import type { AllowedUsers } from '../segments/segmentOwner.ts';

/** Options of {@link HostFunctionCaller}. */
export interface HostFunctionCallerOptions {
  /** How long each call waits for its answer. Defaults to 30000 ms. */
  timeoutMs?: number;
  /**
   * Which other users' function segments to accept: false (default) refuses a function served by
   * another user with `PERMISSION_DENIED` (another local user can serve under a name you use and
   * see your arguments and choose your results); true accepts any user; a list accepts those user ids.
   */
  allowOtherUsers?: AllowedUsers;
}

/**
 * Calls a function served by a {@link HostFunctionDispatcher} (or `createFunction`), robot-ipc
 * style: `call()` sends, `getResponse()` returns the answers in call order. Each caller has its
 * own reply path, so concurrent callers never receive each other's answers, and every wait is
 * bounded: a dead server gives `PEER_GONE`, a slow one `TIMED_OUT`.
 *
 * @example
 * ```ts
 * import { HostFunctionCaller } from 'membridge';
 * const square = new HostFunctionCaller('square');
 * square.call([7]);
 * console.log(await square.getResponse()); // 49
 * square.close();
 * ```
 */
export class HostFunctionCaller {
  private readonly channel: Channel;
  private readonly outstanding: Array<Promise<unknown>> = [];

  /**
   * Connects to the function `name`.
   * @throws {IpcError} NOT_FOUND when nobody serves it, PERMISSION_DENIED (another user serves it
   * and `allowOtherUsers` does not accept that user), PEER_GONE, FULL (no free caller slot)
   */
  constructor(readonly name: string, options: HostFunctionCallerOptions = {}) {
    this.channel = new Channel(name, 'client', { timeoutMs: options.timeoutMs ?? 30_000, allowOtherUsers: options.allowOtherUsers ?? false }, functionInternals);
    this.channel.open();
  }

  /**
   * Sends a call; its answer is read with getResponse().
   * @throws {TypeError} when `args` is not an array or cannot be encoded
   */
  call(args: unknown[]): void {
    if (!Array.isArray(args)) throw new TypeError(`Cannot call function "${this.name}": "args" must be an array`);
    const p = this.channel.request(args);
    p.catch(() => {}); // settled through getResponse(); never an unhandled rejection
    this.outstanding.push(p);
  }

  /** Calls and waits for the answer in one step. */
  invoke(args: unknown[]): Promise<unknown> {
    this.call(args);
    return this.getResponse();
  }

  /**
   * The answer to the oldest call not yet collected.
   * @throws {IpcError} NOT_FOUND when no call is outstanding; TIMED_OUT, PEER_GONE, TOO_LARGE; {@link RemoteError} when the function threw
   */
  getResponse(): Promise<unknown> {
    const p = this.outstanding.shift();
    if (!p) return Promise.reject(new IpcError('NOT_FOUND', `Cannot get a response from function "${this.name}": no call is outstanding`, { name: this.name }));
    return p;
  }

  /** Blocking call for scripts and workers. */
  callSync(args: unknown[], options: { timeoutMs?: number } = {}): unknown {
    if (!Array.isArray(args)) throw new TypeError(`Cannot call function "${this.name}": "args" must be an array`);
    return this.channel.requestSync(args, options);
  }

  /** Disconnects; outstanding calls reject with CLOSED. */
  close(): void {
    this.channel.close();
  }
}
