// One client slot of a channel, seen from one side: an outbound ring, an inbound ring, the
// requests this side sent and awaits replies for, and the messages waiting for ring space (in
// order, so delivery per sender stays ordered). The same class serves both ends; only which ring
// is which and which doorbell is whose differ.
import { IpcError } from '../errors/IpcError.ts';
import { RemoteError } from '../errors/RemoteError.ts';
import { Doorbell } from '../segments/Doorbell.ts';
import { wakeWord } from '../platform/futex.ts';
import { memoryView, Outgoing, RAW_TYPE, RecordType, Ring, ringCore, type MessageSink } from './Ring.ts';
import { decodeMessage, encodeMessage, encodeMessageTransient } from './messageCodec.ts';

export interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  deadline: number;
  cleanup?: () => void;
}

export interface Queued {
  msg: Outgoing;
  resolve(): void;
  reject(error: unknown): void;
  deadline: number;
  cleanup?: () => void;
}

/** The payload of an ERROR record: enough to rebuild the error on the other side. */
interface ErrorRecord {
  name: string;
  message: string;
  stack: string;
  code?: string;
}

/**
 * A message carrying `value`. A Uint8Array goes as raw bytes (no encoding: the receiver gets an
 * equal Uint8Array, as pybytes would give it); everything else as pybytes, encoded now, before any
 * shared state is touched, into the encoder's scratch: post it (tryPost) or queue it (enqueue
 * copies it) before anything else encodes.
 */
export function outgoing(type: number, id: number, value: unknown): Outgoing {
  if (value instanceof Uint8Array) return new Outgoing(type, id, value, true);
  return new Outgoing(type, id, encodeMessageTransient(value), false, true);
}

/** The value of a delivered message (see MessageSink). */
export function messageValue(kind: number, ptr: number, length: number, bytes: Uint8Array | undefined): unknown {
  if (kind & RAW_TYPE) return bytes ?? memoryView().slice(ptr, ptr + length);
  return decodeMessage(ptr, length, bytes);
}

export function encodeError(err: unknown): Uint8Array {
  const e = err instanceof Error ? err : new Error(String(err));
  const rec: ErrorRecord = { name: e.name, message: e.message, stack: e.stack ?? '' };
  if (e instanceof IpcError && !(e instanceof RemoteError)) rec.code = e.code;
  return encodeMessage(rec);
}

export function decodeError(ptr: number, length: number, bytes: Uint8Array | undefined, target: string): Error {
  let rec: Partial<ErrorRecord>;
  try {
    rec = decodeMessage(ptr, length, bytes) as Partial<ErrorRecord>;
  } catch (err) {
    return err as Error;
  }
  const name = String(rec?.name ?? 'Error');
  const message = String(rec?.message ?? '');
  // Limits the server enforces (TOO_LARGE, …) stay typed IpcErrors rather than remote exceptions.
  if (rec?.code && name === 'IpcError') return new IpcError(rec.code as IpcError['code'], message, { name: target });
  return new RemoteError(name, message, String(rec?.stack ?? ''), target);
}

export class ChannelSlot {
  readonly pending = new Map<number, Pending>();
  readonly queue: Queued[] = [];
  private nextId = 1;
  /** Address of the slot (set by the channel). */
  slot = 0;
  /** Delivers inbound messages (set by the channel). */
  sink: MessageSink | undefined;
  /** Set when the slot was reclaimed: late replies must not touch it. */
  dead = false;
  /** Earliest deadline among pending requests and queued sends (Infinity when none). */
  earliest = Infinity;

  constructor(
    readonly index: number,
    readonly out: Ring,
    readonly inbound: Ring,
    /** The doorbell this side sleeps on. */
    readonly myBell: Doorbell,
    /** The doorbell the other side sleeps on. */
    readonly peerBell: Doorbell,
    readonly owner: bigint,
  ) {}

  // Tail of the out ring when we last woke the peer. While its head is still below that, the peer
  // has not drained what it was woken for, so it is awake (or about to be) and will see new records
  // without another FUTEX_WAKE: a stream then costs one system call per sleep, not one per message.
  private wokeAt = -1;

  /** Rings the peer's doorbell after publishing records; calls into the kernel only when needed. */
  private announce(): void {
    const core = ringCore();
    const bell = this.peerBell.ptr;
    if (core.doorbellRing(bell) === 0) return;
    if (this.wokeAt >= 0 && this.out.head < this.wokeAt) return;
    wakeWord(bell, 0x7fffffff);
    this.wokeAt = this.out.tail;
  }

  /** A fresh correlation id: ids only grow (2^53 of them), so none is reused while pending. */
  takeId(): number {
    return this.nextId++;
  }

