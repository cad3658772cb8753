import { Channel } from './Channel.ts';
import { IpcError } from '../errors/IpcError.ts';
import { functionInternals } from './functions.ts';
import { encodeMessage } from './messageCodec.ts';

/** Size limits of one dispatched function. */
export interface HostFunctionLimits {
  /** Largest encoded argument list accepted, in bytes; larger calls get a `TOO_LARGE` error. Defaults to unlimited. */
  maxArgsSize?: number;
  /** Largest encoded result sent back, in bytes; a larger result becomes a `TOO_LARGE` error. Defaults to unlimited. */
  maxReturnSize?: number;
}

interface Entry {
  fn: (...args: any[]) => unknown;
  limits: Required<HostFunctionLimits>;
  channel?: Channel;
}

/**
 * Serves several named functions from this process, in the manner of robot-ipc's host-function
 * dispatcher, but every call gets exactly one answer: a function that returns nothing answers
 * `null`, one that throws answers with a {@link RemoteError}, and an oversized argument list or
 * result answers with `TOO_LARGE`. Callers use {@link HostFunctionCaller} (or `callFunction`).
 *
 * @example
 * ```ts
 * import { HostFunctionDispatcher } from 'membridge';
 * const d = new HostFunctionDispatcher(4);
 * d.add('square', (x: number) => x * x, { maxArgsSize: 64, maxReturnSize: 64 });
 * d.start();
 * // … later
 * d.stop();
 * ```
 */
export class HostFunctionDispatcher {
  private readonly entries = new Map<string, Entry>();
  private started = false;

  /** @throws {RangeError} when `maxFuncCount` is not a positive integer */
  constructor(readonly maxFuncCount: number) {
    if (!Number.isInteger(maxFuncCount) || maxFuncCount < 1) throw new RangeError(`Cannot make a dispatcher for ${maxFuncCount} functions: it must be a positive integer`);
  }

  /**
   * Adds a function (before or after start()).
   * @throws {IpcError} FULL when `maxFuncCount` functions are added already; ALREADY_EXISTS for a name added twice or served elsewhere (after start)
   */
  add(name: string, fn: (...args: any[]) => unknown, limits: HostFunctionLimits = {}): void {
    if (typeof fn !== 'function') throw new TypeError(`Cannot add function "${name}": "fn" must be a function`);
    if (this.entries.has(name)) throw new IpcError('ALREADY_EXISTS', `Cannot add function "${name}": it was added already`, { name });
    if (this.entries.size >= this.maxFuncCount) throw new IpcError('FULL', `Cannot add function "${name}": the dispatcher holds its maximum of ${this.maxFuncCount} functions`, { name });
    const entry: Entry = { fn, limits: { maxArgsSize: limits.maxArgsSize ?? Infinity, maxReturnSize: limits.maxReturnSize ?? Infinity } };
    this.entries.set(name, entry);
    if (this.started) {
      try {
        this.serve(name, entry);
      } catch (err) {
        this.entries.delete(name);
        throw err;
      }
    }
  }

  /**
   * Starts serving every added function.
   * @throws {IpcError} ALREADY_EXISTS when another live process serves one of the names (none is served then)
   */
  start(): void {
    if (this.started) return;
    try {
      for (const [name, entry] of this.entries) this.serve(name, entry);
    } catch (err) {
      for (const e of this.entries.values()) {
        e.channel?.close();
        e.channel = undefined;
      }
      throw err;
    }
    this.started = true;
  }

  /** Stops serving; callers waiting for an answer get `PEER_GONE`. */
  stop(): void {
    this.started = false;
    for (const e of this.entries.values()) {
      e.channel?.close();
      e.channel = undefined;
    }
  }

  private serve(name: string, entry: Entry): void {
    const channel = new Channel(name, 'server', { maxClients: 64, ringSize: 16384 }, functionInternals);
    channel.open();
    entry.channel = channel;
    const { maxArgsSize, maxReturnSize } = entry.limits;
    channel.setRequestCallback((args, req) => {
      if (req.size > maxArgsSize) throw new IpcError('TOO_LARGE', `Cannot call function "${name}": its arguments take ${req.size} bytes, more than its limit of ${maxArgsSize}`, { name });
      if (!Array.isArray(args)) throw new TypeError(`Function "${name}" expects its arguments as an array`);
      req.defer();
      const answer = (result: unknown): void => {
        let bytes: Uint8Array;
        try {
          bytes = encodeMessage(result === undefined ? null : result);
        } catch (err) {
          req.fail(err);
          return;
        }
        if (bytes.length > maxReturnSize) req.fail(new IpcError('TOO_LARGE', `Function "${name}" returned ${bytes.length} bytes, more than its limit of ${maxReturnSize}`, { name }));
        else req.respondEncoded(bytes);
      };
      let result: unknown;
      try {
        result = entry.fn(...args);
      } catch (err) {
        req.fail(err);
        return;
      }
      if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
        (result as PromiseLike<unknown>).then(answer, (e) => req.fail(e));
      } else answer(result);
    });
  }
}
