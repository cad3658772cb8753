// The slot table of a channel segment (assembly/channel.ts, docs/layout.md#channel), as one side
// sees it: which slots are claimed and by whom, and the ChannelSlot objects of those this side
// talks to. A client claims one slot; the server admits claimed slots, reads their rings, and
// frees the slots of clients that left, died or wrote an impossible record.
import { IpcError } from '../errors/IpcError.ts';
import { CHANNEL_CONTROL_HELLO, CHANNEL_CONTROL_RECLAIM, CHANNEL_CONTROL_STOP } from '../platform/coreAbi.generated.ts';
import { Doorbell } from '../segments/Doorbell.ts';
import { isProcessAlive } from '../platform/processIdentity.ts';
import { ChannelSlot } from './ChannelSlot.ts';
import type { ChannelRole } from './ChannelOptions.ts';
import { Ring, type MessageSink, type CoreExports } from './Ring.ts';

// Bits of the channel's control word, set by other processes for the server (assembly/channel.ts):
// STOP (removeFunction asks the server to stop), RECLAIM (a client found every slot taken: look
// for owners that died), HELLO (a client claimed a slot: admit it).
export const CONTROL_STOP = CHANNEL_CONTROL_STOP;
const CONTROL_RECLAIM = CHANNEL_CONTROL_RECLAIM;
const CONTROL_HELLO = CHANNEL_CONTROL_HELLO;

export class ChannelSlotTable {
  readonly slotCount: number;
  readonly ringSize: number;
  /** Slot index → this side's view of it (a client has at most one). */
  readonly conns: Array<ChannelSlot | undefined>;
  /** Server: the admitted slots, in no particular order (a poll visits only these). */
  active: ChannelSlot[] = [];

  constructor(
    slotCount: number,
    ringSize: number,
    private readonly core: CoreExports,
    readonly payload: number,
    private readonly role: ChannelRole,
    /** Delivers the inbound messages of `conn`. */
    private readonly sinkFor: (conn: ChannelSlot) => MessageSink,
    /** Called when a slot stops being served (its peer object must go too). */
    private readonly onDrop: (conn: ChannelSlot) => void,
    /** Called when another process asked the server to stop; returns whether the channel is still open. */
    private readonly onStop: () => boolean,
    private readonly describe: () => string,
    private readonly name: string,
  ) {
    // The geometry the caller validated (or created): never read from the segment again.
    this.slotCount = slotCount;
    this.ringSize = ringSize;
    this.conns = new Array(this.slotCount).fill(undefined);
  }

  /** The server's doorbell (clients ring it). */
  serverBell(): Doorbell {
    return new Doorbell(this.core.chanServerBell(this.payload));
  }

  private slotView(index: number, owner: bigint): ChannelSlot {
    const core = this.core;
    const slot = core.chanSlot(this.payload, this.slotCount, this.ringSize, index);
    const toServer = new Ring(core.chanSlotToServer(slot), this.ringSize);
    const toClient = new Ring(core.chanSlotToClient(slot, this.ringSize), this.ringSize);
    const slotBell = new Doorbell(core.chanSlotBell(slot));
    const serverBell = this.serverBell();
    const conn =
      this.role === 'server'
        ? new ChannelSlot(index, toClient, toServer, serverBell, slotBell, owner)
        : new ChannelSlot(index, toServer, toClient, slotBell, serverBell, owner);
    conn.slot = slot;
    conn.sink = this.sinkFor(conn);
    return conn;
  }

  /**
   * Client: claims a free slot for this process and announces it, or returns undefined when every
   * slot is taken (after asking for dead owners to be reclaimed: `reclaim` asks a server of this
   * process directly and returns true, else the control word carries the request).
   */
  tryClaim(pid: number, stamp: number, reclaim: () => boolean): ChannelSlot | undefined {
    const core = this.core;
    for (let i = 0; i < this.slotCount; i++) {
      const slot = core.chanSlot(this.payload, this.slotCount, this.ringSize, i);
      if (core.chanSlotOwner(slot) !== 0n) continue;
      if (core.chanSlotClaim(slot, pid, stamp) === 0n) {
        const conn = this.slotView(i, core.chanSlotOwner(slot));
        this.conns[i] = conn;
        core.chanSetControl(this.payload, CONTROL_HELLO);
        this.serverBell().ring();
        return conn;
      }
    }
    if (!reclaim()) core.chanSetControl(this.payload, CONTROL_RECLAIM);
    this.serverBell().ring();
    return undefined;
  }

