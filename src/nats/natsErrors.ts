// Translating the NATS client's errors into membridge's IpcError codes, so a caller handles a
// network failure with the same codes as a local one (docs/nats.md#errors).
import { ClosedConnectionError, ConnectionError, DrainingConnectionError, NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { IpcError } from '../errors/IpcError.ts';
import { RemoteError } from '../errors/RemoteError.ts';
import { decode } from '../pybytes.ts';

/** Whether `err` says nobody listens on the subject. */
export function isNoResponders(err: unknown): boolean {
  return err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders()) || (err as { cause?: unknown })?.cause instanceof NoRespondersError;
}

/** An IpcError for `err`, a failure of the NATS client while trying to `what`. */
export function toIpcError(err: unknown, what: string, connected: boolean, name?: string): IpcError {
  if (err instanceof IpcError) return err;
  const message = (err as Error)?.message ?? String(err);
  if (err instanceof ClosedConnectionError || err instanceof DrainingConnectionError) return new IpcError('CLOSED', `Cannot ${what}: the NATS connection is closed`, { cause: err, name });
  if (!connected || err instanceof ConnectionError) return new IpcError('DISCONNECTED', `Cannot ${what}: the connection to the NATS server is lost (${message})`, { cause: err, name });
  if (isNoResponders(err)) return new IpcError('NOT_FOUND', `Cannot ${what}: nobody serves it`, { cause: err, name });
  if (err instanceof TimeoutError || (err as { cause?: unknown })?.cause instanceof TimeoutError || /timeout/i.test(message)) return new IpcError('TIMED_OUT', `Cannot ${what}: the NATS server did not answer in time`, { cause: err, name });
  if (/jetstream.*(not enabled|not available)/i.test(message)) return new IpcError('NOT_FOUND', `Cannot ${what}: JetStream is not enabled on the NATS server (start it with -js)`, { cause: err, name });
  return new IpcError('SYSTEM', `Cannot ${what}: ${message}`, { cause: err, name });
}

/** The body of an error reply: what the handler threw, as a pybytes dict. */
export function errorBody(err: unknown): { name: string; message: string; stack: string } {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack ?? '' };
  return { name: 'Error', message: String(err), stack: '' };
}

/** The RemoteError for an error reply's body. */
export function remoteError(body: Uint8Array, target: string): RemoteError {
  let e: { name?: unknown; message?: unknown; stack?: unknown } = {};
  try {
    e = (decode(body) ?? {}) as typeof e;
  } catch {
    e = { name: 'Error', message: 'an error reply that could not be decoded' };
  }
  return new RemoteError(String(e.name ?? 'Error'), String(e.message ?? ''), String(e.stack ?? ''), target);
}
