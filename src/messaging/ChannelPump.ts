// The event-loop side of a channel: drain, then sleep on this side's doorbell on a native waiter
// thread (never on the event loop), in slices of livenessMs so a dead peer is noticed within a
// slice. Right after traffic it waits briefly on this thread first (futex.ts, waitWordHot).
import { IpcError } from '../errors/IpcError.ts';
import { noteActivity } from '../platform/futex.ts';
import type { Doorbell } from '../segments/Doorbell.ts';
import type { ChannelSlot } from './ChannelSlot.ts';

/** How often a busy server looks for dead clients (a busy server never times out a slice). */
const REAP_EVERY_MS = 1000;

/** What the pump drives: one open channel end. */
export interface PumpedChannel {
  readonly role: 'server' | 'client';
  /** Whether the loop has anything to do (a server always, a client while something is pending or handled). */
  wantsLoop(): boolean;
  /** One pass: deliver inbound records, push queued outbound ones; whether any work was done. */
  pollOnce(): boolean;
  /** Server: frees the slots of clients that left or died. */
  reap(): void;
  /** After a quiet slice: checks that the peer still lives (and breaks the channel if not). */
  checkPeer(): void;
  /** Ends the channel after an unexpected error. */
  fail(err: unknown): void;
  /** Describes a request's target for timeout errors. */
  describeRequest(): string;
}

export class ChannelPump {
  private running = false;

  constructor(
    private readonly channel: PumpedChannel,
    private readonly bell: Doorbell,
    private readonly conns: ReadonlyArray<ChannelSlot | undefined>,
    private readonly livenessMs: number,
    private readonly signal: AbortSignal,
  ) {}

  /** Starts the loop unless it runs already or has nothing to do. */
  ensureRunning(): void {
    if (this.running || !this.channel.wantsLoop()) return;
    this.running = true;
    void this.run();
  }

  private async run(): Promise<void> {
    const channel = this.channel;
    const bell = this.bell;
    const conns = this.conns;
    const describe = (): string => channel.describeRequest();
    let lastYield = performance.now();
    // A client starts its loop because it just sent something: treat that as traffic.
    if (channel.role === 'client') noteActivity(lastYield);
    let lastReap = lastYield;
    try {
      while (channel.wantsLoop()) {
        const seen = bell.seq;
        const worked = channel.pollOnce();
        if (!channel.wantsLoop()) break;
        let now = performance.now();
        for (const c of conns) if (c && c.earliest <= now) c.expire(now, describe);
        // A busy server never times out a slice: look for dead clients on a clock as well.
        if (channel.role === 'server' && now - lastReap > REAP_EVERY_MS) {
          lastReap = now;
          channel.reap();
        }
        if (worked) noteActivity(now);
        else {
          let earliest = Infinity;
          for (const c of conns) if (c && c.earliest < earliest) earliest = c.earliest;
          now = performance.now();
          const wait = Math.max(0, Math.min(this.livenessMs, earliest - now));
          // Right after traffic, wait briefly on this thread, synchronously (futex.ts,
          // waitWordHot). That is no yield to the event loop, hence the one below.
          if (bell.waitHot(seen, wait) !== 'changed') {
            const outcome = await bell.waitAsync(seen, wait, this.signal, false);
            lastYield = performance.now();
            if (outcome === 'timed-out') channel.checkPeer();
            continue;
          }
        }
        // While traffic lasts, let timers and I/O in at least once a millisecond, and handlers'
        // promises after every batch of work.
        if (now - lastYield > 1) {
          await new Promise<void>((r) => setImmediate(r));
          lastYield = performance.now();
        } else if (worked) await Promise.resolve();
      }
    } catch (err) {
      channel.fail(err);
    } finally {
      this.running = false;
    }
    // A request may have arrived between the last check and the end of the loop.
    if (channel.wantsLoop()) this.ensureRunning();
  }
}

/** The error a pump failure breaks the channel with. */
export function pumpError(err: unknown, target: string, name: string): IpcError {
  return err instanceof IpcError ? err : new IpcError('SYSTEM', `${target} stopped: ${(err as Error).message}`, { cause: err, name });
}
