// The owner's side of a function on NATS: one lease per name, one subscription on the function's
// subject (no queue group: a second owner cannot silently share the load), answering calls,
// pings (liveness) and stop requests (removeFunction from any process).
import { Empty, type Msg } from '@nats-io/transport-node';
import { IpcError } from '../errors/IpcError.ts';
import { decode, encode } from '../pybytes.ts';
import { ChunkAssembler, type WireMessage } from './natsWire.ts';
import { errorBody } from './natsErrors.ts';
import { NetLease } from './NetLease.ts';
import type { NatsNet } from './NatsNet.ts';

/** Options of `net.createFunction`. */
export interface NetFunctionOptions {
  /** Called once the function is reachable (its lease taken and its subscription known to the server). */
  onReady?: () => void;
}

export async function serveFunction(net: NatsNet, name: string, fn: (...args: any[]) => unknown, options: NetFunctionOptions = {}): Promise<boolean> {
  if (typeof fn !== 'function') throw new TypeError(`Cannot create function "${name}": "fn" must be a function`);
  if (net.closed) throw new IpcError('CLOSED', `Cannot create function "${name}": the NATS connection is closed`, { name });
  if (net.served.has(name)) throw new IpcError('ALREADY_EXISTS', `Cannot serve function "${name}": this connection serves it already`, { name });
  const subject = net.names.fn(name);
  const target = `function "${name}"`;
  let stop: (removed: boolean) => void = () => {};
  const lease = await NetLease.acquire(net, net.names.fnLease(name), subject, target, () => stop(false));
  const assembler = new ChunkAssembler();
  return new Promise<boolean>((resolve) => {
    const run = async (m: WireMessage): Promise<void> => {
      let result: unknown;
      try {
        const args = decode(m.body);
        if (!Array.isArray(args)) throw new TypeError(`Function "${name}" expects its arguments as an array`);
        result = await fn(...args);
      } catch (err) {
        net.reply(m, false, encode(errorBody(err)));
        return;
      }
      let bytes: Uint8Array;
      try {
        bytes = encode(result);
      } catch (err) {
        net.reply(m, false, encode(errorBody(err)));
        return;
      }
      net.reply(m, true, bytes);
    };
    const onMsg = (msg: Msg): void => {
      const kind = msg.headers?.get('Mb-Kind');
      if (kind === 'ping') {
        if (msg.reply) msg.respond(Empty, { headers: net.pongHeaders() });
        return;
      }
      if (kind === 'stop') {
        if (msg.reply) msg.respond(Empty);
        stop(true);
        return;
      }
      const m = assembler.accept(msg);
      if (m && m.kind === 'call') void run(m);
    };
    const sub = net.nc.subscribe(subject, { callback: (_e, msg) => onMsg(msg) });
    stop = (removed: boolean): void => {
      if (net.served.get(name)?.stop !== stop) return;
      net.served.delete(name);
      sub.unsubscribe();
      lease.release();
      resolve(removed);
    };
    net.served.set(name, { stop });
    net.nc.flush().then(
      () => options.onReady?.(),
      () => options.onReady?.(),
    );
  });
}
