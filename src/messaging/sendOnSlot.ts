// Sending a request or a notification on one channel slot: post it into the ring at once when it
// fits, else queue it (in order) for the channel's pump, with its deadline and abort signal.
import { IpcError } from '../errors/IpcError.ts';
import { outgoing, type ChannelSlot } from './ChannelSlot.ts';
import type { SendOptions } from './ChannelOptions.ts';
import { RecordType } from './Ring.ts';

/** What sending needs of the channel. */
/**
 * High-water mark of the local queue of notifications waiting for ring space, per connection:
 * past it, notify() rejects at once with FULL (docs/layout.md, Ring: backpressure).
 */
export const NOTIFY_QUEUE_MAX_MESSAGES = 4096;
export const NOTIFY_QUEUE_MAX_BYTES = 16 * 1024 * 1024;

export interface SendContext {
  readonly name: string;
  /** The channel's default timeout. */
  readonly timeoutMs: number;
  /** How errors name the channel. */
  describe(): string;
  /** Starts the channel's pump (queued messages and replies need it). */
  ensureRunning(): void;
}

export function noop(): void {}

export function abortError(target: string, signal: AbortSignal): IpcError {
  return new IpcError('ABORTED', `Cannot finish the request on ${target}: it was aborted`, { cause: signal.reason });
}

export function fullError(ctx: SendContext): IpcError {
  return new IpcError('FULL', `Cannot send on ${ctx.describe()}: the ring is full`, { name: ctx.name });
}

/** Sends a request on `conn` and resolves with the reply (the channel checked that it is usable). */
export function sendRequest(conn: ChannelSlot, value: unknown, options: SendOptions, ctx: SendContext): Promise<unknown> {
  const signal = options.signal;
  if (signal?.aborted) return Promise.reject(abortError(ctx.describe(), signal));
  const timeoutMs = options.timeoutMs ?? ctx.timeoutMs;
  const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
  const id = conn.takeId();
  const msg = outgoing(RecordType.REQUEST, id, value);
  return new Promise((resolve, reject) => {
    let cleanup: (() => void) | undefined;
    if (signal) {
      const onAbort = (): void => {
        conn.pending.delete(id);
        const i = conn.queue.findIndex((q) => q.msg === msg);
        if (i >= 0 && !msg.started) conn.queue.splice(i, 1);
        reject(abortError(ctx.describe(), signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      cleanup = () => signal.removeEventListener('abort', onAbort);
    }
    conn.addPending(id, { resolve, reject, deadline, cleanup });
    if (!conn.tryPost(msg)) {
      if (options.wait === false) {
        conn.pending.delete(id);
        cleanup?.();
        reject(fullError(ctx));
        return;
      }
      conn.enqueue({
        msg,
        resolve: noop,
        reject: (e) => {
          if (conn.pending.delete(id)) reject(e);
        },
        deadline,
      });
      conn.flush();
    }
    ctx.ensureRunning();
  });
}

/** Sends a notification on `conn`; resolves once it is in the ring. */
export function sendNotification(conn: ChannelSlot, value: unknown, options: SendOptions, ctx: SendContext): Promise<void> {
  const msg = outgoing(RecordType.NOTIFY, conn.takeId(), value);
  if (conn.tryPost(msg)) {
    if (conn.queue.length > 0) ctx.ensureRunning();
    return Promise.resolve();
  }
  if (options.wait === false) return Promise.reject(fullError(ctx));
  // Notifications that wait for ring space wait in this process's memory: bounded, so that a
  // loop that does not await them fails typed instead of growing without limit.
  if (conn.queueOver(NOTIFY_QUEUE_MAX_MESSAGES, NOTIFY_QUEUE_MAX_BYTES, msg.payload.length)) {
    return Promise.reject(new IpcError('FULL', `Cannot send a notification on ${ctx.describe()}: ${conn.queue.length} messages already wait for ring space in this process (at most ${NOTIFY_QUEUE_MAX_MESSAGES} messages or ${NOTIFY_QUEUE_MAX_BYTES} bytes); await notify() before sending more`, { name: ctx.name }));
  }
  const signal = options.signal;
  if (signal?.aborted) return Promise.reject(abortError(ctx.describe(), signal));
  const timeoutMs = options.timeoutMs ?? ctx.timeoutMs;
  return new Promise((resolve, reject) => {
    let cleanup: (() => void) | undefined;
    if (signal) {
      const onAbort = (): void => {
        const i = conn.queue.findIndex((q) => q.msg === msg);
        if (i >= 0 && !msg.started) {
          conn.queue.splice(i, 1);
          reject(abortError(ctx.describe(), signal));
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      cleanup = () => signal.removeEventListener('abort', onAbort);
    }
    conn.enqueue({ msg, resolve, reject, deadline: timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs, cleanup });
    conn.flush();
    ctx.ensureRunning();
  });
}