  /** Writes `msg` now if nothing is queued ahead of it and it fits. Rings the peer on success. */
  tryPost(msg: Outgoing): boolean {
    if (this.queue.length > 0) return false;
    if (!this.out.write(msg)) {
      if (!msg.started) return false;
      // A partial message (chunks) must finish before anything else: queue the rest.
      this.enqueue({ msg, resolve: noop, reject: noop, deadline: Infinity });
      this.out.requestSpace();
      this.announce();
      return true;
    }
    this.announce();
    return true;
  }

  // Bytes enqueued since queuedBytes was last recounted: an upper bound of what the queue holds
  // (removals do not subtract; queueOver recounts when the bound says the limit is near).
  private queuedBytes = 0;

  /** Whether `more` bytes would take the queue past `maxMessages` messages or `maxBytes` bytes. */
  queueOver(maxMessages: number, maxBytes: number, more: number): boolean {
    if (this.queue.length >= maxMessages) return true;
    if (this.queuedBytes + more <= maxBytes) return false;
    let sum = 0;
    for (const q of this.queue) sum += q.msg.payload.length - q.msg.offset;
    this.queuedBytes = sum;
    return sum + more > maxBytes;
  }

  enqueue(q: Queued): void {
    this.queuedBytes += q.msg.payload.length;
    // A borrowed payload (the caller's array, the encoder's scratch) changes once the caller goes
    // on: keep what it held at the time of the call, the part already written included (offset).
    if (q.msg.borrowed) {
      q.msg.payload = q.msg.payload.slice();
      q.msg.borrowed = false;
    }
    this.queue.push(q);
    if (q.deadline < this.earliest) this.earliest = q.deadline;
  }

  /**
   * Writes queued messages in order, as far as space allows. When some remain, asks the consumer
   * to ring our doorbell once it frees space. Returns whether the queue is empty.
   */
  flush(): boolean {
    let wrote = false;
    while (this.queue.length > 0) {
      const q = this.queue[0]!;
      const was = q.msg.offset;
      const done = this.out.write(q.msg);
      if (q.msg.offset !== was || done) wrote = true;
      if (!done) {
        this.out.requestSpace();
        // The consumer may have freed space between the write and the request: try once more.
        // Whatever this second write publishes must be announced too: the consumer that freed the
        // space saw no request yet, so it rang nobody and may be asleep by now.
        const again = q.msg.offset;
        const finished = this.out.write(q.msg);
        if (q.msg.offset !== again || finished) wrote = true;
        if (!finished) break;
      }
      this.queue.shift();
      q.cleanup?.();
      q.resolve();
    }
    if (wrote) this.announce();
    return this.queue.length === 0;
  }

  /** Registers a pending request. */
  addPending(id: number, p: Pending): void {
    this.pending.set(id, p);
    if (p.deadline < this.earliest) this.earliest = p.deadline;
  }

  /** Settles a reply or error record; unknown ids (late replies to timed-out requests) are dropped. */
  settle(type: number, id: number, ptr: number, length: number, bytes: Uint8Array | undefined, target: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.cleanup?.();
    if ((type & 0xffff) === RecordType.REPLY) {
      let value: unknown;
      try {
        value = messageValue(type, ptr, length, bytes);
      } catch (err) {
        p.reject(err);
        return;
      }
      p.resolve(value);
    } else {
      p.reject(decodeError(ptr, length, bytes, target));
    }
  }

  /** Rejects requests and queued sends whose deadline passed; recomputes the earliest deadline. */
  expire(now: number, describe: () => string): void {
    let earliest = Infinity;
    for (const [id, p] of this.pending) {
      if (p.deadline <= now) {
        this.pending.delete(id);
        p.cleanup?.();
        p.reject(new IpcError('TIMED_OUT', `${describe()}: no reply within the timeout`));
      } else if (p.deadline < earliest) earliest = p.deadline;
    }
    for (let i = 0; i < this.queue.length; i++) {
      const q = this.queue[i]!;
      // A message already partly in the ring cannot be withdrawn; it finishes or the peer drops it.
      if (q.deadline <= now && !q.msg.started) {
        this.queue.splice(i--, 1);
        q.cleanup?.();
        q.reject(new IpcError('TIMED_OUT', `${describe()}: the ring stayed full until the timeout`));
      } else if (q.deadline < earliest) earliest = q.deadline;
    }
    this.earliest = earliest;
  }

  /** Rejects everything outstanding with `error` (peer gone, channel closed). */
  failAll(error: () => Error): void {
    for (const p of this.pending.values()) {
      p.cleanup?.();
      p.reject(error());
    }
    this.pending.clear();
    for (const q of this.queue) {
      q.cleanup?.();
      q.reject(error());
    }
    this.queue.length = 0;
    this.earliest = Infinity;
  }

  get busy(): boolean {
    return this.pending.size > 0 || this.queue.length > 0;
  }
}

function noop(): void {}
