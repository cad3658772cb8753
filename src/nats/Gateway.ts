// The gateway: local shared-memory names reachable over NATS, and NATS names reachable as local
// shared-memory names, so processes that only know the shared-memory API work across hosts.
//
//   export  a local function      -> served on NATS by the gateway, which calls it locally
//           a local value         -> written to the KV bucket whenever its local version moves
//   import  a function on NATS    -> served locally by the gateway, which calls it over NATS
//           a value on NATS       -> written locally whenever the KV watch brings a new revision
//
// Local names are found by looking at /dev/shm every `scanMs`: "mb.<name>" segments are
// membridge values; other names are read for the segment header (docs/layout.md: magic "MBSG"
// at 0, kind at 6, state at 8) to find shared functions (kind 4) that are ready (state 1).
// sysframe values have no header; they are exported when a "sysframe:" pattern names them.
//
// A value both imported and exported is never echoed back: each side remembers the bytes it
// saw last and writes only different ones. A function the gateway imported is never exported.
import process from 'node:process';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import type { KV, KvEntry, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';
import { IpcError } from '../errors/IpcError.ts';
import { RemoteError } from '../errors/RemoteError.ts';
import { callFunction, createFunction, readMemory, removeFunction, removeMemory, SharedMemory, writeMemory } from '../index.ts';
import { decode, encode } from '../pybytes.ts';
import { connect, type NatsNet } from './NatsNet.ts';
import { decodeName } from './natsNames.ts';
import { matchesAny, parseGatewayPattern, type GatewayKind, type GatewayPattern } from './gatewayPattern.ts';

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  /** NATS server URL(s); or pass `net`. */
  servers?: string | string[];
  /** An open connection to use instead of `servers` (the gateway does not close it). */
  net?: NatsNet;
  /** Namespace on NATS (with `servers`). Defaults to "membridge". */
  namespace?: string;
  /** Local names to make reachable over NATS (see docs/nats.md#gateway for the pattern syntax). */
  exports?: string[];
  /** NATS names to make reachable locally. */
  imports?: string[];
  /** How often /dev/shm is looked at for new or vanished local names. Defaults to 250 ms. */
  scanMs?: number;
  /** How often exported values are checked for a new local version. Defaults to 10 ms. */
  pollMs?: number;
  /** Receives one line per name exported, imported or dropped. Defaults to console.log. */
  log?: (line: string) => void;
}

const SHM = '/dev/shm';
const MAGIC = 0x4753424d;
const KIND_MEMORY = 1;
const KIND_FUNCTION = 4;

interface ExportedFunction {
  /** Its segment in /dev/shm ("mb.<name>"; older versions used the bare name). */
  segment: string;
  ino: number;
  stopped: boolean;
  /**
   * This process called the name before, when an owner that is dead now served it: its cached
   * connection is to the dead owner, so the first call can fail with PEER_GONE without having
   * reached anyone. Such a call is sent again once.
   */
  stale: boolean;
}

interface ExportedValue {
  layout: 'membridge' | 'sysframe';
  handle: SharedMemory | undefined;
  version: number;
  busy: boolean;
}

/** Whether process `pid` exists (signal 0 checks without sending). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/**
 * Reads kind and state from a segment header; undefined when the file is not a ready membridge
 * segment or its creator (pid at offset 24) no longer runs (it was killed before it could close).
 */
