import { Channel } from './Channel.ts';
import { serveSysframeFunction } from './sysframeFunction.ts';
import { functionInternals, served } from './functions.ts';

/** Options of {@link createFunction}. */
export interface CreateFunctionOptions {
  /** How many caller processes can be connected at once. Defaults to 64. */
  maxCallers?: number;
  /** Bytes of each caller's rings (per direction), a power of two. Defaults to 16384; larger arguments and results are chunked. */
  ringSize?: number;
  /**
   * "membridge" (default), or "sysframe": serve Python's sysframe `call_function` callers in the
   * layout of `create_function` (Linux/glibc/x86-64, 1024-byte messages; docs/python.md).
   */
  layout?: 'membridge' | 'sysframe';
  /** layout "sysframe": file mode of the segment (default 0o600). */
  mode?: number;
}

/**
 * Serves `fn` under `name` to other processes until one of them calls
 * {@link removeFunction}`(name)`. Calls are answered on the event loop, which keeps running (and
 * keeps the process alive) while the function is served; async functions are awaited. An
 * exception thrown by `fn` reaches the caller as a {@link RemoteError}.
 *
 * Resolves `true` when removed, `false` when serving ended on an error (use a {@link Channel}
 * directly to see the error itself) — including a server segment another process closed or made
 * impossible (CORRUPT): the promise always settles, it never rejects after it started serving.
 *
 * @throws {IpcError} ALREADY_EXISTS (rejected) when a live process serves `name`
 * @example
 * ```ts
 * import { createFunction } from 'membridge';
 * const removed = await createFunction('add', (a: number, b: number) => a + b);
 * ```
 */
export function createFunction(name: string, fn: (...args: any[]) => unknown, options: CreateFunctionOptions = {}): Promise<boolean> {
  if (typeof fn !== 'function') return Promise.reject(new TypeError(`Cannot create function "${name}": "fn" must be a function`));
  if (options.layout === 'sysframe') return serveSysframeFunction(name, fn, { mode: options.mode });
  if (options.layout !== undefined && options.layout !== 'membridge') return Promise.reject(new TypeError(`Cannot create function "${name}" with layout "${String(options.layout)}": use "membridge" or "sysframe"`));
  let stop = (_removed: boolean): void => {};
  const channel = new Channel(
    name,
    'server',
    { maxClients: options.maxCallers ?? 64, ringSize: options.ringSize ?? 16384 },
    { ...functionInternals, onStopRequested: () => stop(true), onBroken: () => stop(false) },
  );
  try {
    channel.open();
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise<boolean>((resolve) => {
    stop = (removed: boolean): void => {
      if (served.get(name)?.channel === channel) served.delete(name);
      channel.close();
      resolve(removed);
    };
    served.set(name, { channel, stop });
    channel.setRequestCallback((args) => {
      if (!Array.isArray(args)) throw new TypeError(`Function "${name}" expects its arguments as an array`);
      return fn(...args);
    });
  });
}