  /** Server: one pass over the control word and the admitted slots' inbound rings; whether it did any work. */
  poll(): boolean {
    const core = this.core;
    const control = core.chanControl(this.payload);
    if (control !== 0) {
      if (control & CONTROL_STOP && !this.onStop()) return true;
      if (control & CONTROL_RECLAIM) {
        core.chanClearControl(this.payload, CONTROL_RECLAIM);
        this.reap();
      }
      if (control & CONTROL_HELLO) {
        // New clients announce themselves, so a poll visits only connected slots, not all of them.
        core.chanClearControl(this.payload, CONTROL_HELLO);
        this.admit();
      }
    }
    let work = false;
    const active = this.active;
    for (let k = 0; k < active.length; k++) {
      const conn = active[k]!;
      if (core.chanSlotClosing(conn.slot)) {
        this.free(conn.index, 'left');
        k--;
        work = true;
        continue;
      }
      let n: number;
      let wants: boolean;
      try {
        [n, wants] = conn.inbound.read(conn.sink!);
        if (conn.queue.length > 0) conn.flush();
      } catch (err) {
        // One client's ring is its own business: a corrupt record (a buggy or hostile client
        // wrote it) costs that client its slot, never the other clients their server.
        if (!(err instanceof IpcError && err.code === 'CORRUPT')) throw err;
        this.quarantine(conn);
        k--;
        work = true;
        continue;
      }
      if (n > 0) work = true;
      if (wants) conn.peerBell.ring();
    }
    return work;
  }

  /** Server: admits the slots claimed since the last look. */
  private admit(): void {
    const core = this.core;
    for (let i = 0; i < this.slotCount; i++) {
      if (this.conns[i]) continue;
      const owner = core.chanSlotOwner(core.chanSlot(this.payload, this.slotCount, this.ringSize, i));
      if (owner === 0n) continue;
      const conn = (this.conns[i] = this.slotView(i, owner));
      this.active.push(conn);
    }
  }

  /** Server: frees the slots of clients that left or died. */
  reap(): void {
    const core = this.core;
    for (let i = 0; i < this.slotCount; i++) {
      const slot = core.chanSlot(this.payload, this.slotCount, this.ringSize, i);
      const owner = core.chanSlotOwner(slot);
      if (owner === 0n) continue;
      if (core.chanSlotClosing(slot)) this.free(i, 'left');
      else if (!isProcessAlive(Number(owner & 0xffff_ffffn), Number(owner >> 32n))) this.free(i, 'died');
    }
  }

  /**
   * Server: stops serving a client that wrote an impossible record. Its slot stays taken (the
   * client still lives and may still write into it) until reap() sees it leave or die.
   */
  quarantine(conn: ChannelSlot): void {
    this.drop(conn);
    const pid = Number(conn.owner & 0xffff_ffffn);
    conn.failAll(() => new IpcError('CORRUPT', `Cannot finish the request on ${this.describe()}: the client (pid ${pid}) wrote an impossible record into its ring and was disconnected`, { name: this.name }));
  }

  private free(index: number, why: 'left' | 'died'): void {
    const conn = this.conns[index];
    this.conns[index] = undefined;
    if (conn) {
      this.drop(conn);
      conn.failAll(() => new IpcError('PEER_GONE', `Cannot finish the request on ${this.describe()}: the client (pid ${Number(conn.owner & 0xffff_ffffn)}) ${why}`, { name: this.name }));
    }
    this.core.chanSlotFree(this.core.chanSlot(this.payload, this.slotCount, this.ringSize, index), this.ringSize);
  }

  private drop(conn: ChannelSlot): void {
    const k = this.active.indexOf(conn);
    if (k >= 0) this.active.splice(k, 1);
    conn.dead = true;
    this.onDrop(conn);
  }

  /** Server closing: wakes every slot's client so it sees the closed state. */
  ringAll(): void {
    for (let i = 0; i < this.slotCount; i++) new Doorbell(this.core.chanSlotBell(this.core.chanSlot(this.payload, this.slotCount, this.ringSize, i))).ring();
  }

  /** Client: hands its slot back and tells the server. */
  leave(index: number): void {
    this.core.chanSlotLeave(this.core.chanSlot(this.payload, this.slotCount, this.ringSize, index));
    this.serverBell().ring();
  }

  /** Forgets every slot object (the mapping is going away). */
  clear(): void {
    for (let i = 0; i < this.conns.length; i++) this.conns[i] = undefined;
    this.active = [];
  }
}