function peekHeader(path: string): { kind: number; ino: number } | undefined {
  let fd: number | undefined;
  try {
    const st = statSync(path);
    if (st.size < 64) return undefined;
    fd = openSync(path, 'r');
    const b = new Uint8Array(28);
    if (readSync(fd, b, 0, 28, 0) !== 28) return undefined;
    const v = new DataView(b.buffer);
    if (v.getUint32(0, true) !== MAGIC || v.getUint32(8, true) !== 1 || !alive(v.getUint32(24, true))) return undefined;
    return { kind: v.getUint16(6, true), ino: st.ino };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A running gateway; see {@link startGateway}. */
export class Gateway {
  private readonly exportPatterns: GatewayPattern[];
  private readonly importPatterns: GatewayPattern[];
  private readonly fnExports = new Map<string, ExportedFunction>();
  private readonly valueExports = new Map<string, ExportedValue>();
  private readonly fnImports = new Set<string>();
  /** Local functions exported before (this process may hold a connection to their old owner). */
  private readonly calledBefore = new Set<string>();
  private readonly valueImports = new Set<string>();
  /** The bytes last seen of each value on either side, by `${layout}:${name}`. */
  private readonly lastBytes = new Map<string, Uint8Array>();
  private readonly watchers: Array<QueuedIterator<KvWatchEntry>> = [];
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private closedNow = false;
  private readonly log: (line: string) => void;
  private readonly onStatus = (connected: boolean): void => {
    this.log(connected ? 'nats: reconnected' : 'nats: connection lost, reconnecting');
    if (connected) void this.startWatches();
  };

  /** @internal */
  constructor(
    /** The NATS connection the gateway uses. */
    readonly net: NatsNet,
    private readonly ownsNet: boolean,
    options: GatewayOptions,
  ) {
    this.exportPatterns = (options.exports ?? []).map(parseGatewayPattern);
    this.importPatterns = (options.imports ?? []).map(parseGatewayPattern);
    this.log = options.log ?? ((line) => console.log(line));
    const scanMs = options.scanMs ?? 250;
    const pollMs = options.pollMs ?? 10;
    if (this.exportPatterns.length > 0) {
      this.timers.push(setInterval(() => this.scan(), scanMs));
      this.timers.push(setInterval(() => this.pollValues(), pollMs));
    }
    if (this.importPatterns.some((p) => p.kinds.has('fn'))) this.timers.push(setInterval(() => void this.checkImports(), 1000));
  }

  /** @internal */
  async _start(): Promise<void> {
    this.net.statusListeners.add(this.onStatus);
    this.scan();
    await this.startWatches();
  }

  /** Names exported now, as "fn:NAME", "value:NAME" or "sysframe:NAME". */
  get exported(): string[] {
    return [...[...this.fnExports.keys()].map((n) => `fn:${n}`), ...[...this.valueExports].map(([n, e]) => `${e.layout === 'sysframe' ? 'sysframe' : 'value'}:${n}`)].sort();
  }

  /** Names imported now, as "fn:NAME", "value:NAME" or "sysframe:NAME". */
  get imported(): string[] {
    return [...[...this.fnImports].map((n) => `fn:${n}`), ...this.valueImports].sort();
  }

  /** Stops exporting and importing (imported local functions are removed; values stay). */
  async close(): Promise<void> {
    if (this.closedNow) return;
    this.closedNow = true;
    for (const t of this.timers) clearInterval(t);
    this.net.statusListeners.delete(this.onStatus);
    for (const w of this.watchers.splice(0)) w.stop();
    for (const name of this.fnImports) removeFunction(name);
    this.fnImports.clear();
    for (const [name, e] of this.fnExports) {
      e.stopped = true;
      await this.net.removeFunction(name).catch(() => false);
    }
    this.fnExports.clear();
    for (const e of this.valueExports.values()) e.handle?.close();
    this.valueExports.clear();
    if (this.ownsNet) await this.net.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- export ----

  private scan(): void {
    if (this.closedNow) return;
    let entries: string[];
    try {
      entries = readdirSync(SHM);
    } catch {
      return;
    }
    const present = new Set(entries);
    for (const e of entries) {
      if (e.startsWith('mbd.')) continue;
      const bare = !e.startsWith('mb.');
      const name = bare ? e : e.slice(3);
      if (bare && matchesAny(this.exportPatterns, 'sysframe', e)) {
        if (!this.valueExports.has(e) && !this.valueImports.has(`sysframe:${e}`)) {
          this.valueExports.set(e, { layout: 'sysframe', handle: undefined, version: -1, busy: false });
          this.log(`export sysframe ${e}`);
        }
        continue;
      }
      const wantsValue = !bare && matchesAny(this.exportPatterns, 'value', name) && !this.valueExports.has(name) && !this.valueImports.has(`value:${name}`);
      const wantsFn = matchesAny(this.exportPatterns, 'fn', name) && !this.fnImports.has(name);
      if (!wantsValue && !wantsFn) continue;
      const header = peekHeader(`${SHM}/${e}`);
      if (wantsValue && header?.kind === KIND_MEMORY) {
        this.valueExports.set(name, { layout: 'membridge', handle: undefined, version: -1, busy: false });
        this.log(`export value ${name}`);
      } else if (wantsFn && header?.kind === KIND_FUNCTION) {
        const known = this.fnExports.get(name);
        if (!known || known.ino !== header.ino) this.exportFunction(name, e, header.ino);
      }
    }
    // Vanished or closed local functions stop being served on NATS.
    for (const [name, e] of this.fnExports) {
      if (present.has(e.segment) && peekHeader(`${SHM}/${e.segment}`)?.ino === e.ino) continue;
      this.unexportFunction(name, 'its local owner stopped');
    }
    for (const [name, e] of this.valueExports) {
      if (present.has(e.layout === 'membridge' ? `mb.${name}` : name)) continue;
      e.handle?.close();
      this.valueExports.delete(name);
      this.log(`unexport ${e.layout === 'sysframe' ? 'sysframe' : 'value'} ${name} (removed locally)`);
    }
  }

  private exportFunction(name: string, segment: string, ino: number): void {
    const old = this.fnExports.get(name);
    if (old) old.stopped = true;
    const entry: ExportedFunction = { segment, ino, stopped: false, stale: this.calledBefore.has(name) };
    this.fnExports.set(name, entry);
    this.calledBefore.add(name);
    const forward = async (...args: unknown[]): Promise<unknown> => {
      try {
        try {
          return await callFunction(name, args);
        } catch (err) {
          if (!(entry.stale && err instanceof IpcError && err.code === 'PEER_GONE')) throw err;
          entry.stale = false;
          return await callFunction(name, args);
        } finally {
          entry.stale = false;
        }
      } catch (err) {
        // The caller on NATS sees the original error's name, message and stack.
        if (err instanceof RemoteError) throw originalError(err);
        if (err instanceof IpcError && (err.code === 'NOT_FOUND' || err.code === 'PEER_GONE' || err.code === 'WRONG_KIND')) this.unexportFunction(name, `local call failed: ${err.code}`);
        throw err;
      }
    };
    this.net.createFunction(name, forward, { onReady: () => this.log(`export fn ${name}`) }).then(
      () => {
        if (this.fnExports.get(name) === entry) this.fnExports.delete(name);
      },
      (err: unknown) => {
        if (this.fnExports.get(name) === entry) this.fnExports.delete(name);
        // Retried on the next scan (ALREADY_EXISTS: another host serves the name on NATS now).
        if (!entry.stopped && !this.closedNow) this.log(`cannot export fn ${name}: ${(err as Error).message}`);
        entry.stopped = true;
      },
    );
  }

  private unexportFunction(name: string, why: string): void {
    const e = this.fnExports.get(name);
    if (!e || e.stopped) return;
    e.stopped = true;
    this.fnExports.delete(name);
    this.log(`unexport fn ${name} (${why})`);
    void this.net.removeFunction(name).catch(() => false);
  }

  private pollValues(): void {
    if (this.closedNow || !this.net.connected) return;
    for (const [name, e] of this.valueExports) {
      if (e.busy) continue;
      let bytes: Uint8Array;
      try {
        if (e.layout === 'membridge') {
          if (!e.handle || e.handle.removed) {
            e.handle?.close();
            e.handle = SharedMemory.open(name, { openTimeoutMs: 0 });
          }
          const version = e.handle.version;
          if (version === e.version) continue;
          const got = e.handle.read();
          e.version = version;
          if (!got) continue;
          bytes = encode(got.value);
        } else {
          bytes = encode(readMemory(name, { layout: 'sysframe' }));
        }
      } catch {
        continue; // being created, removed or replaced: the next scan decides
      }
      const key = `${e.layout}:${name}`;
      if (sameBytes(this.lastBytes.get(key), bytes)) continue;
      this.lastBytes.set(key, bytes);
      e.busy = true;
      this.net
        .writeMemory(name, decode(bytes))
        .catch(() => {
          this.lastBytes.delete(key); // try again
          e.version = -1;
        })
        .finally(() => (e.busy = false));
    }
  }

  // ---- import ----

  private async startWatches(): Promise<void> {
    if (this.closedNow) return;
    for (const w of this.watchers.splice(0)) w.stop();
    const wantsValues = this.importPatterns.some((p) => p.kinds.has('value') || p.kinds.has('sysframe'));
    const wantsFns = this.importPatterns.some((p) => p.kinds.has('fn'));
    try {
      if (wantsValues) this.follow(await (await this.net.values()).watch({ key: '>' }), (e) => this.onRemoteValue(e));
      if (wantsFns) this.follow(await (await this.net.leases()).watch({ key: 'f.*' }), (e) => this.onLease(e));
    } catch (err) {
      // Not connected yet: the reconnect starts them.
      if (this.net.connected && !this.closedNow) this.log(`cannot watch NATS: ${(err as Error).message}`);
    }
  }

  private follow(it: QueuedIterator<KvWatchEntry>, on: (e: KvEntry) => void): void {
    if (this.closedNow) {
      it.stop();
      return;
    }
    this.watchers.push(it);
    void (async () => {
      try {
        for await (const e of it) on(e);
      } catch {
        // broken by a lost connection; the reconnect starts a new watch
      }
    })();
  }

  private onRemoteValue(e: KvEntry): void {
    const name = decodeName(e.key);
    if (name === undefined) return;
    for (const layout of ['value', 'sysframe'] as GatewayKind[]) {
      if (!matchesAny(this.importPatterns, layout, name)) continue;
      const options = { layout: layout === 'sysframe' ? ('sysframe' as const) : ('membridge' as const) };
      const key = `${options.layout}:${name}`;
      try {
        if (e.operation !== 'PUT') {
          this.lastBytes.delete(key);
          removeMemory(name, options);
          continue;
        }
        if (sameBytes(this.lastBytes.get(key), e.value)) continue;
        this.lastBytes.set(key, e.value.slice());
        writeMemory(name, decode(e.value), options);
        if (!this.valueImports.has(`${layout}:${name}`)) {
          this.valueImports.add(`${layout}:${name}`);
          this.log(`import ${layout} ${name}`);
        }
      } catch (err) {
        this.log(`cannot import ${layout} ${name}: ${(err as Error).message}`);
      }
    }
  }

  private onLease(e: KvEntry): void {
    if (!e.key.startsWith('f.')) return;
    const name = decodeName(e.key.slice(2));
    if (name === undefined || !matchesAny(this.importPatterns, 'fn', name)) return;
    if (e.operation !== 'PUT') {
      this.dropImport(name, 'removed on NATS');
      return;
    }
    let owner: string | undefined;
    try {
      owner = (decode(e.value) as { owner?: string }).owner;
    } catch {
      return;
    }
    if (owner === this.net.id || this.fnImports.has(name) || this.fnExports.has(name)) return;
    this.importFunction(name);
  }

  private importFunction(name: string): void {
    const call = async (...args: unknown[]): Promise<unknown> => {
      try {
        return await this.net.callFunction(name, args);
      } catch (err) {
        if (err instanceof RemoteError) throw originalError(err);
        throw err;
      }
    };
    let served: Promise<boolean>;
    try {
      served = createFunction(name, call);
    } catch (err) {
      this.log(`cannot import fn ${name}: ${(err as Error).message}`);
      return;
    }
    this.fnImports.add(name);
    this.log(`import fn ${name}`);
    served.then(
      () => this.fnImports.delete(name),
      (err: unknown) => {
        this.fnImports.delete(name);
        this.log(`cannot import fn ${name}: ${(err as Error).message}`);
      },
    );
  }

  private dropImport(name: string, why: string): void {
    if (!this.fnImports.delete(name)) return;
    removeFunction(name);
    this.log(`unimport fn ${name} (${why})`);
  }

  /** Imported functions whose lease expired (an owner that died) are removed locally. */
  private async checkImports(): Promise<void> {
    if (this.closedNow || !this.net.connected || this.fnImports.size === 0) return;
    let kv: KV;
    try {
      kv = await this.net.leases();
    } catch {
      return;
    }
    for (const name of [...this.fnImports]) {
      try {
        const e = await kv.get(this.net.names.fnLease(name));
        if (!e || e.operation !== 'PUT') this.dropImport(name, 'its owner is gone');
      } catch {
        return; // connection trouble: look again later
      }
    }
  }
}

/**
 * Starts a gateway between this machine's shared memory and NATS. It prints (through `log`)
 * one line per name it exports, imports or drops, reconnects by itself after the NATS server
 * restarts, and follows local processes that stop and start again.
 * @example
 * ```ts
 * import { startGateway } from 'membridge/nats';
 * const gw = await startGateway({ servers: 'nats://127.0.0.1:4222', exports: ['fn:add'], imports: ['value:config'] });
 * ```
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  if (!options.net && !options.servers) throw new TypeError('Cannot start a gateway: pass "servers" or "net"');
  const net = options.net ?? (await connect({ servers: options.servers!, namespace: options.namespace, name: 'membridge gateway' }));
  const gw = new Gateway(net, !options.net, options);
  try {
    await gw._start();
  } catch (err) {
    await gw.close();
    throw err;
  }
  return gw;
}

/** The error a remote function threw, rebuilt with its name, message and stack, for the caller on the other side. */
function originalError(err: RemoteError): Error {
  const e = new Error(err.remoteMessage);
  e.name = err.remoteName;
  e.stack = err.remoteStack;
  return e;
}
